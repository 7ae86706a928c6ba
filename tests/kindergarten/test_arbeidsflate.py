"""Arbeidsflate tasks from admission: shown to the sector office, not to staff elsewhere."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest

from kindergarten import services
from kindergarten.models import GroundKind
from oas.arbeidsflate.registry import registry
from oas.people.models import Employee
from tests.factories import EmployeeFactory, EmploymentFactory, kindergarten, sector_office, staff_account
from tests.kindergarten.factories import PDF, admission_round, family

pytestmark = pytest.mark.django_db


def _tasks(user: object) -> dict[str, int]:
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
