"""Folkeregisteret simulator (offentlig-med-hjemmel v1.5) on loopback.

Implements the paths OAS uses under ``/folkeregisteret/offentlig-med-hjemmel/api``: personer/{id},
personer/bulkoppslag (``part``), uttrekk/tilpasset + uttrekk/{jobbid}/batch/{n} (404 until ready, ``{}``
after the last batch), hendelser/feed?seq= (pages of 1000), hendelser/siste/sekvensnummer and
hendelser/{id}. Every call needs a Maskinporten bearer token with the FREG scope; requests (and, unless
turned off, responses) are validated against the spec copy in ``spec/``.
"""

from __future__ import annotations

import copy
import logging
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from integrations.common.simulator import SimRequest, SimResponse, SimulatorServer
from integrations.common.spec import SpecViolation, validate_request, validate_response
from integrations.freg.population import (
    PERSON_BASIS,
    PRIVATE_KOMMUNE,
    RELASJON_UTVIDET,
    EventGenerator,
    FregState,
    nid_of,
)

logger = logging.getLogger(__name__)

SPEC_PATH = str(Path(__file__).with_name("spec") / "freg-offentlig-med-hjemmel-openapi.yaml")
BASE_PATH = "/folkeregisteret/offentlig-med-hjemmel/api"
SCOPE = "folkeregister:deling/offentligmedhjemmel"
FEED_PAGE = 1000
MAX_BULK = 1000

TokenVerifier = Callable[[str], object]


@dataclass
class ExtractJob:
    numbers: list[str]
    polls_until_ready: int
    batch_size: int
    polls: int = 0


@dataclass
class FregSimulatorOptions:
    validate_responses: bool = True
    extract_polls_until_ready: int = 1
    extract_batch_size: int = 1000
    corrupt_documents: set[str] = field(default_factory=set)  # numbers whose document is served without navn


def _error(status: int, message: str, code: str = "FREG-001") -> SimResponse:
    return SimResponse.json(
        {"alvorlighetsgrad": "FEIL", "feilkode": code, "feilmelding": message, "httpStatus": status}, status=status
    )


def _not_found(message: str) -> SimResponse:
    return SimResponse.json({"code": "FREG-404", "message": message, "httpStatus": 404}, status=404)


class FregSimulator(SimulatorServer):
    name = "freg"

    def __init__(
        self,
        *,
        state: FregState,
        token_verifier: TokenVerifier | None,
        host: str = "127.0.0.1",
        port: int = 0,
        options: FregSimulatorOptions | None = None,
        events: EventGenerator | None = None,
    ):
        super().__init__(host=host, port=port)
        self.state = state
        self.events = events
        self.token_verifier = token_verifier
        self.options = options or FregSimulatorOptions()
        self.jobs: dict[str, ExtractJob] = {}
        self.state_lock = threading.RLock()
        self.extra_feed_entries: dict[int, Any] = {}  # sequence → raw entry replacing the generated one

    @property
    def base_url(self) -> str:
        return self.url + BASE_PATH

    # --- dispatch -------------------------------------------------------------------------------
    def handle(self, request: SimRequest) -> SimResponse:
        if not request.path.startswith(BASE_PATH + "/"):
            return _not_found("ukjent sti")
        if self.token_verifier is not None:
            try:
                self.token_verifier(request.header("authorization"))
            except Exception as exc:
                return _error(401, f"Ugyldig eller utløpt token: {exc}", "FREG-401")
        try:
            validate_request(
                SPEC_PATH,
                method=request.method,
                full_path=request.path,
                query=request.query,
                headers=request.headers,
                body=request.body,
            )
        except SpecViolation as exc:
            return _error(400, "; ".join(exc.errors)[:500], "FREG-400")
        response = self._route(request, request.path[len(BASE_PATH) :])
        if self.options.validate_responses and response.status in (200,) and response.body[:1] in (b"{", b"["):
            try:
                validate_response(
                    SPEC_PATH,
                    method=request.method,
                    full_path=request.path,
                    query=request.query,
                    request_headers=request.headers,
                    request_body=request.body,
                    status=response.status,
                    content_type=response.content_type,
                    body=response.body,
                )
            except SpecViolation as exc:
                logger.error("freg simulator: response violates the spec: %s", exc.errors[:3])
                return _error(500, "simulatorens svar bryter spesifikasjonen", "FREG-500")
        return response

    def _route(self, request: SimRequest, path: str) -> SimResponse:  # noqa: PLR0911 - one branch per path
        method = request.method
        if method == "POST" and path == "/v1/personer/bulkoppslag":
            return self._bulk(request)
        if method == "POST" and path == "/v1/uttrekk/tilpasset":
            return self._extract_start(request)
        if method == "GET" and path == "/v1/hendelser/feed":
            return self._feed(request)
        if method == "GET" and path == "/v1/hendelser/siste/sekvensnummer":
            with self.state_lock:
                return SimResponse.json(len(self.state.feed))  # the spec's JSON body is a bare integer
        if method == "GET" and (match := re.fullmatch(r"/v1/uttrekk/([^/]+)/batch/(\d+)", path)):
            return self._extract_batch(match.group(1), int(match.group(2)))
        if method == "GET" and (match := re.fullmatch(r"/v1/hendelser/([^/]+)", path)):
            with self.state_lock:
                document = self.state.event_documents.get(match.group(1))
            return SimResponse.json(document) if document else _not_found("Fant ikke hendelsen")
        if method == "GET" and (match := re.fullmatch(r"/v1/personer/([^/]+)", path)):
            document = self._document(match.group(1), request.query.get("part") or [])
            return SimResponse.json(document) if document else _not_found("Fant ikke personen")
        return _not_found("ukjent ressurs")

    # --- persons --------------------------------------------------------------------------------
    def _document(self, national_id: str, parts: list[str]) -> dict[str, Any] | None:
        with self.state_lock:
            document = self.state.documents.get(national_id)
            if document is None:
                return None
            keys: set[str] = set()
            for part in parts or ["person-basis"]:
                if part == "person-basis":
                    keys.update(PERSON_BASIS)
                elif part == "relasjon-utvidet":
                    keys.update(RELASJON_UTVIDET)
                else:
                    keys.add(part)  # a single property name
            selected = {k: copy.deepcopy(v) for k, v in document.items() if k in keys}
        if national_id in self.options.corrupt_documents:
            selected.pop("navn", None)
        return selected

    def _bulk(self, request: SimRequest) -> SimResponse:
        body = request.json() or {}
        numbers = body.get("foedselsEllerDNummer") or []
        if len(numbers) > MAX_BULK:
            return _error(400, f"Maks {MAX_BULK} identifikatorer per bulkoppslag")
        parts = request.query.get("part") or []
        results = []
        for number in numbers:
            document = self._document(str(number), parts)
            if document is None:
                results.append({"foedselsEllerDNummer": number, "feilmelding": {"feilmelding": "Fant ikke person"}})
            else:
                results.append({"foedselsEllerDNummer": number, "folkeregisterperson": document})
        return SimResponse.json({"oppslag": results})

    # --- uttrekk --------------------------------------------------------------------------------
    def _extract_start(self, request: SimRequest) -> SimResponse:
        body = request.json() or {}
        kommune = (body.get("kommunenummer") or {}).get("bostedskommunenummer")
        year_from = int(body.get("foedselsaarFraOgMed") or 0)
        year_to = int(body.get("foedselsaarTilOgMed") or 9999)
        statuses = set(body.get("personstatustyper") or [])
        numbers = []
        with self.state_lock:
            for number, document in self.state.documents.items():
                status = next((s["status"] for s in document.get("status", []) if s.get("erGjeldende")), "bosatt")
                year = int(next((f["foedselsaar"] for f in document.get("foedsel", []) if f.get("erGjeldende")), 0))
                bosted = next((b for b in document.get("bostedsadresse", []) if b.get("erGjeldende")), None)
                address_kommune = ((bosted or {}).get("vegadresse") or {}).get("kommunenummer")
                if bosted is None and any(
                    a.get("graderingsnivaa") == "strengtFortrolig" for a in document.get("adressebeskyttelse", [])
                ):
                    address_kommune = self._protected_kommune(document)
                if (
                    status in statuses
                    and year_from <= year <= year_to
                    and (kommune is None or address_kommune == kommune)
                ):
                    numbers.append(number)
            job_id = str(uuid.uuid4())
            self.jobs[job_id] = ExtractJob(
                numbers=sorted(numbers),
                polls_until_ready=self.options.extract_polls_until_ready,
                batch_size=self.options.extract_batch_size,
            )
        return SimResponse.json({"jobbId": job_id})

    def _protected_kommune(self, document: dict[str, Any]) -> str | None:
        return document.get(PRIVATE_KOMMUNE)

    def _extract_batch(self, job_id: str, batch: int) -> SimResponse:
        with self.state_lock:
            job = self.jobs.get(job_id)
            if job is None:
                return _not_found("Ukjent jobb")
            if job.polls < job.polls_until_ready:
                job.polls += 1
                return _not_found("Jobben er ikke ferdig")
            start = batch * job.batch_size
            numbers = job.numbers[start : start + job.batch_size]
        if not numbers:
            return SimResponse.json({})
        return SimResponse.json({"foedselsEllerDNummer": numbers})

    # --- hendelser ------------------------------------------------------------------------------
    def _feed(self, request: SimRequest) -> SimResponse:
        seq = int(request.query_one("seq") or 1)
        with self.state_lock:
            page = self.state.feed[max(seq, 1) - 1 : max(seq, 1) - 1 + FEED_PAGE]
            page = [self.extra_feed_entries.get(int(e["sekvensnummer"]), e) for e in page]
        return SimResponse.json(page)

    # --- control endpoints (demo, benchmark) ----------------------------------------------------
    def control(self, request: SimRequest) -> SimResponse:
        if request.path == "/__sim__/events" and request.method == "POST" and self.events is not None:
            count = int((request.json() or {}).get("count", 100))
            with self.state_lock:
                self.events.stream(count)
                return SimResponse.json({"sekvensnummer": len(self.state.feed)})
        if request.path == "/__sim__/state":
            with self.state_lock:
                return SimResponse.json(
                    {
                        "persons": len(self.state.documents),
                        "children": len(self.state.children),
                        "adults": len(self.state.adults),
                        "sekvensnummer": len(self.state.feed),
                    }
                )
        return super().control(request)

    # --- helpers for tests and the demo ---------------------------------------------------------
    def document(self, national_id: str) -> dict[str, Any]:
        return self.state.documents[national_id]


def protected_children(state: FregState) -> list[str]:
    return [
        n
        for n in state.children
        if any(a.get("graderingsnivaa") == "strengtFortrolig" for a in state.documents[n].get("adressebeskyttelse", []))
    ]


__all__ = ["FregSimulator", "FregSimulatorOptions", "nid_of", "protected_children"]
