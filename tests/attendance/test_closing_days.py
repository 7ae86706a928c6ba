"""Expected today knows public holidays and closing days (planleggingsdag, sommerstengt, jul …)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendance import selectors, services
from attendance.models import ClosingDay, ClosingReason, MissingArrival
from oas import clock
from oas.organisation.models import OrgUnitKind
from tests import factories as f

from .conftest import Town

pytestmark = pytest.mark.django_db

CONSTITUTION_DAY = dt.date(2028, 5, 17)  # a Wednesday (in 2027 it is also andre pinsedag)


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _check_at(day: dt.date, hour: int = 10) -> int:
    with clock.freeze(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=clock.OSLO)):
        return services.missing_arrivals_check()


def _settings(town: Town, *units: str) -> None:
    for unit in units:
        services.attendance_settings_set(unit=town.units[unit], expected_by=dt.time(8, 30))


def test_norwegian_public_holidays_are_not_expected_days() -> None:
    assert selectors.public_holiday_name(CONSTITUTION_DAY) == "Grunnlovsdag"
    assert not selectors.is_expected_day(CONSTITUTION_DAY)
    assert not selectors.is_expected_day(dt.date(2026, 12, 25))  # første juledag, a Friday
    assert selectors.is_expected_day(dt.date(2026, 11, 19))  # an ordinary Thursday
    assert not selectors.is_expected_day(dt.date(2026, 11, 21))  # Saturday


def test_missing_arrival_check_creates_alerts_on_an_ordinary_weekday(town: Town, frozen_today: dt.date) -> None:
    _settings(town, "K1", "SFO1")
    assert _check_at(frozen_today) == 3  # Lita and Stor in K1, Elev in the SFO
    assert MissingArrival.objects.count() == 3


def test_missing_arrival_check_creates_nothing_on_a_public_holiday(town: Town) -> None:
    _settings(town, "K1", "SFO1")
    assert _check_at(CONSTITUTION_DAY) == 0
    assert not MissingArrival.objects.exists()


def test_a_units_closing_day_is_inherited_by_its_departments(town: Town, frozen_today: dt.date) -> None:
    ClosingDay.objects.create(unit=town.units["K1"], start_date=frozen_today, reason=ClosingReason.PLANNING_DAY)
    assert selectors.day_closure(unit=town.units["D1"], day=frozen_today) == selectors.DayClosure(
        kind="closed", label="Planleggingsdag"
    )
    assert selectors.day_closure(unit=town.units["K2"], day=frozen_today) is None
    assert selectors.day_closure(unit=town.units["D1"], day=frozen_today + dt.timedelta(days=1)) is None
    _settings(town, "K1", "K2")
    assert _check_at(frozen_today) == 1  # only the child in the other kindergarten
    assert list(MissingArrival.objects.values_list("unit_id", flat=True)) == [town.units["K2"].pk]


def test_a_departments_own_closing_day_spares_only_its_children(town: Town, frozen_today: dt.date) -> None:
    ClosingDay.objects.create(unit=town.units["D1"], start_date=frozen_today, reason=ClosingReason.OTHER)
    assert selectors.day_closure(unit=town.units["K1"], day=frozen_today) is None
    _settings(town, "K1")
    assert _check_at(frozen_today) == 0  # both K1 children are in the closed department Blåbær
    ClosingDay.objects.all().delete()
    ClosingDay.objects.create(unit=town.units["D2"], start_date=frozen_today, reason=ClosingReason.OTHER)
    assert _check_at(frozen_today) == 2


def test_a_municipality_wide_closing_period_of_one_kind(town: Town, frozen_today: dt.date) -> None:
    ClosingDay.objects.create(
        municipality=town.units["K1"].municipality,
        unit_kind=OrgUnitKind.KINDERGARTEN,
        start_date=frozen_today - dt.timedelta(days=1),
        end_date=frozen_today + dt.timedelta(days=1),
        reason=ClosingReason.OTHER,
        description="Felles kursdag",
    )
    closed = selectors.closures_on(units=[town.units[u] for u in ("D1", "K2", "SFO1")], day=frozen_today)
    assert set(closed) == {town.units["D1"].pk, town.units["K2"].pk}
    assert closed[town.units["K2"].pk].label == "Annet – Felles kursdag"
    _settings(town, "K1", "K2", "SFO1")
    assert _check_at(frozen_today) == 1
    assert MissingArrival.objects.get().child == town.children["pupil"]


def test_a_municipality_wide_day_for_every_unit(town: Town, frozen_today: dt.date) -> None:
    ClosingDay.objects.create(
        municipality=town.units["K1"].municipality, start_date=frozen_today, reason=ClosingReason.CHRISTMAS
    )
    _settings(town, "K1", "K2", "SFO1")
    assert _check_at(frozen_today) == 0


def test_closing_days_cost_one_query_for_many_units(town: Town, frozen_today: dt.date) -> None:
    ClosingDay.objects.create(unit=town.units["K2"], start_date=frozen_today, reason=ClosingReason.PLANNING_DAY)
    units = list(town.units.values())
    with CaptureQueriesContext(connection) as ctx:
        closed = selectors.closures_on(units=units, day=frozen_today)
    assert len(ctx.captured_queries) == 1
    assert set(closed) == {town.units["K2"].pk}


def test_the_tablet_page_shows_the_closing_reason_and_nobody_expected(town: Town, frozen_today: dt.date) -> None:
    ClosingDay.objects.create(unit=town.units["K1"], start_date=frozen_today, reason=ClosingReason.PLANNING_DAY)
    page = _client(town.users["dept_staff"]).get(reverse("attendance:krysseliste", args=[town.units["D1"].pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Stengt i dag: Planleggingsdag" in html
    assert 'data-status="expected"' not in html
    assert f'data-child="{town.children["small"].pk}" data-status="not_expected"' in html
    assert 'data-count="expected">0<' in html


def test_the_tablet_page_names_the_public_holiday(town: Town) -> None:
    with clock.freeze(CONSTITUTION_DAY):
        page = _client(town.users["dept_staff"]).get(reverse("attendance:krysseliste", args=[town.units["D1"].pk]))
    html = page.content.decode()
    assert "Helligdag: Grunnlovsdag" in html
    assert 'data-status="expected"' not in html


def test_the_tablet_page_of_an_ordinary_day_shows_no_closing_notice(town: Town) -> None:
    page = _client(town.users["dept_staff"]).get(reverse("attendance:krysseliste", args=[town.units["D1"].pk]))
    html = page.content.decode()
    assert "Stengt i dag" not in html and "kryss-closed" not in html
    assert 'data-status="expected"' in html


def test_staff_of_another_unit_cannot_open_the_closed_units_tablet_page(town: Town, frozen_today: dt.date) -> None:
    ClosingDay.objects.create(unit=town.units["K1"], start_date=frozen_today, reason=ClosingReason.PLANNING_DAY)
    page = _client(town.users["other_unit_staff"]).get(reverse("attendance:krysseliste", args=[town.units["D1"].pk]))
    assert page.status_code == 404


def test_a_closing_day_needs_either_a_unit_or_a_municipality(town: Town, frozen_today: dt.date) -> None:
    row = ClosingDay(start_date=frozen_today, reason=ClosingReason.OTHER)
    with pytest.raises(ValidationError):
        row.full_clean()
    row = ClosingDay(
        unit=town.units["K1"], unit_kind=OrgUnitKind.KINDERGARTEN, start_date=frozen_today, reason=ClosingReason.OTHER
    )
    with pytest.raises(ValidationError):
        row.full_clean()


def test_seed_closing_days_loads_demo_days_once(town: Town) -> None:
    call_command("seed_closing_days", stdout=io.StringIO())
    count = ClosingDay.objects.count()
    assert count > 0
    call_command("seed_closing_days", stdout=io.StringIO())
    assert ClosingDay.objects.count() == count
    christmas_eve = selectors.day_closure(unit=town.units["D1"], day=dt.date(2026, 12, 24))
    assert christmas_eve is not None and christmas_eve.message == "Stengt i dag: Julestengt – Julaften"


def _sysadmin(town: Town) -> object:
    employee: Any = f.EmployeeFactory()
    f.EmploymentFactory(employee=employee, unit=town.units["office"], position_code="SYSADM")
    return f.staff_account(employee).user


def test_system_administrator_adds_a_planning_day_in_the_admin(town: Town, frozen_today: dt.date) -> None:
    client = _client(_sysadmin(town))
    response = client.post(
        reverse("admin:attendance_closingday_add"),
        {
            "unit": town.units["K1"].pk,
            "municipality": "",
            "unit_kind": "",
            "start_date": "2026-11-20",
            "end_date": "",
            "reason": ClosingReason.PLANNING_DAY,
            "description": "Kursdag",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = ClosingDay.objects.get()
    assert (row.start_date, row.end_date, row.unit_id) == (
        dt.date(2026, 11, 20),
        dt.date(2026, 11, 20),
        town.units["K1"].pk,
    )
    assert client.get(reverse("admin:attendance_closingday_changelist")).status_code == 200


def test_the_admin_refuses_a_closing_day_for_both_a_unit_and_a_municipality(town: Town) -> None:
    client = _client(_sysadmin(town))
    response = client.post(
        reverse("admin:attendance_closingday_add"),
        {
            "unit": town.units["K1"].pk,
            "municipality": town.units["K1"].municipality_id,
            "unit_kind": "",
            "start_date": "2026-11-20",
            "reason": ClosingReason.PLANNING_DAY,
        },
    )
    assert response.status_code == 200
    assert "Velg enten en enhet eller en kommune." in response.content.decode()
    assert not ClosingDay.objects.exists()


def test_unit_leaders_cannot_open_the_closing_days_admin(town: Town) -> None:
    response = _client(town.users["leader"]).get(reverse("admin:attendance_closingday_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
