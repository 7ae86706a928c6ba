"""Our own dataclasses for SvarUt messages (the port speaks these, never raw JSON)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

TERMINAL_STATUSES = frozenset({"LEST", "PRINTET", "LEVERT_SDP", "MANUELT_HANDTERT", "AVVIST", "IKKE_LEVERT"})
ALL_STATUSES = frozenset(
    {
        "MOTTATT",
        "AKSEPTERT",
        "AVVIST",
        "VARSLET",
        "LEST",
        "SENDT_PRINT",
        "PRINTET",
        "MANUELT_HANDTERT",
        "SENDT_DIGITALT",
        "SENDT_SDP",
        "LEVERT_SDP",
        "KLAR_FOR_MOTTAK",
        "IKKE_LEVERT",
    }
)


@dataclass(frozen=True)
class Mottaker:
    """SvarUt ``Adresse`` for the recipient: a name, a fødselsnummer for digital delivery, a postal address."""

    navn: str
    digital_id: str = ""
    adresselinje1: str = ""
    adresselinje2: str = ""
    adresselinje3: str = ""
    postnummer: str = ""
    poststed: str = ""
    land: str = ""

    def as_json(self) -> dict[str, str]:
        data = {
            "navn": self.navn,
            "digitalId": self.digital_id,
            "adresselinje1": self.adresselinje1,
            "adresselinje2": self.adresselinje2,
            "adresselinje3": self.adresselinje3,
            "postnummer": self.postnummer,
            "poststed": self.poststed,
            "land": self.land,
        }
        return {key: value for key, value in data.items() if value}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mottaker:
        return cls(
            navn=data.get("navn", ""),
            digital_id=data.get("digitalId", ""),
            adresselinje1=data.get("adresselinje1", ""),
            adresselinje2=data.get("adresselinje2", ""),
            adresselinje3=data.get("adresselinje3", ""),
            postnummer=data.get("postnummer", ""),
            poststed=data.get("poststed", ""),
            land=data.get("land", ""),
        )

    @property
    def has_postal_address(self) -> bool:
        return bool(self.adresselinje1 and self.postnummer and self.poststed)


@dataclass(frozen=True)
class Dokument:
    filnavn: str
    content: bytes
    mime_type: str = "application/pdf"
    personsensitiv: bool = True


@dataclass(frozen=True)
class Forsendelse:
    tittel: str
    mottaker: Mottaker
    dokumenter: list[Dokument]
    ekstern_referanse: str
    kun_digital_levering: bool = False
    korrelasjonsid: str = ""
    forsendelsestype: str = ""
    avgivende_system: str = "OAS"

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "tittel": self.tittel,
            "mottaker": self.mottaker.as_json(),
            "dokumenter": [
                {
                    "filnavn": d.filnavn,
                    "mimeType": d.mime_type,
                    "inneholderPersonsensitivInformasjon": d.personsensitiv,
                }
                for d in self.dokumenter
            ],
            "kunDigitalLevering": self.kun_digital_levering,
            "eksternReferanse": self.ekstern_referanse,
            "avgivendeSystem": self.avgivende_system,
        }
        if self.korrelasjonsid:
            data["korrelasjonsid"] = self.korrelasjonsid
        if self.forsendelsestype:
            data["forsendelsestype"] = self.forsendelsestype
        return data


@dataclass(frozen=True)
class ForsendelseStatus:
    id: str
    status: str
    siste_status_endring: dt.datetime

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


@dataclass(frozen=True)
class Hendelse:
    tidspunkt: dt.datetime
    hendelse: str


@dataclass
class SentForsendelse:
    id: str
    extra: dict[str, Any] = field(default_factory=dict)
