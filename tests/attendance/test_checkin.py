"""The krysseliste: one tap checks in/out; replays and double taps are harmless; children not placed refused."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from attendance import services
from attendance.models import AttendanceEvent, ChildAttendanceInfo
from oas.access.getters import AccessNotFound
from oas.errors import ValidationError

from .conftest import Town

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/attendance/check"


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _tap(client: Client, unit: int, child: int, kind: str, key: str) -> object:
    return client.post(
        CHECK, {"unit_id": unit, "child_id": child, "kind": kind, "key": key}, content_type="application/json"
    )


def test_department_staff_check_a_child_in_and_out(town: Town) -> None:
    client = _client(town.users["dept_staff"])
    d1, small = town.units["D1"].pk, town.children["small"].pk
    first = _tap(client, d1, small, "in", "k-1")
    assert first.status_code == 201, first.content  # type: ignore[attr-defined]
    assert _tap(client, d1, small, "out", "k-2").status_code == 201  # type: ignore[attr-defined]
    kinds = list(AttendanceEvent.objects.filter(child_id=small).order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == ["in", "out"]
    # Stored against the kindergarten, so the whole unit's state is one register.
    assert set(AttendanceEvent.objects.values_list("unit_id", flat=True)) == {town.units["K1"].pk}


def test_a_replayed_key_changes_nothing(town: Town) -> None:
    client = _client(town.users["dept_staff"])
    d1, small = town.units["D1"].pk, town.children["small"].pk
    _tap(client, d1, small, "in", "same-key")
    replay = _tap(client, d1, small, "in", "same-key")
    assert replay.status_code == 200  # type: ignore[attr-defined]
    assert replay.json()["duplicate"] is True  # type: ignore[attr-defined]
    assert AttendanceEvent.objects.count() == 1


def test_a_double_tap_with_two_keys_registers_once(town: Town) -> None:
    client = _client(town.users["dept_staff"])
    d1, small = town.units["D1"].pk, town.children["small"].pk
    _tap(client, d1, small, "in", "tap-1")
    assert _tap(client, d1, small, "in", "tap-2").json()["duplicate"] is True  # type: ignore[attr-defined]
    assert AttendanceEvent.objects.count() == 1


def test_check_in_of_a_child_not_placed_in_the_unit_is_refused(town: Town) -> None:
    response = _tap(_client(town.users["dept_staff"]), town.units["D1"].pk, town.children["other"].pk, "in", "x-1")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert response.json()["code"] == "not_placed"  # type: ignore[attr-defined]
    assert not AttendanceEvent.objects.exists()


def test_check_in_of_a_child_in_another_department_of_the_same_kindergarten_is_refused(town: Town) -> None:
    with pytest.raises(ValidationError):
        services.attendance_check(
            user=town.users["leader"],
            unit_id=town.units["D2"].pk,
            child_id=town.children["small"].pk,
            kind="in",
            key="d2",
        )


def test_staff_of_another_unit_cannot_check_in(town: Town) -> None:
    response = _tap(_client(town.users["other_unit_staff"]), town.units["D1"].pk, town.children["small"].pk, "in", "o")
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert not AttendanceEvent.objects.exists()


def test_guardians_cannot_use_the_check_in_api(town: Town) -> None:
    response = _tap(_client(town.users["guardian"]), town.units["D1"].pk, town.children["small"].pk, "in", "g")
    assert response.status_code == 403  # type: ignore[attr-defined]


def test_sfo_staff_check_in_a_pupil(town: Town) -> None:
    result = services.attendance_check(
        user=town.users["sfo_staff"],
        unit_id=town.units["SFO1"].pk,
        child_id=town.children["pupil"].pk,
        kind="in",
        key="s",
    )
    assert not result.duplicate


def test_bad_kind_or_missing_key_is_refused(town: Town) -> None:
    with pytest.raises(ValidationError):
        services.attendance_check(
            user=town.users["leader"],
            unit_id=town.units["D1"].pk,
            child_id=town.children["small"].pk,
            kind="in",
            key="",
        )
    response = _tap(_client(town.users["leader"]), town.units["D1"].pk, town.children["small"].pk, "sideways", "k")
    assert response.status_code == 400  # type: ignore[attr-defined]


def test_the_tablet_page_shows_expected_in_absent_and_pick_up_persons(
    town: Town, django_assert_max_num_queries: object
) -> None:
    ChildAttendanceInfo.objects.create(child=town.children["small"], may_walk_home_alone=True)
    services.absence_report(user=town.users["guardian"], child_id=town.children["big"].pk, note="Omgangssyke")
    client = _client(town.users["dept_staff"])
    page = client.get(reverse("attendance:krysseliste", args=[town.units["D1"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-child="{town.children["big"].pk}" data-status="absent"' in html
    assert "Omgangssyke" in html
    assert f'data-child="{town.children["small"].pk}" data-status="expected"' in html
    assert "Bestemor" in html  # pick-up person of the big one
    assert "Kan gå hjem alene" in html
    assert "krysseliste.js" in html


def test_other_unit_staff_cannot_open_the_tablet_page(town: Town) -> None:
    page = _client(town.users["other_unit_staff"]).get(reverse("attendance:krysseliste", args=[town.units["D1"].pk]))
    assert page.status_code == 404


def test_guardian_cannot_open_the_tablet_page(town: Town) -> None:
    page = _client(town.users["guardian"]).get(reverse("attendance:krysseliste", args=[town.units["D1"].pk]))
    assert page.status_code == 403


def test_unit_list_shows_only_units_the_user_may_check_in(town: Town) -> None:
    page = _client(town.users["dept_staff"]).get(reverse("attendance:checkin_units"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Blåbær" in html
    assert "Annen barnehage" not in html
    assert _client(town.users["guardian"]).get(reverse("attendance:checkin_units")).status_code == 403


def test_access_is_checked_before_the_key_is_looked_up(town: Town) -> None:
    services.attendance_check(
        user=town.users["leader"], unit_id=town.units["D1"].pk, child_id=town.children["small"].pk, kind="in", key="k"
    )
    with pytest.raises(AccessNotFound):
        services.attendance_check(
            user=town.users["other_unit_staff"],
            unit_id=town.units["D1"].pk,
            child_id=town.children["small"].pk,
            kind="in",
            key="k",
        )
