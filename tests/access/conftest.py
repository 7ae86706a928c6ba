"""A small municipality with one persona per role (house style rule 11)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import AbstractBaseUser

from oas.access.services import grant_create, role_mapping_seed, roles_recompute_for_employees
from oas.identity.models import Account
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import (
    Adressebeskyttelse,
    Employment,
    Foreldreansvar,
    GroupAssignment,
    Person,
    RelationKind,
    Service,
)
from tests import factories as f


@dataclass
class World:
    units: dict[str, OrgUnit] = field(default_factory=dict)
    children: dict[str, Person] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)

    def user(self, persona: str) -> AbstractBaseUser:
        return self.accounts[persona].user

    def target(self, key: str | None) -> Any:
        if key is None:
            return None
        return self.children.get(key) or self.units.get(key) or self.accounts[key].person


def _staff(
    world: World,
    persona: str,
    position: str,
    unit: str,
    *,
    group: str = "",
    group_role: str = "",
    recompute: bool = True,
) -> None:
    """One employee with an employment (and a group assignment), and a staff account, with their roles.

    ``bulk_create`` sends no signals, so the roles are not recomputed per row (twice for a group member). A test
    adding a person gets the roles at once; the fixture passes ``recompute=False`` and recomputes them once for all
    staff (``roles_recompute_for_employees``), as an import does.
    """
    employee: Any = f.EmployeeFactory()
    Employment.objects.bulk_create(
        [f.EmploymentFactory.build(employee=employee, unit=world.units[unit], position_code=position)]
    )
    if group:
        GroupAssignment.objects.bulk_create(
            [f.GroupAssignmentFactory.build(employee=employee, group=world.units[group], role=group_role)]
        )
    world.accounts[persona] = f.staff_account(employee)
    if recompute:
        roles_recompute_for_employees(employee_ids=[employee.pk])


def _protected_person(**kwargs: Any) -> Any:
    return f.PersonFactory(
        adressebeskyttelse=Adressebeskyttelse.STRENGT_FORTROLIG,
        street_address="",
        postal_code="",
        postal_place="",
        grunnkrets=None,
        skolekrets=None,
        **kwargs,
    )


@pytest.fixture
def world(db: None, frozen_today: dt.date) -> World:
    role_mapping_seed()
    w = World()
    office = f.sector_office()
    w.units["office"] = office
    w.units["S1"] = f.school(parent=office, name="Demo skole", street_address="Skoleveien 1", postal_code="2000")
    w.units["1A"] = f.child_unit(parent=w.units["S1"], kind=OrgUnitKind.CLASS, name="1A", grade=1)
    w.units["SFO1"] = f.child_unit(parent=w.units["S1"], kind=OrgUnitKind.SFO, name="Demo SFO")
    w.units["K1"] = f.kindergarten(parent=office, name="Demo barnehage")
    w.units["D1"] = f.child_unit(parent=w.units["K1"], kind=OrgUnitKind.DEPARTMENT, name="Blåbær")
    w.units["S2"] = f.school(parent=office, name="Annen skole")
    w.units["K2"] = f.kindergarten(parent=office, name="Annen barnehage")

    _staff(w, "sysadmin", "SYSADM", "office", recompute=False)
    _staff(w, "sector_admin", "OPPTAK", "office", recompute=False)
    _staff(w, "finance", "FAKTURA", "office", recompute=False)
    _staff(w, "advisor", "RADGIVER", "office", recompute=False)
    _staff(w, "report_viewer", "RAPPORT", "office", recompute=False)
    _staff(w, "kindergarten_leader", "STYRER", "K1", recompute=False)
    _staff(w, "kindergarten_staff", "PED_LEDER", "K1", group="D1", group_role="group_staff", recompute=False)
    _staff(w, "other_unit_staff", "ASSISTENT", "K2", recompute=False)
    _staff(w, "principal", "REKTOR", "S1", recompute=False)
    _staff(w, "teacher", "LAERER", "S1", recompute=False)
    _staff(w, "contact_teacher", "LAERER", "S1", group="1A", group_role="contact_teacher", recompute=False)
    _staff(w, "special_ed", "SPESPED", "S1", recompute=False)
    _staff(w, "other_teacher", "LAERER", "S2", recompute=False)
    _staff(w, "substitute_valid_grant", "ASSISTENT", "K2", recompute=False)
    _staff(w, "substitute_expired_grant", "ASSISTENT", "K2", recompute=False)
    # Once for all staff (the accounts exist now, so the system administrator's admin flags are synced too).
    roles_recompute_for_employees(employee_ids=[a.employee_id for a in w.accounts.values() if a.employee_id])

    # Fixed, distinct names: tests assert that one child's name is absent from another's page.
    kid_bhg: Any = f.ChildFactory(birth_date=dt.date(2022, 3, 1), first_name="Kaia", last_name="Barnehagesen")
    kid_school: Any = f.ChildFactory(birth_date=dt.date(2019, 5, 1), first_name="Sindre", last_name="Skolesen")
    kid_other: Any = f.ChildFactory(birth_date=dt.date(2021, 6, 1), first_name="Oda", last_name="Annenbysen")
    kid_protected = _protected_person(birth_date=dt.date(2019, 8, 1), first_name="Vilde", last_name="Vernesen")
    kid_fortrolig: Any = f.ChildFactory(
        birth_date=dt.date(2019, 9, 1),
        adressebeskyttelse=Adressebeskyttelse.FORTROLIG,
        first_name="Fia",
        last_name="Fortroligsen",
    )
    w.children.update(
        kid_bhg=kid_bhg,
        kid_school=kid_school,
        kid_other=kid_other,
        kid_protected=kid_protected,
        kid_fortrolig=kid_fortrolig,
    )
    start = dt.date(2024, 8, 1)
    f.PlacementFactory(
        child=kid_bhg, unit=w.units["K1"], group=w.units["D1"], service=Service.KINDERGARTEN, start_date=start
    )
    f.PlacementFactory(
        child=kid_school, unit=w.units["S1"], group=w.units["1A"], service=Service.SCHOOL, start_date=start
    )
    f.PlacementFactory(child=kid_school, unit=w.units["SFO1"], service=Service.SFO, start_date=start)
    f.PlacementFactory(child=kid_other, unit=w.units["K2"], service=Service.KINDERGARTEN, start_date=start)
    f.PlacementFactory(
        child=kid_protected, unit=w.units["S1"], group=w.units["1A"], service=Service.SCHOOL, start_date=start
    )
    f.PlacementFactory(child=kid_fortrolig, unit=w.units["S2"], service=Service.SCHOOL, start_date=start)

    def adult(persona: str, person: Any = None) -> Any:
        person = person or f.PersonFactory()
        w.accounts[persona] = f.guardian_account(person)
        return person

    guardian = adult("guardian")
    no_resp = adult("parent_without_responsibility")
    foster = adult("foster_parent")
    pickup = adult("pickup_person")
    adult("outsider")
    protected_guardian = adult("protected_guardian", _protected_person())
    other_guardian = adult("other_guardian")
    g = RelationKind.GUARDIAN
    f.RelationFactory(adult=guardian, child=kid_bhg, kind=g, foreldreansvar=Foreldreansvar.FELLES)
    f.RelationFactory(adult=guardian, child=kid_school, kind=g, foreldreansvar=Foreldreansvar.FELLES)
    f.RelationFactory(adult=no_resp, child=kid_bhg, kind=RelationKind.PARENT, foreldreansvar="", lives_with_child=False)
    f.RelationFactory(adult=foster, child=kid_other, kind=RelationKind.FOSTER_PARENT, foreldreansvar="")
    f.RelationFactory(adult=pickup, child=kid_bhg, kind=RelationKind.PICKUP, foreldreansvar="", lives_with_child=False)
    f.RelationFactory(adult=protected_guardian, child=kid_protected, kind=g, foreldreansvar=Foreldreansvar.FELLES)
    f.RelationFactory(
        adult=other_guardian, child=kid_protected, kind=g, foreldreansvar=Foreldreansvar.FELLES, lives_with_child=False
    )
    today = frozen_today
    grant_create(
        user_id=w.user("substitute_valid_grant").pk,
        action="child.read",
        unit=w.units["1A"],
        valid_from=today - dt.timedelta(days=3),
        valid_to=today + dt.timedelta(days=7),
        reason="Vikar i 1A",
    )
    grant_create(
        user_id=w.user("substitute_expired_grant").pk,
        action="child.read",
        unit=w.units["1A"],
        valid_from=today - dt.timedelta(days=30),
        valid_to=today - dt.timedelta(days=1),
        reason="Vikar i 1A forrige måned",
    )
    return w
