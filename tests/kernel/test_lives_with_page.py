"""The office's page for confirming who a strengt fortrolig child lives with: allowed, denied, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from oas.audit.models import AuditEvent
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Adressebeskyttelse, Foreldreansvar, PersonRelation
from tests import factories as f

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _staff(unit: OrgUnit, position: str) -> Any:
    # The demo municipality's employees use E000001…; pick numbers of our own.
    employee: Any = f.EmployeeFactory(employee_number=f"T-{position}-{unit.pk}")
    f.EmploymentFactory(employee=employee, unit=unit, position_code=position)
    return f.staff_account(employee).user


@pytest.fixture
def family(demo_municipality):
    child = f.ChildFactory(
        adressebeskyttelse=Adressebeskyttelse.STRENGT_FORTROLIG,
        street_address="",
        postal_code="",
        postal_place="",
        grunnkrets=None,
        skolekrets=None,
    )
    mother, father = f.PersonFactory(), f.PersonFactory()
    for adult in (mother, father):
        f.RelationFactory(adult=adult, child=child, foreldreansvar=Foreldreansvar.FELLES, lives_with_child=False)
    office = OrgUnit.objects.filter(kind=OrgUnitKind.SECTOR_OFFICE, municipality=demo_municipality).first()
    kindergarten = OrgUnit.objects.filter(kind=OrgUnitKind.KINDERGARTEN, municipality=demo_municipality).first()
    return {"child": child, "mother": mother, "father": father, "office": office, "kindergarten": kindergarten}


def _url(child: Any) -> str:
    return reverse("people:child_lives_with", kwargs={"child_id": child.pk})


def _flags(child: Any) -> dict[int, bool]:
    return dict(PersonRelation.objects.filter(child=child).values_list("adult_id", "lives_with_child"))


def test_admission_office_confirms_who_a_strengt_fortrolig_child_lives_with(family):
    client = _client(_staff(family["office"], "OPPTAK"))
    page = client.get(_url(family["child"]))
    assert page.status_code == 200
    assert family["mother"].full_name in page.content.decode()

    done = client.post(_url(family["child"]), {"adults": [family["mother"].pk]})
    assert done.status_code == 302
    assert _flags(family["child"]) == {family["mother"].pk: True, family["father"].pk: False}
    assert AuditEvent.objects.filter(
        event="person.lives_with_child_confirm", person_ids__contains=[family["child"].pk]
    ).exists()


def test_kindergarten_staff_may_not_confirm_who_a_child_lives_with(family):
    client = _client(_staff(family["kindergarten"], "STYRER"))
    assert client.get(_url(family["child"])).status_code == 403
    assert client.post(_url(family["child"]), {"adults": [family["father"].pk]}).status_code == 403
    assert not any(_flags(family["child"]).values())


def test_a_guardian_may_not_confirm_who_the_child_lives_with(family):
    client = _client(f.guardian_account(family["father"]).user)
    assert client.post(_url(family["child"]), {"adults": [family["father"].pk]}).status_code == 403
    assert not any(_flags(family["child"]).values())


def test_an_adult_not_related_to_the_child_is_refused_and_nothing_is_written(family):
    client = _client(_staff(family["office"], "OPPTAK"))
    stranger: Any = f.PersonFactory()
    page = client.post(_url(family["child"]), {"adults": [stranger.pk]})
    assert page.status_code == 400
    assert not any(_flags(family["child"]).values())


def test_a_child_without_strengt_fortrolig_follows_the_register_and_cannot_be_confirmed(family):
    child = f.ChildFactory()
    f.RelationFactory(adult=family["mother"], child=child, foreldreansvar=Foreldreansvar.FELLES, lives_with_child=False)
    client = _client(_staff(family["office"], "OPPTAK"))
    assert client.get(_url(child)).status_code == 200
    page = client.post(_url(child), {"adults": [family["mother"].pk]})
    assert page.status_code == 400
    assert _flags(child) == {family["mother"].pk: False}


def test_the_office_finds_the_confirmation_from_its_tasks_and_the_childs_page(family):
    """Reachable without typing a URL: a task on the arbeidsflate, then a button on the child's page."""
    client = _client(_staff(family["office"], "OPPTAK"))
    home = client.get("/arbeidsflate/").content.decode()
    assert 'data-task="people.lives_with_unconfirmed"' in home
    child_page = client.get(reverse("arbeidsflate:child", args=[family["child"].pk])).content.decode()
    assert f'href="{_url(family["child"])}"' in child_page
    # Once confirmed, the task goes away.
    client.post(_url(family["child"]), {"adults": [family["mother"].pk]})
    assert 'data-task="people.lives_with_unconfirmed"' not in client.get("/arbeidsflate/").content.decode()


def test_a_kindergarten_leader_has_no_confirmation_task_or_button(family):
    client = _client(_staff(family["kindergarten"], "STYRER"))
    assert 'data-task="people.lives_with_unconfirmed"' not in client.get("/arbeidsflate/").content.decode()
