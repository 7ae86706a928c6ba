"""Noark 5 relation URIs, codes and the one dataclass the client returns (an object with its links)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from integrations.common.errors import PermanentError, TransientError

NOARK_JSON = "application/vnd.noark5+json"
REL = "https://rel.arkivverket.no/noark5/v5/api/"
REL_SAKARKIV = REL + "sakarkiv/"
REL_ARKIVSTRUKTUR = REL + "arkivstruktur/"
REL_SAKSMAPPE = REL + "sakarkiv/saksmappe/"
REL_NY_SAKSMAPPE = REL + "sakarkiv/ny-saksmappe/"
REL_JOURNALPOST = REL + "sakarkiv/journalpost/"
REL_NY_JOURNALPOST = REL + "sakarkiv/ny-journalpost/"
REL_DOKUMENTBESKRIVELSE = REL + "arkivstruktur/dokumentbeskrivelse/"
REL_NY_DOKUMENTBESKRIVELSE = REL + "arkivstruktur/ny-dokumentbeskrivelse/"
REL_DOKUMENTOBJEKT = REL + "arkivstruktur/dokumentobjekt/"
REL_NY_DOKUMENTOBJEKT = REL + "arkivstruktur/ny-dokumentobjekt/"
REL_FIL = REL + "arkivstruktur/fil/"
REL_KORRESPONDANSEPART = REL + "arkivstruktur/korrespondansepart/"
REL_NY_KORRESPONDANSEPARTPERSON = REL + "arkivstruktur/ny-korrespondansepartperson/"
KORRESPONDANSEPARTTYPER = {
    "EA": "Avsender",
    "EM": "Mottaker",
    "EK": "Kopimottaker",
    "GM": "Gruppemottaker",
    "IA": "Intern avsender",
    "IM": "Intern mottaker",
    "IK": "Intern kopimottaker",
    "IS": "Intern saksbehandler",
}
REL_SELF = "self"

JOURNALPOSTTYPE_NAMES = {"I": "Inngående dokument", "U": "Utgående dokument"}
# Unntatt offentlighet etter offentleglova § 13 (taushetsplikt): used for every child/pupil case document.
SKJERMING_OFFL_13 = {
    "tilgangsrestriksjon": {"kode": "13", "kodenavn": "Unntatt etter offentleglova § 13"},
    "skjermingshjemmel": "Offl. § 13 jf. fvl. § 13",
    "skjermingMetadata": [{"kode": "TM1", "kodenavn": "Tittel, unntatt første linje"}],
}


@dataclass(frozen=True)
class NoarkObject:
    """A Noark object as the archive returned it, with its ``_links`` by relation."""

    data: dict[str, Any]
    links: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, body: Any) -> NoarkObject:
        if not isinstance(body, dict):
            raise TransientError("noark: forventet et objekt", system="noark")
        raw_links = body.get("_links") or {}
        links = {rel: str(link.get("href", "")) for rel, link in raw_links.items() if isinstance(link, dict)}
        return cls(data={k: v for k, v in body.items() if k != "_links"}, links=links)

    def link(self, rel: str) -> str:
        href = self.links.get(rel)
        if not href:
            raise PermanentError(f"noark: objektet mangler lenken {rel}", system="noark")
        return href

    @property
    def system_id(self) -> str:
        return str(self.data.get("systemID", ""))

    def int_field(self, name: str) -> int | None:
        value = self.data.get(name)
        return int(value) if isinstance(value, int) else None
