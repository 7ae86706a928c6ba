"""A small municipality for attendance: a kindergarten with two departments, a school with 1A and an SFO."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from oas.access.services import role_mapping_seed
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Foreldreansvar, Person, RelationKind, Service
from tests import factories as f


@dataclass
class Town:
    units: dict[str, OrgUnit] = field(default_factory=dict)
    children: dict[str, Person] = field(default_factory=dict)
    adults: dict[str, Person] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)


def _staff(town: Town, persona: str, position: str, unit: str, *, group: str = "", role: str = "group_staff") -> None:
    employee: Any = f.EmployeeFactory()
    f.EmploymentFactory(employee=employee, unit=town.units[unit], position_code=position)
    if group:
        f.GroupAssignmentFactory(employee=employee, group=town.units[group], role=role)
    town.users[persona] = f.staff_account(employee).user


@pytest.fixture
def town(db: None, frozen_today: dt.date) -> Town:
    role_mapping_seed()
    t = Town()
    office = f.sector_office()
    t.units["office"] = office
    t.units["K1"] = f.kindergarten(parent=office, name="Solsikken barnehage")
    t.units["D1"] = f.child_unit(parent=t.units["K1"], kind=OrgUnitKind.DEPARTMENT, name="Blåbær")
    t.units["D2"] = f.child_unit(parent=t.units["K1"], kind=OrgUnitKind.DEPARTMENT, name="Tyttebær")
    t.units["K2"] = f.kindergarten(parent=office, name="Annen barnehage")
    t.units["S1"] = f.school(parent=office, name="Demo skole")
    t.units["1A"] = f.child_unit(parent=t.units["S1"], kind=OrgUnitKind.CLASS, name="1A", grade=1)
    t.units["SFO1"] = f.child_unit(parent=t.units["S1"], kind=OrgUnitKind.SFO, name="Demo SFO")

    _staff(t, "leader", "STYRER", "K1")
    _staff(t, "dept_staff", "PED_LEDER", "K1", group="D1")
    _staff(t, "other_unit_staff", "ASSISTENT", "K2")
    _staff(t, "contact_teacher", "LAERER", "S1", group="1A", role="contact_teacher")
    _staff(t, "sfo_staff", "ASSISTENT", "SFO1")
    _staff(t, "advisor", "RADGIVER", "office")

    start = dt.date(2024, 8, 1)
    small: Any = f.ChildFactory(birth_date=dt.date(2024, 9, 1), first_name="Lita")  # under 3 on 2026-11-19
    big: Any = f.ChildFactory(birth_date=dt.date(2022, 3, 1), first_name="Stor")
    pupil: Any = f.ChildFactory(birth_date=dt.date(2019, 5, 1), first_name="Elev")
    other: Any = f.ChildFactory(birth_date=dt.date(2021, 6, 1), first_name="Annen")
    t.children.update(small=small, big=big, pupil=pupil, other=other)
    f.PlacementFactory(
        child=small, unit=t.units["K1"], group=t.units["D1"], service=Service.KINDERGARTEN, start_date=start
    )
    f.PlacementFactory(
        child=big, unit=t.units["K1"], group=t.units["D1"], service=Service.KINDERGARTEN, start_date=start
    )
    f.PlacementFactory(child=pupil, unit=t.units["S1"], group=t.units["1A"], service=Service.SCHOOL, start_date=start)
    f.PlacementFactory(child=pupil, unit=t.units["SFO1"], service=Service.SFO, start_date=start)
    f.PlacementFactory(child=other, unit=t.units["K2"], service=Service.KINDERGARTEN, start_date=start)

    guardian: Any = f.PersonFactory(email="forelder@example.test")
    no_resp: Any = f.PersonFactory()
    outsider: Any = f.PersonFactory()
    pickup: Any = f.PersonFactory(first_name="Bestemor")
    t.adults.update(guardian=guardian, no_resp=no_resp, outsider=outsider, pickup=pickup)
    for child in (small, big, pupil):
        f.RelationFactory(adult=guardian, child=child, kind=RelationKind.GUARDIAN, foreldreansvar=Foreldreansvar.FELLES)
    f.RelationFactory(adult=no_resp, child=pupil, kind=RelationKind.PARENT, foreldreansvar="", lives_with_child=False)
    f.RelationFactory(adult=pickup, child=big, kind=RelationKind.PICKUP, foreldreansvar="", lives_with_child=False)
    t.users["guardian"] = f.guardian_account(guardian).user
    t.users["no_resp"] = f.guardian_account(no_resp).user
    t.users["outsider"] = f.guardian_account(outsider).user
    return t
