"""Arbeidsflate tasks from admission: shown to the sector office, not to staff elsewhere."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest

from kindergarten import services
from kindergarten.models import GroundKind, Offer
from oas import clock
from oas.access.services import role_mapping_seed
from oas.arbeidsflate.registry import registry
from oas.people.models import Employee
from tests.factories import EmployeeFactory, EmploymentFactory, kindergarten, sector_office, staff_account
from tests.kindergarten.factories import PDF, admission_round, family

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles() -> None:
    role_mapping_seed()  # roles come from RoleMapping (OPPTAK → sector admission, STYRER → unit leader)


def _tasks(user: Any) -> dict[str, int]:
    return {t.key: t.count for t in registry.tasks_for(user=user) if t.module == "kindergarten"}


def test_the_sector_office_sees_applications_whose_documentation_must_be_checked(application_day) -> None:
    rnd, units = admission_round(units=1)
    fam = family(birth_date=dt.date(2023, 2, 2))
    services.application_submit(
        admission_round=rnd,
        child=fam.child,
        applicant=fam.guardian,
        choices=units,
        wanted_start_date=dt.date(2027, 8, 1),
        grounds=[
            services.GroundIn(
                GroundKind.CHILD_WELFARE, attachments=[services.AttachmentIn("v.pdf", "application/pdf", PDF)]
            )
        ],
    )
    office_employee = cast(Employee, EmployeeFactory())
    EmploymentFactory(employee=office_employee, unit=units[0].parent, position_code="OPPTAK")
    assert _tasks(staff_account(office_employee).user)["kindergarten.applications_to_check"] == 1


def test_staff_of_a_kindergarten_do_not_see_the_sector_office_admission_tasks(application_day) -> None:
    rnd, units = admission_round(units=1)
    fam = family(birth_date=dt.date(2023, 2, 2))
    services.application_submit(
        admission_round=rnd,
        child=fam.child,
        applicant=fam.guardian,
        choices=units,
        wanted_start_date=dt.date(2027, 8, 1),
        grounds=[services.GroundIn(GroundKind.CHILD_WELFARE)],
    )
    teacher = cast(Employee, EmployeeFactory())
    EmploymentFactory(employee=teacher, unit=kindergarten(parent=sector_office()), position_code="BHG_LAERER")
    assert "kindergarten.applications_to_check" not in _tasks(staff_account(teacher).user)


def _published_and_accepted(units, fam):
    rnd = units[0].admission_programmes.first().round
    services.application_submit(
        admission_round=rnd,
        child=fam.child,
        applicant=fam.guardian,
        choices=units,
        wanted_start_date=dt.date(2027, 8, 1),
    )
    services.admission_round_set_state(admission_round=rnd, state="closed")
    services.admission_round_match(admission_round=rnd)
    services.admission_round_publish(admission_round=rnd)
    offer = Offer.objects.get(application__child=fam.child)
    services.offer_accept(offer=offer, guardian=fam.guardian)
    return offer


def test_the_leader_of_the_kindergarten_sees_new_children_starting_and_another_leader_does_not(application_day) -> None:
    _rnd, units = admission_round(units=2)
    fam = family(birth_date=dt.date(2023, 2, 2))
    offer = _published_and_accepted(units, fam)
    leader, other = cast(Employee, EmployeeFactory()), cast(Employee, EmployeeFactory())
    EmploymentFactory(employee=leader, unit=offer.programme.unit, position_code="STYRER")
    EmploymentFactory(employee=other, unit=next(u for u in units if u != offer.programme.unit), position_code="STYRER")
    with clock.freeze(dt.date(2027, 7, 15)):
        assert _tasks(staff_account(leader).user)["kindergarten.children_starting"] == 1
        assert "kindergarten.children_starting" not in _tasks(staff_account(other).user)


def test_the_sector_office_sees_appeals_to_decide_and_a_teacher_does_not(application_day) -> None:
    _rnd, units = admission_round(units=1)
    fam = family(birth_date=dt.date(2023, 2, 2))
    offer = _published_and_accepted(units, fam)
    services.appeal_register(application=offer.application, reason="Vi ønsket en annen barnehage.")
    office_employee, teacher = cast(Employee, EmployeeFactory()), cast(Employee, EmployeeFactory())
    EmploymentFactory(employee=office_employee, unit=units[0].parent, position_code="OPPTAK")
    EmploymentFactory(employee=teacher, unit=units[0], position_code="BHG_LAERER")
    assert _tasks(staff_account(office_employee).user)["kindergarten.appeals"] == 1
    assert "kindergarten.appeals" not in _tasks(staff_account(teacher).user)
