"""Placements over time, age range, and occupancy with the staffing and pedagogue norms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kindergarten.models import KindergartenPlacementDetail
from kindergarten.placements import kindergarten_occupancy, kindergarten_placement_change
from kindergarten.rules import counts_as_under_3
from oas.errors import ValidationError
from oas.organisation.models import OrgUnitKind
from oas.people.models import Placement, Service
from sfo.models import SfoPlacementDetail
from sfo.placements import sfo_placement_change
from tests import factories as f

from .conftest import Town

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_a_department_change_ends_the_old_placement_the_day_before(town: Town) -> None:
    big = town.children["big"]
    new = kindergarten_placement_change(
        child=big,
        unit=town.units["K1"],
        department=town.units["D2"],
        start_date=dt.date(2026, 12, 1),
        size_kind="percent",
        size_value=60,
        weekly_hours=Decimal("25"),
    )
    rows = list(Placement.objects.filter(child=big).order_by("start_date").values_list("group_id", "end_date"))
    assert rows == [(town.units["D1"].pk, dt.date(2026, 11, 30)), (town.units["D2"].pk, None)]
    detail = KindergartenPlacementDetail.objects.get(placement=new)
    assert (detail.size_value, detail.weekly_hours) == (60, Decimal("25.0"))


def test_an_overlapping_placement_is_refused_and_writes_nothing(town: Town) -> None:
    big = town.children["big"]
    before = Placement.objects.count()
    with pytest.raises(ValidationError) as exc:
        kindergarten_placement_change(
            child=big, unit=town.units["K1"], department=town.units["D2"], start_date=dt.date(2024, 8, 1)
        )
    assert exc.value.code == "overlap"
    assert Placement.objects.count() == before
    assert Placement.objects.get(child=big).end_date is None


def test_a_placement_outside_the_units_age_range_is_refused(town: Town) -> None:
    pupil = town.children["pupil"]  # 7 years old
    with pytest.raises(ValidationError) as exc:
        kindergarten_placement_change(
            child=pupil, unit=town.units["K1"], department=None, start_date=dt.date(2026, 12, 1)
        )
    assert exc.value.code == "age_out_of_range"
    assert not Placement.objects.filter(child=pupil, service=Service.KINDERGARTEN).exists()


@pytest.mark.parametrize(("kind", "value"), [("percent", 0), ("percent", 120), ("days", 6)])
def test_an_impossible_place_size_is_refused(town: Town, kind: str, value: int) -> None:
    with pytest.raises(ValidationError):
        kindergarten_placement_change(
            child=town.children["big"],
            unit=town.units["K1"],
            department=None,
            start_date=dt.date(2026, 12, 1),
            size_kind=kind,
            size_value=value,
        )


def test_an_sfo_place_changes_from_full_to_hours(town: Town) -> None:
    pupil = town.children["pupil"]
    new = sfo_placement_change(
        child=pupil, unit=town.units["SFO1"], start_date=dt.date(2027, 1, 1), place_type="hours", hours_per_week=12
    )
    assert SfoPlacementDetail.objects.get(placement=new).hours_per_week == 12
    assert Placement.objects.get(child=pupil, service=Service.SFO, start_date=dt.date(2024, 8, 1)).end_date == dt.date(
        2026, 12, 31
    )
    with pytest.raises(ValidationError):
        sfo_placement_change(child=pupil, unit=town.units["SFO1"], start_date=dt.date(2027, 2, 1), place_type="hours")


def test_children_count_as_under_3_until_august_of_the_year_they_turn_three() -> None:
    assert counts_as_under_3(birth_date=dt.date(2023, 12, 1), on=dt.date(2026, 7, 31))
    assert not counts_as_under_3(birth_date=dt.date(2023, 12, 1), on=dt.date(2026, 8, 1))


def test_occupancy_counts_under_3_double_and_shows_the_norm_gaps(town: Town, frozen_today: dt.date) -> None:
    # D1: one under 3 (small) and one over 3 (big); dept_staff is a 100 % pedagogical leader in D1.
    extra: Any = f.EmployeeFactory()
    f.EmploymentFactory(employee=extra, unit=town.units["K1"], position_code="ASSISTENT", percentage=50)
    f.GroupAssignmentFactory(employee=extra, group=town.units["D1"])
    report = kindergarten_occupancy(unit=town.units["K1"], day=frozen_today)
    d1 = next(d for d in report.departments if d.unit_id == town.units["D1"].pk)
    assert (d1.children, d1.under_3, d1.over_3, d1.places) == (2, 1, 1, 3)
    assert d1.adults == Decimal("1.5")
    assert d1.adults_required == Decimal("0.50")  # 1/3 + 1/6
    assert d1.adults_gap == Decimal("1.00")
    assert d1.pedagogues == Decimal("1")
    assert d1.pedagogues_required == Decimal("0.21")  # 1/7 + 1/14 = 0.214…
    assert d1.pedagogues_gap == Decimal("0.79")
    d2 = next(d for d in report.departments if d.unit_id == town.units["D2"].pk)
    assert (d2.children, d2.adults) == (0, Decimal(0))
    # The leader (styrer) counts in the kindergarten's total but in no department.
    assert report.total.adults == Decimal("2.5")


def test_a_department_short_of_staff_shows_a_negative_gap(town: Town, frozen_today: dt.date) -> None:
    d2 = town.units["D2"]
    for _i in range(7):
        child: Any = f.ChildFactory(birth_date=dt.date(2025, 1, 1))
        f.PlacementFactory(child=child, unit=town.units["K1"], group=d2, service=Service.KINDERGARTEN)
    report = kindergarten_occupancy(unit=town.units["K1"], day=frozen_today)
    fig = next(d for d in report.departments if d.unit_id == d2.pk)
    assert fig.places == 14
    assert fig.adults_gap == Decimal("-2.33")
    assert fig.pedagogues_gap == Decimal("-1.00")


def test_leader_sees_the_occupancy_page(town: Town) -> None:
    page = _client(town.users["leader"]).get(reverse("attendance:occupancy", args=[town.units["K1"].pk]))
    assert page.status_code == 200
    assert "Blåbær" in page.content.decode()
    assert 'data-gap="adults"' in page.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("other_unit_staff", 403), ("guardian", 403), ("dept_staff", 403)])
def test_others_cannot_open_the_occupancy_page(town: Town, persona: str, status: int) -> None:
    page = _client(town.users[persona]).get(reverse("attendance:occupancy", args=[town.units["K1"].pk]))
    assert page.status_code == status


def test_department_must_belong_to_the_kindergarten(town: Town) -> None:
    foreign = f.child_unit(parent=town.units["K2"], kind=OrgUnitKind.DEPARTMENT, name="Fremmed")
    with pytest.raises(ValidationError):
        kindergarten_placement_change(
            child=town.children["big"], unit=town.units["K1"], department=foreign, start_date=dt.date(2026, 12, 1)
        )


def test_leader_of_another_kindergarten_gets_404_on_the_occupancy_page(town: Town) -> None:
    employee: Any = f.EmployeeFactory()
    f.EmploymentFactory(employee=employee, unit=town.units["K2"], position_code="STYRER")
    user = f.staff_account(employee).user
    assert _client(user).get(reverse("attendance:occupancy", args=[town.units["K1"].pk])).status_code == 404
    assert _client(user).get(reverse("attendance:occupancy", args=[town.units["K2"].pk])).status_code == 200


def test_sector_admission_changes_a_department_through_the_api(town: Town) -> None:
    employee: Any = f.EmployeeFactory()
    f.EmploymentFactory(employee=employee, unit=town.units["office"], position_code="OPPTAK")
    client = _client(f.staff_account(employee).user)
    body = {
        "child_id": town.children["big"].pk,
        "unit_id": town.units["K1"].pk,
        "department_id": town.units["D2"].pk,
        "start_date": "2026-12-01",
        "size_value": 80,
        "weekly_hours": "33",
    }
    response = client.post("/api/v1/placements/kindergarten", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["group_id"] == town.units["D2"].pk
    again = client.post("/api/v1/placements/kindergarten", body, content_type="application/json")
    assert again.status_code == 400
    assert again.json()["code"] == "overlap"
    too_old = {**body, "child_id": town.children["pupil"].pk, "start_date": "2027-01-01"}
    refused = client.post("/api/v1/placements/kindergarten", too_old, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "age_out_of_range"


def test_leader_changes_an_sfo_place_through_the_api_and_others_cannot(town: Town) -> None:
    principal: Any = f.EmployeeFactory()
    f.EmploymentFactory(employee=principal, unit=town.units["S1"], position_code="REKTOR")
    body = {
        "child_id": town.children["pupil"].pk,
        "unit_id": town.units["SFO1"].pk,
        "start_date": "2027-01-01",
        "place_type": "hours",
        "hours_per_week": 10,
    }
    denied = _client(town.users["sfo_staff"]).post("/api/v1/placements/sfo", body, content_type="application/json")
    assert denied.status_code == 403
    other = _client(town.users["leader"]).post("/api/v1/placements/sfo", body, content_type="application/json")
    assert other.status_code == 404  # a kindergarten leader has the action, but not for this SFO
    response = _client(f.staff_account(principal).user).post(
        "/api/v1/placements/sfo", body, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert SfoPlacementDetail.objects.get(placement_id=response.json()["id"]).hours_per_week == 10


def test_staff_without_the_action_cannot_change_kindergarten_placements(town: Town) -> None:
    body = {"child_id": town.children["big"].pk, "unit_id": town.units["K1"].pk, "start_date": "2026-12-01"}
    response = _client(town.users["dept_staff"]).post(
        "/api/v1/placements/kindergarten", body, content_type="application/json"
    )
    assert response.status_code == 403
    assert Placement.objects.filter(child=town.children["big"]).count() == 1
