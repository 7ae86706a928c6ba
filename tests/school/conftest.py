"""The demo municipality with ``seed_school_demo`` on top, and the demo personas logged in."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from oas.demo_personas import DEMO_SCHOOL_CODE, OTHER_SCHOOL_CODE, PERSONAS
from oas.identity.models import Account
from oas.organisation.models import OrgUnit
from oas.people.models import Employee, Person, Placement, Service
from tests import factories as f


@dataclass
class SchoolDemo:
    school: OrgUnit
    other_school: OrgUnit
    class_1a: OrgUnit
    english_1: OrgUnit  # 1. trinn engelsk, taught by the persona "laerer"
    child_1a: Person  # the persona "foresatt"'s pupil in 1A
    clients: dict[str, Client] = field(default_factory=dict)


def _persona(key: str) -> Any:
    return next(p for p in PERSONAS if p.key == key)


def persona_user(key: str) -> Any:
    """The Django user of the demo persona ``key`` (staff or guardian), created on first use."""
    persona = _persona(key)
    if persona.kind == "staff":
        employee = Employee.objects.get(employee_number=persona.employee_number)
        account = Account.objects.filter(employee=employee).first() or f.staff_account(employee)
    else:
        person = Person.objects.get(national_id=persona.national_id)
        account = Account.objects.filter(person=person, kind="guardian").first() or f.guardian_account(person)
    return account.user


def login(key: str) -> Client:
    """A client logged in as the demo persona ``key`` (staff or guardian)."""
    client = Client()
    client.force_login(persona_user(key))
    return client


@pytest.fixture
def school_demo(frozen_today: dt.date, demo_municipality: object) -> SchoolDemo:
    call_command("seed_school_demo", stdout=io.StringIO())
    school = OrgUnit.objects.get(code=DEMO_SCHOOL_CODE)
    class_1a = OrgUnit.objects.get(code=f"{DEMO_SCHOOL_CODE}-01A")
    guardian = Person.objects.get(national_id=_persona("foresatt").national_id)
    child = Person.objects.get(
        pk__in=Placement.objects.filter(service=Service.SCHOOL, group=class_1a).values("child_id"),
        relations_as_child__adult=guardian,
    )
    return SchoolDemo(
        school=school,
        other_school=OrgUnit.objects.get(code=OTHER_SCHOOL_CODE),
        class_1a=class_1a,
        english_1=OrgUnit.objects.get(code=f"{DEMO_SCHOOL_CODE}-UG2026-1-ENG"),
        child_1a=child,
    )
