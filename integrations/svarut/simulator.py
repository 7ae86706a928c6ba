"""SvarUt simulator: the KS Fiks SvarUt REST API v2 (send, status search, events) on loopback.

Follows ``spec/forsendelse-*-api-v2.json`` (MIT, KS): ``POST /api/v2/kontoer/{kontoId}/forsendelser`` takes
multipart/form-data with a ``forsendelse`` JSON part (validated against the ``Forsendelse`` schema) and one
``filer_{i}`` part per document; it answers ``{"id": "<uuid>"}``. Every call needs ``Authorization: Bearer``
(a Maskinporten token with scope ``ks:fiks``) plus ``IntegrasjonId``/``IntegrasjonPassord``.

Status is scripted and moves one step per ``status-sok`` call that includes the forsendelse:

* digital recipient (``digitalId`` and a digital mailbox): MOTTATT → AKSEPTERT → VARSLET → LEST
* print (no mailbox, full postal address): MOTTATT → AKSEPTERT → SENDT_PRINT → PRINTET
* no mailbox and ``kunDigitalLevering``: MOTTATT → AKSEPTERT → IKKE_LEVERT
* no mailbox and no usable postal address: MOTTATT → MANUELT_HANDTERT
* invalid documents (forbidden characters in ``filnavn``, duplicate file names, a non-PDF that is
  printable, a missing file part): MOTTATT → AVVIST

Like SvarUt, it does NOT de-duplicate on ``eksternReferanse``: the SvarUt specification promises no such thing,
so a second send with the same reference makes a second forsendelse (a second letter to the citizen). A client
that may be resending looks the reference up first: ``GET /api/v2/kontoer/{kontoId}/forsendelser/eksternref/{ref}``
answers ``{"forsendelseIds": [...]}`` (SvarUt's ``eksternref`` lookup, in REST service v1 as
``GET /eksternref/{eksternref}`` → list of forsendelse ids; not in the v2 OpenAPI files, so its answer is not
schema-checked). Faults come from ``SimulatorServer.fail`` (500, timeout, 429 + Retry-After, malformed).
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from integrations.common.simulator import SimRequest, SimResponse, SimulatorServer
from integrations.common.spec import SpecViolation, validate_schema
from oas import clock

logger = logging.getLogger(__name__)

SPEC_DIR = Path(__file__).with_name("spec")
SEND_SPEC = str(SPEC_DIR / "forsendelse-send-api-v2.json")
STATUS_SPEC = str(SPEC_DIR / "forsendelse-status-api-v2.json")
EVENTS_SPEC = str(SPEC_DIR / "forsendelse-hendelser-api-v2.json")

SIMULATOR_KONTO_ID = "5d3c1e1a-6a43-4f0e-9d2a-0a5a4c0f3a30"
SIMULATOR_INTEGRASJON_ID = "7f1d2c4b-8e9a-4b1c-a0d3-2b6e5f4a9c10"
SIMULATOR_INTEGRASJON_PASSORD = "simulator-passord"
REQUIRED_SCOPE = "ks:fiks"

FORBIDDEN_FILENAME_CHARS = re.compile(r'[*:"\\/<>|?]')

SCRIPTS: dict[str, tuple[str, ...]] = {
    "digital": ("MOTTATT", "AKSEPTERT", "VARSLET", "LEST"),
    "print": ("MOTTATT", "AKSEPTERT", "SENDT_PRINT", "PRINTET"),
    "ikke_levert": ("MOTTATT", "AKSEPTERT", "IKKE_LEVERT"),
    "manuell": ("MOTTATT", "MANUELT_HANDTERT"),
    "avvist": ("MOTTATT", "AVVIST"),
}
EVENT_TEXT = {
    "MOTTATT": "Forsendelse mottatt",
    "AKSEPTERT": "Akseptert for ekspedering",
    "VARSLET": "Mottaker varslet i digital postkasse",
    "LEST": "Lest av mottaker",
    "SENDT_PRINT": "Sendt til print",
    "PRINTET": "Printet og sendt i posten",
    "IKKE_LEVERT": "Kunne ikke leveres digitalt; kun digital levering var valgt",
    "MANUELT_HANDTERT": "Manuelt håndtert: mottaker mangler adresse",
    "AVVIST": "Avvist",
}


@dataclass
class SimForsendelse:
    id: str
    konto_id: str
    forsendelse: dict[str, Any]
    files: dict[str, tuple[str, bytes]]  # part name -> (filename, content)
    script: tuple[str, ...]
    step: int = 0
    history: list[tuple[str, str, str]] = field(default_factory=list)  # (status, tidspunkt, hendelse)
    rejection: str = ""

    @property
    def status(self) -> str:
        return self.script[self.step]


def _error(status: int, message: str, *, path: str, code: str = "") -> SimResponse:
    return SimResponse.json(
        {
            "timestamp": int(clock.now().timestamp() * 1000),
            "status": status,
            "error": {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 415: "Unsupported Media Type"}.get(
                status, "Error"
            ),
            "errorId": str(uuid.uuid4()),
            "path": path,
            "originalPath": path,
            "message": message,
            "errorCode": code,
        },
        status=status,
    )


def parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, str, bytes]]:
    """Split a multipart/form-data body into ``{name: (filename, content_type, bytes)}``."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise ValueError("body is not multipart")
    parts: dict[str, tuple[str | None, str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            raise ValueError("a part lacks a name in Content-Disposition")
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        parts[str(name)] = (part.get_filename(), part.get_content_type(), content)
    return parts


class SvarUtSimulator(SimulatorServer):
    name = "svarut"

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token_verifier: Callable[[str], object] | None = None,
        konto_id: str = SIMULATOR_KONTO_ID,
        integrasjon_id: str = SIMULATOR_INTEGRASJON_ID,
        integrasjon_passord: str = SIMULATOR_INTEGRASJON_PASSORD,
    ):
        super().__init__(host=host, port=port)
        self.token_verifier = token_verifier
        self.konto_id = konto_id
        self.integrasjon_id = integrasjon_id
        self.integrasjon_passord = integrasjon_passord
        self.forsendelser: dict[str, SimForsendelse] = {}
        self._by_ekstern: dict[tuple[str, str], list[str]] = {}
        self.lookup_calls = 0
        # Fødselsnumre without a digital mailbox (reserved against digital communication): they get print.
        self.without_mailbox: set[str] = set()
        self.send_calls = 0
        # A slow SvarUt: store the forsendelse, then hold the answer (tests kill the worker meanwhile).
        self.hold_seconds = 0.0
        self.first_send = threading.Event()
        self._state = threading.Lock()

    # --- API ------------------------------------------------------------------------------------
    def handle(self, request: SimRequest) -> SimResponse:
        response, spec, schema = self._dispatch_api(request)
        # What we answer must itself follow the spec: 200 bodies their schema, errors ErrorMessage.
        if response.status == 200 and not schema:
            return response  # the eksternref lookup has no schema in the v2 files
        try:
            validate_schema(spec, schema if response.status == 200 else "ErrorMessage", json.loads(response.body))
        except (SpecViolation, ValueError) as exc:
            logger.error("svarut simulator: response violates the spec: %s", exc)
            return _error(500, "simulatorens svar bryter spesifikasjonen", path=request.path)
        return response

    def _dispatch_api(self, request: SimRequest) -> tuple[SimResponse, str, str]:  # noqa: PLR0911 - one per route
        refused = self._authenticate(request)
        if refused is not None:
            return refused, SEND_SPEC, "ErrorMessage"
        parts = request.path.strip("/").split("/")
        # api/v2/kontoer/{kontoId}/forsendelser[/status-sok]
        if len(parts) == 5 and parts[:3] == ["api", "v2", "kontoer"] and parts[4] == "forsendelser":
            if request.method != "POST":
                return _error(405, "Method not allowed", path=request.path), SEND_SPEC, ""
            return self._send(request, konto_id=parts[3]), SEND_SPEC, "SendForsendelseResponse"
        if len(parts) == 6 and parts[:3] == ["api", "v2", "kontoer"] and parts[4:] == ["forsendelser", "status-sok"]:
            if request.method != "POST":
                return _error(405, "Method not allowed", path=request.path), STATUS_SPEC, ""
            return self._status_search(request, konto_id=parts[3]), STATUS_SPEC, "ForsendelseStatuser"
        if len(parts) == 7 and parts[:3] == ["api", "v2", "kontoer"] and parts[4:6] == ["forsendelser", "eksternref"]:
            if request.method != "GET":
                return _error(405, "Method not allowed", path=request.path), SEND_SPEC, ""
            return self._by_ekstern_lookup(request, konto_id=parts[3], ekstern=unquote(parts[6])), SEND_SPEC, ""
        if len(parts) == 5 and parts[:3] == ["api", "v2", "forsendelser"] and parts[4] == "hendelser":
            return self._events(request, forsendelse_id=parts[3]), EVENTS_SPEC, "Hendelser"
        return _error(404, "Ukjent sti", path=request.path), SEND_SPEC, ""

    def _authenticate(self, request: SimRequest) -> SimResponse | None:
        authorization = request.header("authorization")
        if not authorization.startswith("Bearer "):
            return _error(401, "Mangler Maskinporten-token", path=request.path)
        if self.token_verifier is not None:
            try:
                self.token_verifier(authorization)
            except Exception as exc:
                return _error(401, f"Ugyldig Maskinporten-token: {exc}", path=request.path)
        if (
            request.header("integrasjonid") != self.integrasjon_id
            or request.header("integrasjonpassord") != self.integrasjon_passord
        ):
            return _error(401, "Ugyldig IntegrasjonId/IntegrasjonPassord", path=request.path)
        return None

    def _send(self, request: SimRequest, *, konto_id: str) -> SimResponse:
        if konto_id != self.konto_id:
            return _error(404, f"Ukjent konto {konto_id}", path=request.path)
        content_type = request.header("content-type")
        if not content_type.startswith("multipart/form-data"):
            return _error(415, "Forventer multipart/form-data", path=request.path)
        try:
            parts = parse_multipart(content_type, request.body)
            raw = parts["forsendelse"][2]
            forsendelse = json.loads(raw)
        except KeyError:
            return _error(400, "Mangler del 'forsendelse'", path=request.path)
        except ValueError as exc:
            return _error(400, f"Ugyldig forsendelse: {exc}", path=request.path)
        try:
            validate_schema(SEND_SPEC, "Forsendelse", forsendelse)
        except SpecViolation as exc:
            return _error(400, "; ".join(exc.errors), path=request.path, code="VALIDERINGSFEIL")
        ekstern = forsendelse.get("eksternReferanse")
        with self._state:
            self.send_calls += 1
            files = {name: (filename or "", content) for name, (filename, _ct, content) in parts.items()}
            files.pop("forsendelse", None)
            script, rejection = self._route(forsendelse, files)
            record = SimForsendelse(
                id=str(uuid.uuid4()),
                konto_id=konto_id,
                forsendelse=forsendelse,
                files=files,
                script=script,
                rejection=rejection,
            )
            self._record(record)
            self.forsendelser[record.id] = record
            if ekstern:
                self._by_ekstern.setdefault((konto_id, ekstern), []).append(record.id)
        self.first_send.set()
        if self.hold_seconds:
            time.sleep(self.hold_seconds)
        return SimResponse.json({"id": record.id})

    def _route(  # noqa: PLR0911 - one return per SvarUt delivery rule
        self, forsendelse: dict[str, Any], files: dict[str, tuple[str, bytes]]
    ) -> tuple[tuple[str, ...], str]:
        """Pick the status script for a forsendelse (SvarUt's delivery rules)."""
        digital_only = bool(forsendelse.get("kunDigitalLevering"))
        documents = forsendelse.get("dokumenter") or []
        if not documents:
            return SCRIPTS["avvist"], "Forsendelsen har ingen dokumenter"
        names = [d["filnavn"] for d in documents]
        if len(set(names)) != len(names):
            return SCRIPTS["avvist"], "Filnavn må være unike"
        for index, document in enumerate(documents):
            if FORBIDDEN_FILENAME_CHARS.search(document["filnavn"]):
                return SCRIPTS["avvist"], f"Ugyldige tegn i filnavn {document['filnavn']!r}"
            printable = document["mimeType"] == "application/pdf"
            if not printable and not digital_only and not document.get("skalEkskluderesFraUtskrift"):
                return SCRIPTS["avvist"], f"{document['filnavn']}: kun application/pdf kan printes"
            part = files.get(f"filer_{index}")
            if part is None:
                return SCRIPTS["avvist"], f"Mangler fil filer_{index}"
            if printable and not part[1].startswith(b"%PDF"):
                return SCRIPTS["avvist"], f"{document['filnavn']} er ikke en gyldig PDF"
        mottaker = forsendelse["mottaker"]
        digital_id = mottaker.get("digitalId")
        if digital_id and digital_id not in self.without_mailbox:
            return SCRIPTS["digital"], ""
        if digital_only:
            return SCRIPTS["ikke_levert"], ""
        if mottaker.get("postnummer") and mottaker.get("poststed") and mottaker.get("adresselinje1"):
            return SCRIPTS["print"], ""
        return SCRIPTS["manuell"], ""

    def _record(self, record: SimForsendelse) -> None:
        status = record.status
        text = EVENT_TEXT[status]
        if status == "AVVIST" and record.rejection:
            text = f"Avvist: {record.rejection}"
        record.history.append((status, clock.now().isoformat(), text))

    def _by_ekstern_lookup(self, request: SimRequest, *, konto_id: str, ekstern: str) -> SimResponse:
        if konto_id != self.konto_id:
            return _error(404, f"Ukjent konto {konto_id}", path=request.path)
        with self._state:
            self.lookup_calls += 1
            return SimResponse.json({"forsendelseIds": list(self._by_ekstern.get((konto_id, ekstern), []))})

    def _status_search(self, request: SimRequest, *, konto_id: str) -> SimResponse:
        try:
            body = request.json()
            validate_schema(STATUS_SPEC, "StatusSok", body)
        except (ValueError, SpecViolation) as exc:
            return _error(400, f"Ugyldig StatusSok: {exc}", path=request.path)
        statuser = []
        with self._state:
            for forsendelse_id in body["forsendelseIds"]:
                record = self.forsendelser.get(forsendelse_id)
                if record is None or record.konto_id != konto_id:
                    continue
                if record.step < len(record.script) - 1:
                    record.step += 1
                    self._record(record)
                statuser.append({"id": record.id, "status": record.status, "sisteStatusEndring": record.history[-1][1]})
        return SimResponse.json({"statuser": statuser})

    def _events(self, request: SimRequest, *, forsendelse_id: str) -> SimResponse:
        with self._state:
            record = self.forsendelser.get(forsendelse_id)
            if record is None:
                return _error(404, "Ukjent forsendelse", path=request.path)
            hendelser = [{"tidspunkt": at, "hendelse": text} for _status, at, text in record.history]
        return SimResponse.json({"hendelser": hendelser})

    # --- inspection (tests, demo) -------------------------------------------------------------
    def reset_state(self) -> None:
        """Forget every forsendelse and queued fault (tests share one server per module)."""
        with self._state:
            self.forsendelser.clear()
            self._by_ekstern.clear()
            self.without_mailbox.clear()
            self.send_calls = 0
            self.lookup_calls = 0
        self.hold_seconds = 0.0
        self.first_send.clear()
        self.reset_faults()

    def by_ekstern_referanse(self, ekstern: str) -> list[SimForsendelse]:
        with self._state:
            return [f for f in self.forsendelser.values() if f.forsendelse.get("eksternReferanse") == ekstern]

    def control(self, request: SimRequest) -> SimResponse:
        if request.path == "/__sim__/forsendelser" and request.method == "GET":
            with self._state:
                return SimResponse.json(
                    [
                        {
                            "id": f.id,
                            "tittel": f.forsendelse.get("tittel"),
                            "eksternReferanse": f.forsendelse.get("eksternReferanse"),
                            "status": f.status,
                        }
                        for f in self.forsendelser.values()
                    ]
                )
        return super().control(request)
