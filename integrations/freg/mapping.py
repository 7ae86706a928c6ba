"""Map FREG ``Folkeregisterperson`` JSON into the kernel's register dataclasses.

Almost every property is an array of historical elements; the current one has ``erGjeldende: true``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from integrations.freg.errors import InvalidDocument
from oas.people.models import Adressebeskyttelse, Foreldreansvar, ParentRole, PersonStatus, RelationKind, Sex
from oas.people.national_id import InvalidNationalId, parse_national_id
from oas.people.services import RegisterAddress, RegisterDeltBosted, RegisterPersonData, RegisterRelation

PARENT_ROLES = {ParentRole.MOR.value, ParentRole.FAR.value, ParentRole.MEDMOR.value}
FORELDREANSVAR_KINDS = set(Foreldreansvar.values)
OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class MappedPerson:
    """A person from FREG plus, when the document had ``relasjon-utvidet``, the adults related to them as a child."""

    person: RegisterPersonData
    relations: tuple[RegisterRelation, ...]
    related_adults: frozenset[str]
    # The day the current bostedsadresse (or the emigration) takes effect: the register dates a move, and it may
    # be reported after the fact or ahead of time; the processing day is not the moving day.
    moved_on: dt.date | None = None


def current(elements: Any) -> dict[str, Any] | None:
    """Return the element with ``erGjeldende: true`` (or the only one when the flag is absent)."""
    if isinstance(elements, dict):
        return elements if elements.get("erGjeldende", True) else None
    if not isinstance(elements, list):
        return None
    flagged = [e for e in elements if isinstance(e, dict) and e.get("erGjeldende") is True]
    if flagged:
        return flagged[-1]
    unflagged = [e for e in elements if isinstance(e, dict) and "erGjeldende" not in e]
    return unflagged[-1] if len(unflagged) == 1 else None


def all_current(elements: Any) -> list[dict[str, Any]]:
    if not isinstance(elements, list):
        return []
    return [e for e in elements if isinstance(e, dict) and e.get("erGjeldende", True) is True]


def _date(value: Any) -> dt.date | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError as exc:
        raise InvalidDocument(f"ugyldig dato {value!r}") from exc


def _effective_date(value: Any) -> dt.date | None:
    """The Norwegian calendar day of a ``gyldighetstidspunkt`` (a date-time; a plain date is taken as it is)."""
    if not value or not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidDocument(f"ugyldig tidspunkt {value!r}") from exc
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(OSLO).date()


def moved_on(document: dict[str, Any], *, status: str) -> dt.date | None:
    """The day the person's current residence took effect: the emigration's date, else the bostedsadresse's.

    ``flyttedato`` is the moving day; ``gyldighetstidspunkt`` is when the element took effect, the same day for a
    move and later for a change without moving (a new krets on the same address), so the later of the two counts.
    """
    if status == PersonStatus.UTFLYTTET:
        utflytting = current(document.get("utflytting")) or {}
        found = _lenient(_date, utflytting.get("utflyttingsdato")) or _lenient(
            _effective_date, utflytting.get("gyldighetstidspunkt")
        )
        if found is not None:
            return found
    bosted = current(document.get("bostedsadresse")) or {}
    days = [
        d
        for d in (
            _lenient(_date, bosted.get("flyttedato")),
            _lenient(_effective_date, bosted.get("gyldighetstidspunkt")),
        )
        if d
    ]
    return max(days) if days else None


def _lenient(parse: Callable[[Any], dt.date | None], value: Any) -> dt.date | None:
    """A malformed date in the metadata leaves the moving day unknown; it does not make the person invalid."""
    try:
        return parse(value)
    except InvalidDocument:
        return None


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidDocument(f"ugyldig tall {value!r}") from exc


def _poststed(element: dict[str, Any]) -> tuple[str, str]:
    poststed = element.get("poststed") or {}
    return str(poststed.get("postnummer") or ""), str(poststed.get("poststedsnavn") or "")


def map_address(element: dict[str, Any] | None) -> RegisterAddress | None:
    """Map a Bostedsadresse/DeltBosted element (vegadresse, matrikkeladresse or ukjentBosted)."""
    if not element:
        return None
    grunnkrets = _int(element.get("grunnkrets"))
    skolekrets = _int(element.get("skolekrets"))
    address_id = str(element.get("adresseIdentifikatorFraMatrikkelen") or "")
    if vei := element.get("vegadresse"):
        number = vei.get("adressenummer") or {}
        house = f"{number.get('husnummer', '')}{number.get('husbokstav', '')}".strip()
        postal_code, postal_place = _poststed(vei)
        return RegisterAddress(
            street_address=" ".join(p for p in (str(vei.get("adressenavn") or ""), house) if p),
            unit_number=str(vei.get("bruksenhetsnummer") or ""),
            postal_code=postal_code,
            postal_place=postal_place,
            municipality_number=str(vei.get("kommunenummer") or ""),
            grunnkrets=grunnkrets,
            skolekrets=skolekrets,
            address_id=address_id,
        )
    if matrikkel := element.get("matrikkeladresse"):
        number = matrikkel.get("matrikkelnummer") or {}
        postal_code, postal_place = _poststed(matrikkel)
        street = matrikkel.get("adressetilleggsnavn") or (
            f"gnr. {number.get('gaardsnummer', '')} bnr. {number.get('bruksnummer', '')}"
        )
        return RegisterAddress(
            street_address=str(street),
            unit_number=str(matrikkel.get("bruksenhetsnummer") or ""),
            postal_code=postal_code,
            postal_place=postal_place,
            municipality_number=str(number.get("kommunenummer") or ""),
            grunnkrets=grunnkrets,
            skolekrets=skolekrets,
            address_id=address_id,
        )
    if ukjent := element.get("ukjentBosted"):
        return RegisterAddress(municipality_number=str(ukjent.get("bostedskommune") or ""))
    return None


def map_postal_address(element: dict[str, Any] | None) -> str:
    """Render a Kontaktadresse (postadresse) as lines of text."""
    if not element:
        return ""
    if vei := element.get("vegadresse"):
        number = vei.get("adressenummer") or {}
        postal_code, postal_place = _poststed(vei)
        line = " ".join(
            p
            for p in (str(vei.get("adressenavn") or ""), f"{number.get('husnummer', '')}{number.get('husbokstav', '')}")
            if p
        )
        return "\n".join(p for p in (line, f"{postal_code} {postal_place}".strip()) if p)
    if boks := element.get("postboksadresse"):
        postal_code, postal_place = _poststed(boks)
        owner = str(boks.get("postbokseier") or "")
        return "\n".join(
            p for p in (owner, f"Postboks {boks.get('postboks', '')}", f"{postal_code} {postal_place}".strip()) if p
        )
    if fritt := element.get("postadresseIFrittFormat"):
        postal_code, postal_place = _poststed(fritt)
        lines = [str(line) for line in fritt.get("adresselinje") or []]
        return "\n".join([*lines, f"{postal_code} {postal_place}".strip()])
    return ""


def map_person(document: Any, *, requested_id: str = "") -> MappedPerson:
    """Map one Folkeregisterperson; raise InvalidDocument naming what is missing or wrong."""
    if not isinstance(document, dict):
        raise InvalidDocument("persondokumentet er ikke et JSON-objekt")
    identifier = current([e for e in document.get("identifikasjonsnummer") or [] if e.get("status") == "iBruk"])
    national_id = str((identifier or {}).get("foedselsEllerDNummer") or requested_id)
    try:
        parsed = parse_national_id(national_id)
    except InvalidNationalId as exc:
        raise InvalidDocument(f"ugyldig fødsels- eller d-nummer (regel {exc.rule})") from exc
    navn = current(document.get("navn"))
    if not navn or not navn.get("fornavn") or not navn.get("etternavn"):
        raise InvalidDocument("mangler gjeldende navn (fornavn/etternavn)")
    foedsel = current(document.get("foedsel")) or {}
    kjoenn = (current(document.get("kjoenn")) or {}).get("kjoenn", "")
    status_element = current(document.get("status")) or {}
    status = status_element.get("status") or PersonStatus.BOSATT
    if status not in PersonStatus.values:
        raise InvalidDocument(f"ukjent personstatus {status!r}")
    doedsfall = document.get("doedsfall")
    date_of_death = _date((current(doedsfall) or {}).get("doedsdato")) if doedsfall else None
    gradering = (current(document.get("adressebeskyttelse")) or {}).get(
        "graderingsnivaa"
    ) or Adressebeskyttelse.UGRADERT
    if gradering not in Adressebeskyttelse.values:
        raise InvalidDocument(f"ukjent graderingsnivå {gradering!r}")
    bosted = current(document.get("bostedsadresse"))
    address = None if gradering == Adressebeskyttelse.STRENGT_FORTROLIG else map_address(bosted)
    delt = tuple(
        RegisterDeltBosted(
            address=map_address(element) or RegisterAddress(),
            valid_from=_date(element.get("startdatoForKontrakt")) or dt.date.min,
            valid_to=_date(element.get("sluttdatoForKontrakt")),
        )
        for element in all_current(document.get("deltBosted"))
        if element.get("startdatoForKontrakt")
    )
    person = RegisterPersonData(
        national_id=national_id,
        first_name=str(navn["fornavn"]),
        middle_name=str(navn.get("mellomnavn") or ""),
        last_name=str(navn["etternavn"]),
        birth_date=_date(foedsel.get("foedselsdato")) or parsed.birth_date,
        sex=kjoenn if kjoenn in Sex.values else "",
        status=status,
        date_of_death=date_of_death,
        adressebeskyttelse=gradering,
        address=address,
        postal_address=map_postal_address(current(document.get("postadresse"))),
        delt_bosted=delt,
    )
    relations, adults = _relations(document, national_id)
    return MappedPerson(
        person=person, relations=relations, related_adults=adults, moved_on=moved_on(document, status=status)
    )


def _relations(document: dict[str, Any], national_id: str) -> tuple[tuple[RegisterRelation, ...], frozenset[str]]:
    parents: dict[str, str] = {}
    for element in all_current(document.get("familierelasjon")):
        role = element.get("relatertPersonsRolle")
        related = element.get("relatertPerson")
        if role in PARENT_ROLES and related and element.get("minRolleForPerson") in (None, "barn"):
            parents[str(related)] = str(role)
    guardians: dict[str, str] = {}
    for element in all_current(document.get("foreldreansvar")):
        subject = element.get("ansvarssubjekt")
        responsible = element.get("ansvarlig")
        ansvar = element.get("ansvar")
        if subject not in (None, national_id) or not responsible or ansvar not in FORELDREANSVAR_KINDS:
            continue  # "ukjent" or a responsible person without identifier: nothing we can link
        guardians[str(responsible)] = str(ansvar)
    relations = [
        RegisterRelation(
            adult_national_id=adult,
            kind=RelationKind.GUARDIAN,
            foreldreansvar=ansvar,
            parent_role=parents.get(adult, ""),
        )
        for adult, ansvar in sorted(guardians.items())
    ]
    relations.extend(
        RegisterRelation(adult_national_id=adult, kind=RelationKind.PARENT, parent_role=role)
        for adult, role in sorted(parents.items())
        if adult not in guardians
    )
    return tuple(relations), frozenset(parents) | frozenset(guardians)
