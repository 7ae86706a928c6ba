"""The admin shows and finds people by name: grants choose person, user and unit by autocomplete, the audit
search takes a name or a fødselsnummer and lists names instead of person ids."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from oas.audit.services import audit_read
from oas.demo_personas import PERSONAS_BY_KEY
from oas.people.models import Person
from tests.personas import persona_user

pytestmark = pytest.mark.django_db


def _admin() -> Client:
    client = Client()
    client.force_login(persona_user("sysadmin"))
    return client


def test_grant_form_chooses_people_and_units_by_autocomplete(demo_municipality: Any) -> None:
    client = _admin()
    page = client.get("/admin/access/accessgrant/add/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("admin-autocomplete") >= 3
    guardian = Person.objects.get(national_id=PERSONAS_BY_KEY["foresatt"].national_id)
    base = "/admin/autocomplete/?app_label=access&model_name=accessgrant&field_name="
    by_name = client.get(f"{base}person&term={guardian.first_name} {guardian.last_name}").json()
    assert guardian.full_name in [r["text"] for r in by_name["results"]]
    by_number = client.get(f"{base}person&term={guardian.national_id}").json()
    assert [r["text"] for r in by_number["results"]] == [guardian.full_name]
    units = client.get(f"{base}unit&term=Demo barnehage").json()
    assert any("Demo barnehage" in r["text"] for r in units["results"])


def test_the_grant_list_shows_names(demo_municipality: Any) -> None:
    from oas.access.services import grant_create

    guardian = Person.objects.get(national_id=PERSONAS_BY_KEY["foresatt"].national_id)
    teacher = persona_user("laerer")
    grant_create(
        user_id=teacher.pk,
        action="child.read",
        person=guardian,
        valid_to=dt.date(2027, 6, 30),
        reason="Test",
        granted_by="test",
    )
    html = _admin().get("/admin/access/accessgrant/").content.decode()
    assert guardian.full_name in html
    assert "Lars Lærersen" in html or teacher.get_username() in html


def test_audit_search_by_name_and_national_id_shows_names(demo_municipality: Any) -> None:
    guardian = Person.objects.get(national_id=PERSONAS_BY_KEY["foresatt"].national_id)
    other = Person.objects.exclude(pk=guardian.pk).exclude(last_name=guardian.last_name).first()
    assert other is not None
    audit_read(event="test.read_guardian", person_ids=[guardian.pk])
    audit_read(event="test.read_other", person_ids=[other.pk])
    client = _admin()
    by_name = client.get("/admin/audit/auditevent/", {"q": str(guardian.full_name)}).content.decode()
    assert 'field-event">test.read_guardian' in by_name
    assert 'field-event">test.read_other' not in by_name
    assert guardian.full_name in by_name
    by_number = client.get("/admin/audit/auditevent/", {"q": str(guardian.national_id)}).content.decode()
    assert 'field-event">test.read_guardian' in by_number
    assert 'field-event">test.read_other' not in by_number


def test_people_outside_the_admin_cannot_use_the_pickers(demo_municipality: Any) -> None:
    client = Client()
    client.force_login(persona_user("laerer"))
    url = "/admin/autocomplete/?app_label=access&model_name=accessgrant&field_name=person&term=a"
    assert client.get(url).status_code == 302  # to the admin login
    assert client.get("/admin/audit/auditevent/").status_code == 302


def test_the_user_picker_shows_the_persons_name_and_employee_number(demo_municipality: Any) -> None:
    teacher = persona_user("laerer")  # a staff user: username staff-<employee number>
    employee = teacher.account.employee
    assert employee is not None and teacher.get_username() not in (teacher.first_name, teacher.last_name)
    client = _admin()
    base = "/admin/autocomplete/?app_label=access&model_name=accessgrant&field_name=user"
    by_name = client.get(f"{base}&term={teacher.first_name} {teacher.last_name}")
    assert by_name.status_code == 200
    texts = [r["text"] for r in by_name.json()["results"]]
    shown = f"{teacher.first_name} {teacher.last_name} (ansattnr. {employee.employee_number})"
    assert shown in texts
    assert teacher.get_username() not in texts
    by_number = client.get(f"{base}&term={employee.person.national_id}").json()
    assert [r["text"] for r in by_number["results"]] == [shown]


def test_the_grant_form_speaks_norwegian(demo_municipality: Any) -> None:
    html = _admin().get("/admin/access/accessgrant/add/").content.decode()
    for label in ("Bruker", "Handling", "Barn/person", "Enhet"):
        assert f">{label}:</label>" in html
    for english in (">User:<", ">Action:<", ">Person:<", ">Unit:<"):
        assert english not in html


def test_staff_without_the_admin_role_may_not_search_users(demo_municipality: Any) -> None:
    user = persona_user("laerer")
    user.is_staff = True  # into the admin, but no system administrator role and no model permissions
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    url = f"/admin/autocomplete/?app_label=access&model_name=accessgrant&field_name=user&term={user.last_name}"
    assert client.get(url).status_code == 403
