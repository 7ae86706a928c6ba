"""Issue 13, point 14: the child API returns children only, ``?protected=1`` only to entitled roles, and the
"Ny melding" child picker lists children only (no adult's birth date)."""

from __future__ import annotations

from typing import Any

from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Employee
from tests.policy.scenario import Scenario, staff_user


def _office(scenario: Scenario) -> OrgUnit:
    return OrgUnit.objects.get(
        municipality=scenario.kindergarten.municipality, kind=OrgUnitKind.SECTOR_OFFICE, parent__isnull=True
    )


def test_child_api_does_not_return_an_employees_home_address(client, scenario):
    employee: Any = Employee.objects.select_related("person").order_by("pk").first()
    for position in ("OPPTAK", "FAKTURA", "RADGIVER"):
        client.force_login(staff_user(_office(scenario), position))
        assert client.get(f"/api/v1/children/{employee.person_id}").status_code == 404
        # a guardian (an adult) is no child either
        assert client.get(f"/api/v1/children/{scenario.father.person_id}").status_code == 404


def test_child_api_returns_a_child_of_the_municipality_to_opptak(client, scenario):
    client.force_login(staff_user(_office(scenario), "OPPTAK"))
    response = client.get(f"/api/v1/children/{scenario.theo.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == scenario.theo.full_name


def test_protected_list_is_refused_to_sector_roles(client, scenario):
    for position in ("OPPTAK", "FAKTURA", "RADGIVER"):
        client.force_login(staff_user(_office(scenario), position))
        assert client.get("/arbeidsflate/barn/?protected=1").status_code == 403
        # the ordinary list is still theirs
        assert client.get("/arbeidsflate/barn/").status_code == 200


def test_protected_list_is_given_to_the_leader_of_the_unit(client, scenario):
    client.force_login(staff_user(scenario.kindergarten, "STYRER"))
    response = client.get("/arbeidsflate/barn/?protected=1")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sofie" in body
    assert "Theo" not in body


def test_child_picker_lists_children_only_without_adults_birth_dates(client, scenario):
    client.force_login(staff_user(scenario.kindergarten, "PED_LEDER"))
    father = scenario.father.person
    response = client.get("/meldinger/ny/barn/", {"q": father.last_name})
    assert response.status_code == 200
    assert father.first_name not in response.content.decode()
    response = client.get("/meldinger/ny/barn/", {"q": "Theo"})
    assert response.status_code == 200
    assert scenario.theo.full_name.split()[-1] in response.content.decode()


def test_child_picker_is_refused_to_a_guardian(client, scenario):
    client.force_login(scenario.mother.user)
    assert client.get("/meldinger/ny/barn/", {"q": "Sofie"}).status_code == 403
