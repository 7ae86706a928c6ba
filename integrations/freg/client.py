"""Live HTTP client for Folkeregisteret offentlig-med-hjemmel (v1.5); the simulator speaks the same API."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings

from integrations.common.errors import ConfigurationMissing
from integrations.common.transport import TokenSource, Transport
from integrations.freg.errors import InvalidDocument, TransientError
from integrations.freg.port import PART_BASIS, BulkResult, ExtractFilter, FeedEntry

MAX_BULK = 1000


class FregClient(Transport):
    """Implements ``FregPort``. ``base_url`` ends with ``/folkeregisteret/offentlig-med-hjemmel/api``."""

    system = "freg"
    retry_after_in_milliseconds = True  # FREG's Retry-After is in ms

    def __init__(self, *, base_url: str, token_source: TokenSource | None, timeout: float = 30.0):
        super().__init__(
            base_url=base_url, token_source=token_source, timeout=timeout, headers={"Accept": "application/json"}
        )

    def person(self, *, national_id: str, parts: Sequence[str] = (PART_BASIS,)) -> dict[str, Any] | None:
        response = self.request(
            "GET", f"/v1/personer/{national_id}", params=[("part", p) for p in parts], ok=(200, 404)
        )
        if response.status_code == 404:
            return None
        body = self.json(response)
        if not isinstance(body, dict):
            raise TransientError("freg: persondokumentet er ikke et JSON-objekt", system=self.system)
        return body

    def persons_bulk(self, *, national_ids: Sequence[str], parts: Sequence[str] = (PART_BASIS,)) -> list[BulkResult]:
        if len(national_ids) > MAX_BULK:
            raise ValueError(f"bulkoppslag takes at most {MAX_BULK} numbers")
        response = self.request(
            "POST",
            "/v1/personer/bulkoppslag",
            params=[("part", p) for p in parts],
            json_body={"foedselsEllerDNummer": list(national_ids)},
            headers={"Content-Type": "application/json"},
        )
        body = self.json(response)
        if not isinstance(body, dict) or not isinstance(body.get("oppslag", []), list):
            raise TransientError("freg: bulkoppslag-svaret har feil form", system=self.system)
        results = []
        for item in body.get("oppslag", []):
            if not isinstance(item, dict):
                continue
            document = item.get("folkeregisterperson")
            error = (item.get("feilmelding") or {}).get("feilmelding", "") if not document else ""
            results.append(
                BulkResult(
                    national_id=str(item.get("foedselsEllerDNummer", "")),
                    document=document if isinstance(document, dict) else None,
                    error=str(error),
                )
            )
        return results

    def extract_start(self, *, extract_filter: ExtractFilter) -> str:
        response = self.request(
            "POST",
            "/v1/uttrekk/tilpasset",
            json_body={
                "personstatustyper": list(extract_filter.statuses),
                "kommunenummer": {"bostedskommunenummer": extract_filter.municipality_number},
                "foedselsaarFraOgMed": str(extract_filter.birth_year_from),
                "foedselsaarTilOgMed": str(extract_filter.birth_year_to),
            },
            headers={"Content-Type": "application/json"},
        )
        body = self.json(response)
        job_id = body.get("jobbId") if isinstance(body, dict) else None
        if not job_id:
            raise InvalidDocument(f"uttrekk uten jobbId: {(body or {}).get('feilmelding', '')}")
        return str(job_id)

    def extract_batch(self, *, job_id: str, batch: int) -> list[str] | None:
        response = self.request("GET", f"/v1/uttrekk/{job_id}/batch/{batch}", ok=(200, 404))
        if response.status_code == 404:
            return None
        body = self.json(response)
        if not isinstance(body, dict):
            raise TransientError("freg: uttrekksbatch har feil form", system=self.system)
        return [str(n) for n in body.get("foedselsEllerDNummer") or []]

    def feed(self, *, from_sequence: int) -> list[FeedEntry | dict[str, Any]]:
        response = self.request("GET", "/v1/hendelser/feed", params={"seq": from_sequence})
        body = self.json(response)
        if not isinstance(body, list):
            raise TransientError("freg: hendelseslisten er ikke en liste", system=self.system)
        entries: list[FeedEntry | dict[str, Any]] = []
        for raw in body:
            entry = parse_feed_entry(raw)
            entries.append(entry if entry is not None else raw)
        return entries

    def last_sequence(self) -> int:
        body = self.json(self.request("GET", "/v1/hendelser/siste/sekvensnummer"))
        try:
            # JSON: a bare integer per the spec; the XML form (and some proxies) wrap it in {"sekvensnummer": n}
            return int(body["sekvensnummer"] if isinstance(body, dict) else body)
        except (KeyError, TypeError, ValueError) as exc:
            raise TransientError("freg: siste sekvensnummer mangler", system=self.system) from exc

    def event(self, *, event_id: str) -> dict[str, Any] | None:
        response = self.request("GET", f"/v1/hendelser/{event_id}", ok=(200, 404))
        if response.status_code == 404:
            return None
        body = self.json(response)
        return body if isinstance(body, dict) else None


def parse_feed_entry(raw: Any) -> FeedEntry | None:
    """Return a FeedEntry, or None when the entry lacks a sequence number, person or type."""
    if not isinstance(raw, dict):
        return None
    hendelse = raw.get("hendelse")
    sequence = raw.get("sekvensnummer")
    if not isinstance(hendelse, dict) or not isinstance(sequence, int):
        return None
    national_id = hendelse.get("folkeregisteridentifikator")
    event_type = hendelse.get("hendelsetype")
    if not national_id or not event_type:
        return None
    return FeedEntry(
        sequence=sequence,
        national_id=str(national_id),
        event_type=str(event_type),
        event_document_id=str(hendelse.get("hendelsesdokument") or ""),
        person_document_id=str(hendelse.get("persondokument") or ""),
    )


def get_freg_client() -> FregClient:
    """Return a client for ``FREG_MODE``: live needs FREG_BASE_URL; simulator uses FREG_SIMULATOR_URL."""
    from integrations.maskinporten import get_token_provider
    from integrations.maskinporten.client import bearer_token_source

    if settings.INTEGRATION_MODES["freg"] == "live":
        if not settings.FREG_BASE_URL:
            raise ConfigurationMissing("FREG_MODE=live needs FREG_BASE_URL.", system="freg")
        base_url = settings.FREG_BASE_URL
    else:
        base_url = settings.FREG_SIMULATOR_URL
    return FregClient(
        base_url=base_url, token_source=bearer_token_source(get_token_provider(), scopes=[settings.FREG_SCOPE])
    )
