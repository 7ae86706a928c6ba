"""Planned absence from school: at most 10 school days at a time (opplæringslova § 2-2, rules §8.4).

Longer leave needs an application and the school's decision; until OAS handles those, a longer planned absence
of a pupil is refused with a clear message and nothing is written. Sick days and kindergarten holidays are not
limited (a guardian may report up to a year).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from attendance import services
from attendance.models import AbsenceReport, ClosingDay, ClosingReason
from oas.errors import ValidationError
from tests import factories as f

from .conftest import Town

pytestmark = pytest.mark.django_db

API = "/api/v1/attendance/absences"
MONDAY = dt.date(2026, 11, 23)  # the Monday after the frozen day (Thursday 2026-11-19)
TEN_SCHOOL_DAYS_END = dt.date(2026, 12, 4)  # Monday 23 November to Friday 4 December: 10 school days
ELEVEN_SCHOOL_DAYS_END = dt.date(2026, 12, 7)  # … to Monday 7 December: 11


@pytest.fixture
def town_among_others(demo_municipality: Any, request: pytest.FixtureRequest) -> Town:
    """The attendance town amid the small demo municipality (other schools, pupils and families)."""
    # The demo seed wants an empty database, so it comes first; the factories' numbers start past the seed's.
    for made in (f.EmployeeFactory, f.UserFactory, f.OrgUnitFactory, f.MunicipalityFactory):
        made.reset_sequence(900_000)
    town: Town = request.getfixturevalue("town")
    return town


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _holiday(town: Town, child: str, end: dt.date | None, *, kind: str = "holiday") -> Any:
    return services.absence_report(
        user=town.users["guardian"],
        child_id=town.children[child].pk,
        kind=kind,
        start_date=MONDAY,
        end_date=end,
        until_further_notice=end is None,
    )


def test_a_pupil_may_take_ten_school_days_of_holiday(town_among_others: Town) -> None:
    result = _holiday(town_among_others, "pupil", TEN_SCHOOL_DAYS_END)
    assert result.report.end_date == TEN_SCHOOL_DAYS_END
    assert AbsenceReport.objects.count() == 1


@pytest.mark.parametrize("kind", ["holiday", "planned"])
def test_eleven_school_days_of_planned_absence_are_refused_and_nothing_is_written(
    town_among_others: Town, kind: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _holiday(town_among_others, "pupil", ELEVEN_SCHOOL_DAYS_END, kind=kind)
    assert "høyst 10 skoledager" in refused.value.message
    assert "søke skolen" in refused.value.message
    assert set(refused.value.fields) == {"end_date"}
    assert not AbsenceReport.objects.exists()


def test_planned_absence_until_further_notice_is_refused_for_a_pupil(town_among_others: Town) -> None:
    with pytest.raises(ValidationError):
        _holiday(town_among_others, "pupil", None)
    assert not AbsenceReport.objects.exists()


def test_a_closing_day_of_the_school_is_no_school_day(town_among_others: Town) -> None:
    ClosingDay.objects.create(
        unit=town_among_others.units["S1"], start_date=dt.date(2026, 12, 7), reason=ClosingReason.PLANNING_DAY
    )
    result = _holiday(town_among_others, "pupil", ELEVEN_SCHOOL_DAYS_END)
    assert result.report.end_date == ELEVEN_SCHOOL_DAYS_END


def test_a_closing_day_of_another_unit_still_counts(town_among_others: Town) -> None:
    other_unit = town_among_others.units["K2"]
    ClosingDay.objects.create(unit=other_unit, start_date=dt.date(2026, 12, 7), reason=ClosingReason.PLANNING_DAY)
    with pytest.raises(ValidationError):
        _holiday(town_among_others, "pupil", ELEVEN_SCHOOL_DAYS_END)


def test_sick_days_of_a_pupil_and_a_kindergarten_holiday_are_not_limited(town_among_others: Town) -> None:
    three_weeks = MONDAY + dt.timedelta(days=20)
    assert _holiday(town_among_others, "pupil", three_weeks, kind="sick").report.end_date == three_weeks
    assert _holiday(town_among_others, "big", three_weeks).report.end_date == three_weeks  # kindergarten, not school
    assert AbsenceReport.objects.count() == 2


def test_the_portal_refuses_a_long_holiday_with_the_message_and_writes_nothing(town_among_others: Town) -> None:
    pupil = town_among_others.children["pupil"]
    url = reverse("attendance:portal_absence_report", args=[pupil.pk])
    form = {"kind": "holiday", "start_date": MONDAY.isoformat(), "end_date": ELEVEN_SCHOOL_DAYS_END.isoformat()}
    response = _client(town_among_others.users["guardian"]).post(url, form)
    assert response.status_code == 302
    page = _client(town_among_others.users["guardian"])
    followed = page.post(url, form, follow=True)
    assert followed.status_code == 200
    assert "høyst 10 skoledager om gangen" in followed.content.decode()
    assert not AbsenceReport.objects.exists()
    allowed = page.post(url, {**form, "end_date": TEN_SCHOOL_DAYS_END.isoformat()}, follow=True)
    assert allowed.status_code == 200
    assert AbsenceReport.objects.filter(child=pupil, kind="holiday").count() == 1


def test_the_api_refuses_a_long_holiday_with_400_naming_end_date(town_among_others: Town) -> None:
    pupil = town_among_others.children["pupil"]
    body = {
        "child_id": pupil.pk,
        "kind": "holiday",
        "start_date": MONDAY.isoformat(),
        "end_date": ELEVEN_SCHOOL_DAYS_END.isoformat(),
    }
    client = _client(town_among_others.users["guardian"])
    refused = client.post(API, body, content_type="application/json")
    assert refused.status_code == 400
    assert list(refused.json()["fields"]) == ["end_date"]
    assert "høyst 10 skoledager" in refused.json()["message"]
    assert not AbsenceReport.objects.exists()
    allowed = client.post(API, {**body, "end_date": TEN_SCHOOL_DAYS_END.isoformat()}, content_type="application/json")
    assert allowed.status_code == 201


def test_an_outsider_cannot_report_leave_for_the_pupil(town_among_others: Town) -> None:
    body = {"child_id": town_among_others.children["pupil"].pk, "kind": "holiday", "start_date": MONDAY.isoformat()}
    refused = _client(town_among_others.users["outsider"]).post(API, body, content_type="application/json")
    assert refused.status_code == 403
    assert not AbsenceReport.objects.exists()
