"""Demo logins: fixed identities that ``seed_demo`` creates and the development identity provider offers.

The seed guarantees each persona exists with these identifiers and the situation described, so the
README, the identity provider's login page and the tests can all name them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from oas.people.national_id import make_national_id


def _fnr(year: int, month: int, day: int, individual: int) -> str:
    # Walk individual numbers until one gives valid check digits (deterministic).
    for offset in range(200):
        value = make_national_id(dt.date(year, month, day), individual + offset)
        if value:
            return value
    raise RuntimeError("no valid number")


@dataclass(frozen=True)
class Persona:
    key: str
    label: str  # shown on the development identity provider's login page and in the README
    kind: str  # "staff" | "guardian"
    provider: str  # "entra" | "feide" | "idporten"
    employee_number: str = ""
    email: str = ""
    entra_oid: str = ""
    feide_id: str = ""
    national_id: str = ""
    first_name: str = ""
    last_name: str = ""
    position_code: str = ""  # staff: main position code
    unit_code: str = ""  # staff: OrgUnit.code of the main employment
    group_role: str = ""  # staff: optional GroupAssignment role in the unit's first group
    extra: dict[str, str] = field(default_factory=dict)


def _staff(
    key: str,
    label: str,
    number: int,
    first: str,
    last: str,
    position: str,
    unit: str,
    *,
    group_role: str = "",
    provider: str = "entra",
) -> Persona:
    return Persona(
        key=key,
        label=label,
        kind="staff",
        provider=provider,
        employee_number=f"DEMO{number:04d}",
        email=f"{key}@demo.lillestrom.kommune.no",
        entra_oid=f"00000000-0000-4000-8000-{number:012d}",
        feide_id=f"feide:{key}@lillestrom.kommune.no",
        national_id=_fnr(1975 + number % 20, 1 + number % 12, 1 + number % 27, 100 + number),
        first_name=first,
        last_name=last,
        position_code=position,
        unit_code=unit,
        group_role=group_role,
    )


# Unit codes the seed always creates (the first school, its SFO, the first municipal kindergarten).
SECTOR_OFFICE_CODE = "3030-OPPVEKST"
DEMO_SCHOOL_CODE = "3030-SKOLE-01"
DEMO_SFO_CODE = "3030-SKOLE-01-SFO"
DEMO_KINDERGARTEN_CODE = "3030-BHG-01"
OTHER_SCHOOL_CODE = "3030-SKOLE-02"
OTHER_KINDERGARTEN_CODE = "3030-BHG-02"

PERSONAS: list[Persona] = [
    _staff("sysadmin", "Systemadministrator", 1, "Sigrid", "Systemsen", "SYSADM", SECTOR_OFFICE_CODE),
    _staff("opptak", "Sektorkontor – opptak", 2, "Olav", "Opptaksen", "OPPTAK", SECTOR_OFFICE_CODE),
    _staff("faktura", "Sektorkontor – fakturering", 3, "Frida", "Fakturasen", "FAKTURA", SECTOR_OFFICE_CODE),
    _staff("radgiver", "Rådgiver i sektorkontoret", 4, "Rune", "Rådgivsen", "RADGIVER", SECTOR_OFFICE_CODE),
    _staff("rapport", "Rapportleser", 5, "Ragnhild", "Rapportsen", "RAPPORT", SECTOR_OFFICE_CODE),
    _staff("rektor", "Rektor ved Demo skole", 6, "Randi", "Rektorsen", "REKTOR", DEMO_SCHOOL_CODE),
    _staff("merkantil", "Merkantil ved Demo skole", 7, "Mona", "Merkantilsen", "MERKANTIL", DEMO_SCHOOL_CODE),
    _staff(
        "kontaktlaerer",
        "Kontaktlærer (1A) ved Demo skole",
        8,
        "Kari",
        "Kontaktsen",
        "LAERER",
        DEMO_SCHOOL_CODE,
        group_role="contact_teacher",
        provider="feide",
    ),
    _staff("laerer", "Lærer ved Demo skole", 9, "Lars", "Lærersen", "LAERER", DEMO_SCHOOL_CODE, provider="feide"),
    _staff("spesped", "Spesialpedagog ved Demo skole", 10, "Silje", "Spesped", "SPESPED", DEMO_SCHOOL_CODE),
    _staff("sfoleder", "SFO-leder ved Demo skole", 11, "Stine", "Sfosen", "SFO_LEDER", DEMO_SFO_CODE),
    _staff("styrer", "Styrer i Demo barnehage", 12, "Sverre", "Styrersen", "STYRER", DEMO_KINDERGARTEN_CODE),
    _staff(
        "pedleder",
        "Pedagogisk leder i Demo barnehage",
        13,
        "Petra",
        "Pedleder",
        "PED_LEDER",
        DEMO_KINDERGARTEN_CODE,
        group_role="group_staff",
    ),
    _staff(
        "assistent",
        "Assistent i Demo barnehage",
        14,
        "Anders",
        "Assistentsen",
        "ASSISTENT",
        DEMO_KINDERGARTEN_CODE,
        group_role="group_staff",
    ),
    _staff(
        "annenlaerer", "Lærer ved en annen skole", 15, "Ola", "Annensen", "LAERER", OTHER_SCHOOL_CODE, provider="feide"
    ),
    Persona(
        key="foresatt",
        label="Foresatt med felles foreldreansvar (barn i barnehage og på skole med SFO)",
        kind="guardian",
        provider="idporten",
        national_id=_fnr(1986, 4, 12, 410),
        first_name="Hanne",
        last_name="Hansen",
    ),
    Persona(
        key="foresatt2",
        label="Den andre foresatte (felles foreldreansvar)",
        kind="guardian",
        provider="idporten",
        national_id=_fnr(1984, 9, 3, 230),
        first_name="Henrik",
        last_name="Hansen",
    ),
    Persona(
        key="alene",
        label="Foresatt med foreldreansvar alene (delt bosted)",
        kind="guardian",
        provider="idporten",
        national_id=_fnr(1990, 1, 22, 120),
        first_name="Aina",
        last_name="Aleneby",
    ),
    Persona(
        key="uten",
        label="Forelder uten foreldreansvar",
        kind="guardian",
        provider="idporten",
        national_id=_fnr(1988, 6, 30, 340),
        first_name="Ulf",
        last_name="Utenby",
    ),
    Persona(
        key="foster",
        label="Fosterforelder",
        kind="guardian",
        provider="idporten",
        national_id=_fnr(1979, 11, 5, 260),
        first_name="Frode",
        last_name="Fosterud",
    ),
    Persona(
        key="beskyttet",
        label="Foresatt til barn med strengt fortrolig adresse",
        kind="guardian",
        provider="idporten",
        national_id=_fnr(1992, 2, 14, 180),
        first_name="Bente",
        last_name="Berg",
    ),
    Persona(
        key="farbeskyttet",
        label="Far med felles foreldreansvar som barnet med strengt fortrolig adresse ikke bor hos",
        kind="guardian",
        provider="idporten",
        national_id=_fnr(1988, 6, 3, 191),
        first_name="Frank",
        last_name="Berg",
    ),
    Persona(
        key="ukjent",
        label="Person som ikke finnes i registeret (skal avvises)",
        kind="guardian",
        provider="idporten",
        national_id=_fnr(1970, 7, 7, 450),
        first_name="Ukjent",
        last_name="Person",
    ),
]

PERSONAS_BY_KEY = {p.key: p for p in PERSONAS}
