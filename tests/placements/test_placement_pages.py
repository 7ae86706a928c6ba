"""The pages where leaders, merkantil and the sector office change kindergarten and SFO places over time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kindergarten.models import KindergartenPlacementDetail
from oas.audit.models import AuditEvent
from oas.people.models import Placement, Service
from sfo.models import SfoPlacementDetail
from tests import factories as f

from .conftest import Town

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _staff_user(town: Town, unit: str, position: str) -> Any:
    employee: Any = f.EmployeeFactory()
    f.EmploymentFactory(employee=employee, unit=town.units[unit], position_code=position)
    return f.staff_account(employee).user


def _kindergarten_url(town: Town, unit: str = "K1") -> str:
    return reverse("kindergarten_placements:unit", args=[town.units[unit].pk])


def _sfo_url(town: Town) -> str:
    return reverse("sfo_placements:unit", args=[town.units["SFO1"].pk])


def test_leader_sees_the_placements_and_the_form(town: Town) -> None:
    page = _client(town.users["leader"]).get(_kindergarten_url(town))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Lita" in body and "Stor" in body
    assert 'hx-post="' in body and 'name="size_value"' in body
    assert AuditEvent.objects.filter(event="kindergarten.placements.read").exists()


def test_merkantil_moves_a_child_to_another_department_with_a_smaller_place_through_htmx(town: Town) -> None:
    client = _client(_staff_user(town, "K1", "MERKANTIL"))
    big = town.children["big"]
    page = client.post(
        _kindergarten_url(town),
        {
            "child": big.pk,
            "department": town.units["D2"].pk,
            "start_date": "2026-12-01",
            "size_kind": "percent",
            "size_value": "60",
            "weekly_hours": "25",
        },
        HTTP_HX_REQUEST="true",
    )
    assert page.status_code == 200
    assert 'id="placement-panel"' in page.content.decode()
    assert "<html" not in page.content.decode()  # only the panel is swapped
    rows = list(Placement.objects.filter(child=big).order_by("start_date").values_list("group_id", "end_date"))
    assert rows == [(town.units["D1"].pk, dt.date(2026, 11, 30)), (town.units["D2"].pk, None)]
    detail = KindergartenPlacementDetail.objects.get(placement__child=big, placement__end_date=None)
    assert (detail.size_value, detail.weekly_hours) == (60, Decimal("25.0"))


def test_an_overlapping_change_is_a_form_error_and_writes_nothing(town: Town) -> None:
    before = list(Placement.objects.order_by("pk").values_list("pk", "end_date"))
    page = _client(town.users["leader"]).post(
        _kindergarten_url(town),
        {
            "child": town.children["big"].pk,
            "department": town.units["D2"].pk,
            "start_date": "2024-08-01",
            "size_kind": "percent",
            "size_value": "100",
        },
    )
    assert page.status_code == 400
    assert "Overlapper med en annen plass." in page.content.decode()
    assert list(Placement.objects.order_by("pk").values_list("pk", "end_date")) == before


def test_a_change_outside_the_age_range_is_a_form_error_and_writes_nothing(town: Town) -> None:
    k1 = town.units["K1"]
    k1.min_age, k1.max_age = 0, 5
    k1.save(update_fields=["min_age", "max_age"])
    big = town.children["big"]  # born 1 March 2022: six years old on 1 March 2028
    before = Placement.objects.count()
    page = _client(town.users["leader"]).post(
        _kindergarten_url(town),
        {"child": big.pk, "department": "", "start_date": "2028-03-01", "size_kind": "percent", "size_value": "100"},
    )
    assert page.status_code == 400
    assert "Utenfor barnehagens aldersspenn." in page.content.decode()
    assert Placement.objects.count() == before
    assert Placement.objects.get(child=big).end_date is None


def test_sector_admission_may_change_placements_in_any_kindergarten(town: Town) -> None:
    user = _staff_user(town, "office", "OPPTAK")
    assert _client(user).get(_kindergarten_url(town, "K2")).status_code == 200


def test_the_occupancy_page_links_to_the_placement_page_for_the_leader(town: Town) -> None:
    page = _client(town.users["leader"]).get(reverse("attendance:occupancy", args=[town.units["K1"].pk]))
    assert _kindergarten_url(town) in page.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("dept_staff", 403), ("guardian", 403), ("other_unit_staff", 403)])
def test_staff_without_the_right_and_guardians_cannot_open_the_placement_page(
    town: Town, persona: str, status: int
) -> None:
    assert _client(town.users[persona]).get(_kindergarten_url(town)).status_code == status


def test_leader_of_another_kindergarten_gets_404_and_cannot_change_a_placement(town: Town) -> None:
    client = _client(_staff_user(town, "K2", "STYRER"))
    before = Placement.objects.count()
    assert client.get(_kindergarten_url(town)).status_code == 404
    page = client.post(
        _kindergarten_url(town),
        {"child": town.children["big"].pk, "start_date": "2026-12-01", "size_kind": "percent", "size_value": "50"},
    )
    assert page.status_code == 404
    assert Placement.objects.count() == before


def test_school_leader_changes_an_sfo_place_to_an_hourly_place(town: Town) -> None:
    client = _client(_staff_user(town, "S1", "REKTOR"))
    assert "Elev" in client.get(_sfo_url(town)).content.decode()
    pupil = town.children["pupil"]
    page = client.post(
        _sfo_url(town),
        {"child": pupil.pk, "start_date": "2027-01-01", "place_type": "hours", "hours_per_week": "8"},
        HTTP_HX_REQUEST="true",
    )
    assert page.status_code == 200
    detail = SfoPlacementDetail.objects.get(placement__child=pupil, placement__start_date=dt.date(2027, 1, 1))
    assert (detail.place_type, detail.hours_per_week) == ("hours", 8)
    assert Placement.objects.get(child=pupil, service=Service.SFO, start_date=dt.date(2024, 8, 1)).end_date == dt.date(
        2026, 12, 31
    )


def test_an_hourly_sfo_place_without_hours_is_a_form_error_and_writes_nothing(town: Town) -> None:
    client = _client(_staff_user(town, "S1", "REKTOR"))
    before = Placement.objects.count()
    page = client.post(
        _sfo_url(town), {"child": town.children["pupil"].pk, "start_date": "2027-01-01", "place_type": "hours"}
    )
    assert page.status_code == 400
    assert "Timeplass krever 1–40 timer per uke." in page.content.decode()
    assert Placement.objects.count() == before


@pytest.mark.parametrize("persona", ["sfo_staff", "contact_teacher", "guardian", "leader"])
def test_others_cannot_change_sfo_places(town: Town, persona: str) -> None:
    before = Placement.objects.count()
    page = _client(town.users[persona]).post(
        _sfo_url(town), {"child": town.children["pupil"].pk, "start_date": "2027-01-01", "place_type": "part"}
    )
    assert page.status_code in (403, 404)
    assert Placement.objects.count() == before
