"""Shared state and small generators of the demo builder: one seeded ``random.Random`` and ``Faker``."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from faker import Faker

from devtools.seed.plan import (
    LILLESTROM,
    POSTAL,
    SchoolLevel,
    SeedSize,
)
from oas import clock
from oas.demo_personas import (
    PERSONAS,
)
from oas.organisation.models import Municipality, OrgUnit, OrgUnitKind, Ownership, SchoolType
from oas.people.models import (
    Adressebeskyttelse,
    DeltBosted,
    Employee,
    Employment,
    GroupAssignment,
    Person,
    PersonRelation,
    Placement,
    RelationKind,
    RelationSource,
    Service,
    Sex,
)
from oas.people.national_id import individual_range, make_national_id

BATCH = 2000
STRENGT_FORTROLIG_POSTAL_ADDRESS = "Postboks 8140 Dep, 0033 OSLO"
DEPARTMENT_NAMES = [
    "Maurtua",
    "Blåklokka",
    "Solsikken",
    "Ekornet",
    "Humla",
    "Marihøna",
    "Bjørnebo",
    "Tyttebær",
    "Revehiet",
    "Spurven",
    "Trollskogen",
    "Kongla",
    "Løvetann",
    "Ugla",
]
ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "é": "e", " ": "-", "'": ""})
SECTOR_OFFICE_ORGNR = "964950768"


@dataclass
class _Child:
    muni: str
    birth: dt.date
    service: str
    unit: OrgUnit
    group: OrgUnit
    start: dt.date
    sfo: tuple[OrgUnit, OrgUnit, dt.date] | None = None
    skolekrets: int | None = None


@dataclass
class _UnitInfo:
    unit: OrgUnit
    muni: str
    children: int = 0
    groups: list[OrgUnit] = field(default_factory=list)
    small_groups: int = 0  # kindergartens: departments for children under 3 come first
    teacher_slice: tuple[int, int] = (0, 0)  # schools: which generated employees teach here


def _orgnr_check(base: str) -> int | None:
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    remainder = sum(w * int(d) for w, d in zip(weights, base, strict=True)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return None if check == 10 else check


class BuilderBase:
    """State and small generators shared by the parts of the demo builder."""

    def __init__(self, *, seed: int, size: SeedSize):
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not security
        self.fake = Faker("no_NO")  # Faker's bokmål locale
        self.fake.seed_instance(seed)
        self.size = size
        self.today = clock.today()
        self.year = self.today.year if self.today.month >= 8 else self.today.year - 1  # school year start
        self.school_start = dt.date(self.year, 8, 15)
        self.used_ids: set[str] = {p.national_id for p in PERSONAS}  # includes "ukjent": never generated
        self.next_individual: dict[dt.date, int] = {}
        self.used_orgnr: set[str] = {SECTOR_OFFICE_ORGNR}
        self.address_seq = 0
        self.emails: set[str] = {p.email for p in PERSONAS if p.email}
        self.persons: list[Person] = []
        self.relations: list[PersonRelation] = []
        self.delt_bosted: list[DeltBosted] = []
        self.placements: list[Placement] = []
        self.employees: list[Employee] = []
        self.employments: list[Employment] = []
        self.assignments: list[GroupAssignment] = []
        self.munis: dict[str, Municipality] = {}
        self.schools: list[_UnitInfo] = []
        self.sfos: dict[int, _UnitInfo] = {}  # school pk -> SFO
        self.kindergartens: list[_UnitInfo] = []
        self.units_by_code: dict[str, OrgUnit] = {}
        self.unit_count = 0
        self.pending_groups: list[OrgUnit] = []
        self.pupils: list[_Child] = []
        self.kg_children: list[_Child] = []

    # --- small generators --------------------------------------------------------------------------
    def national_id(self, birth: dt.date) -> str:
        allowed = individual_range(birth.year)
        individual = self.next_individual.get(birth, allowed.start)
        while individual < allowed.stop:
            value = make_national_id(birth, individual)
            individual += 1
            if value and value not in self.used_ids:
                self.next_individual[birth] = individual
                self.used_ids.add(value)
                return value
        raise RuntimeError(f"no synthetic national id left for {birth}")

    def birth_in_year(self, year: int, *, last_month: int = 12) -> dt.date:
        start = dt.date(year, 1, 1)
        end = dt.date(year, last_month, 28 if last_month == 2 else 30 if last_month in (4, 6, 9, 11) else 31)
        return start + dt.timedelta(days=self.rng.randint(0, (end - start).days))

    def orgnr(self) -> str:
        while True:
            base = self.rng.choice("89") + f"{self.rng.randint(0, 9_999_999):07d}"
            check = _orgnr_check(base)
            if check is not None and base + str(check) not in self.used_orgnr:
                self.used_orgnr.add(base + str(check))
                return base + str(check)

    def address(self, muni: str, *, skolekrets: int | None = None) -> dict[str, Any]:
        self.address_seq += 1
        postal_code, postal_place = self.rng.choice(POSTAL[muni])
        letter = self.rng.choice(["", "", "", "", "A", "B"])
        street = f"{self.fake.street_name()} {self.rng.randint(1, 140)}{letter}"
        area = {"0231": 10, "0226": 40, "0227": 70}[muni] + self.rng.randint(0, 29)
        return {
            "street_address": street,
            "unit_number": self.rng.choice(["", "", "H0101", "H0201", "H0102"]),
            "postal_code": postal_code,
            "postal_place": postal_place,
            "municipality_number": LILLESTROM[0],
            "grunnkrets": int(f"3030{area:02d}{self.rng.randint(1, 12):02d}"),
            "skolekrets": skolekrets,
            "address_id": f"3030-{self.address_seq:07d}",
        }

    def phone(self) -> str:
        return f"+47 {self.rng.choice('49')}{self.rng.randint(0, 9_999_999):07d}"

    def person(
        self,
        *,
        birth: dt.date,
        sex: str,
        last_name: str,
        address: dict[str, Any] | None,
        protection: str = Adressebeskyttelse.UGRADERT,
        first_name: str | None = None,
        national_id: str | None = None,
        adult: bool = True,
    ) -> Person:
        if first_name is None:
            first_name = self.fake.first_name_female() if sex == Sex.KVINNE else self.fake.first_name_male()
        person = Person(
            national_id=national_id or self.national_id(birth),
            first_name=first_name,
            last_name=last_name,
            birth_date=birth,
            sex=sex,
            adressebeskyttelse=protection,
        )
        if protection == Adressebeskyttelse.STRENGT_FORTROLIG:
            # FREG gives no residential address for strengt fortrolig; only the administered postal address.
            person.postal_address = STRENGT_FORTROLIG_POSTAL_ADDRESS
        elif address:
            for key, value in address.items():
                setattr(person, key, value)
        if adult:
            person.phone = self.phone()
            local = f"{first_name}.{last_name}".lower().translate(ASCII)
            person.email = f"{local}{self.rng.randint(1, 99)}@example.com"
        self.persons.append(person)
        return person

    def relate(
        self,
        adult: Person,
        child: Person,
        kind: str,
        *,
        foreldreansvar: str = "",
        parent_role: str = "",
        lives_with: bool = True,
        source: str = RelationSource.FREG,
        valid_from: dt.date | None = None,
    ) -> None:
        assert child.birth_date is not None
        self.relations.append(
            PersonRelation(
                adult=adult,
                child=child,
                kind=kind,
                foreldreansvar=foreldreansvar,
                parent_role=parent_role,
                lives_with_child=lives_with,
                # For a strengt fortrolig child only the office's confirmation says who the child lives with.
                lives_with_child_confirmed_at=(
                    clock.now()
                    if lives_with and child.adressebeskyttelse == Adressebeskyttelse.STRENGT_FORTROLIG
                    else None
                ),
                source=source,
                valid_from=valid_from or child.birth_date,
            )
        )

    def _pickup(self, muni: str, children: list[Person], eldest: dt.date) -> None:
        grandparent = self.person(
            birth=self.birth_in_year(eldest.year - self.rng.randint(50, 68)),
            sex=self.rng.choice([Sex.KVINNE, Sex.MANN]),
            last_name=self.fake.last_name(),
            address=self.address(muni),
        )
        for child in children:
            self.relate(
                grandparent,
                child,
                RelationKind.PICKUP,
                lives_with=False,
                source=RelationSource.MANUAL,
                valid_from=max(child.birth_date or self.today, dt.date(self.year, 8, 1)),
            )

    def _delt_bosted(self, child: Person, address: dict[str, Any]) -> None:
        assert child.birth_date is not None
        self.delt_bosted.append(
            DeltBosted(
                child=child,
                street_address=address["street_address"],
                unit_number=address["unit_number"],
                postal_code=address["postal_code"],
                postal_place=address["postal_place"],
                address_id=address["address_id"],
                valid_from=min(child.birth_date + dt.timedelta(days=self.rng.randint(300, 1800)), self.today),
            )
        )

    def _place(self, child: Person, record: _Child) -> None:
        self.placements.append(
            Placement(
                child=child, service=record.service, unit=record.unit, group=record.group, start_date=record.start
            )
        )
        if record.sfo:
            unit, group, start = record.sfo
            self.placements.append(
                Placement(child=child, service=Service.SFO, unit=unit, group=group, start_date=start)
            )

    # --- demo personas ----------------------------------------------------------------------------
    def first_group(self, unit_code: str) -> OrgUnit:
        """The unit's first class or department (lowest code), where personas get their group role."""
        unit = self.units_by_code[unit_code]
        groups = sorted(
            (u for u in self.units_by_code.values() if u.parent_id == unit.pk and u.kind != OrgUnitKind.SFO),
            key=lambda u: u.code,
        )
        return groups[0]

    def _level(self, info: _UnitInfo) -> SchoolLevel:
        unit = info.unit
        if unit.ownership == Ownership.PRIVATE:
            return SchoolLevel.PRIVATE
        if unit.school_type == SchoolType.SPECIAL:
            return SchoolLevel.SPECIAL
        if unit.first_grade == 8:
            return SchoolLevel.UNGDOM
        return SchoolLevel.KOMBINERT if unit.last_grade == 10 else SchoolLevel.BARNE
