"""The demo municipality with ``seed_school_demo`` on top, and the upper grades of its ungdomsskole.

Demo skole (the personas' school) is a barneskole, 1st–7th grade: grades and final grades are tried at Fetsund
ungdomsskole (8th–10th grade) with its seeded teachers, a principal made here, and a guardian of a 10th-grader.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

import pytest
from django.test import Client

from oas.access.relations import ChildRight, child_adult_ids
from oas.access.services import roles_recompute_for_employees
from oas.identity.models import Account
from oas.organisation.models import OrgUnit
from oas.people.models import Employee, GroupAssignment, Person, Placement, Service
from tests import factories as f
from tests.school.conftest import SchoolDemo, login, persona_user, school_demo

__all__ = ["SchoolDemo", "Upper", "login", "persona_user", "school_demo", "upper"]

UPPER_SCHOOL_CODE = "3030-SKOLE-03"


def staff_client(employee: Employee) -> Client:
    """A client logged in as the employee (a staff account made on first use)."""
    account = Account.objects.filter(employee=employee).first() or f.staff_account(employee)
    client = Client()
    client.force_login(account.user)
    return client


def guardian_client(person: Person) -> Client:
    account = Account.objects.filter(person=person, kind="guardian").first() or f.guardian_account(person)
    client = Client()
    client.force_login(account.user)
    return client


@dataclass
class Upper:
    school: OrgUnit
    class_8a: OrgUnit
    class_10a: OrgUnit
    math_8a: OrgUnit
    math_10a: OrgUnit
    pupil_8: Person
    pupil_10: Person
    guardian_10: Person
    teacher_10: Client  # group staff of 10A matematikk
    contact_8a: Client  # contact teacher of 8A
    principal: Client  # rektor of the ungdomsskole
    parent_10: Client  # a guardian with foreldreansvar of pupil_10


def _pupil(klass: OrgUnit) -> Person:
    return Person.objects.filter(
        pk__in=Placement.objects.filter(service=Service.SCHOOL, group=klass).values("child_id")
    ).order_by("pk")[0]


@pytest.fixture
def upper(school_demo: SchoolDemo, frozen_today: dt.date) -> Upper:
    school = OrgUnit.objects.get(code=UPPER_SCHOOL_CODE)
    class_8a = OrgUnit.objects.get(code=f"{UPPER_SCHOOL_CODE}-08A")
    class_10a = OrgUnit.objects.get(code=f"{UPPER_SCHOOL_CODE}-10A")
    math_8a = OrgUnit.objects.get(code=f"{UPPER_SCHOOL_CODE}-UG2026-08A-MAT")
    math_10a = OrgUnit.objects.get(code=f"{UPPER_SCHOOL_CODE}-UG2026-10A-MAT")
    teacher = GroupAssignment.objects.get(group=math_10a).employee
    contact = GroupAssignment.objects.get(group=class_8a, role="contact_teacher").employee
    rektor = cast(Employee, f.EmploymentFactory(unit=school, position_code="REKTOR").employee)
    roles_recompute_for_employees(employee_ids=[rektor.pk])
    pupil_10 = _pupil(class_10a)
    guardian = Person.objects.get(
        pk=child_adult_ids(child_ids=[pupil_10.pk], right=ChildRight.INFORMATION, on=frozen_today)[pupil_10.pk][0]
    )
    return Upper(
        school=school,
        class_8a=class_8a,
        class_10a=class_10a,
        math_8a=math_8a,
        math_10a=math_10a,
        pupil_8=_pupil(class_8a),
        pupil_10=pupil_10,
        guardian_10=guardian,
        teacher_10=staff_client(teacher),
        contact_8a=staff_client(contact),
        principal=staff_client(rektor),
        parent_10=guardian_client(guardian),
    )
