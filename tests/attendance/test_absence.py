"""The guardian's "sykt barn": one report reaches every unit; multi-day; planned; refused without rights."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendance import selectors, services
from attendance.models import AbsenceReport, MissingArrival
from oas import clock
from oas.access.getters import AccessNotFound
from oas.arbeidsflate.registry import registry
from oas.audit.models import AuditEvent
from oas.errors import ValidationError

from .conftest import Town

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_one_sick_report_reaches_school_and_sfo(town: Town, frozen_today: dt.date) -> None:
    pupil = town.children["pupil"]
    result = services.absence_report(user=town.users["guardian"], child_id=pupil.pk)
    assert sorted(result.unit_names) == ["Demo SFO", "Demo skole"]
    school = [r.child_id for r, _p in selectors.absences_in_units(unit=town.units["S1"], day=frozen_today)]
    sfo = [r.child_id for r, _p in selectors.absences_in_units(unit=town.units["SFO1"], day=frozen_today)]
    assert school == [pupil.pk]
    assert sfo == [pupil.pk]
    assert AbsenceReport.objects.count() == 1


def test_multi_day_absence_does_not_reset_overnight(town: Town, frozen_today: dt.date) -> None:
    pupil = town.children["pupil"]
    services.absence_report(
        user=town.users["guardian"], child_id=pupil.pk, end_date=frozen_today + dt.timedelta(days=2)
    )
    with clock.freeze(frozen_today + dt.timedelta(days=1)):
        assert pupil.pk in selectors.absences_covering(child_ids=[pupil.pk], day=clock.today())
    assert pupil.pk not in selectors.absences_covering(child_ids=[pupil.pk], day=frozen_today + dt.timedelta(days=3))


def test_absence_until_further_notice_has_no_end(town: Town, frozen_today: dt.date) -> None:
    pupil = town.children["pupil"]
    result = services.absence_report(user=town.users["guardian"], child_id=pupil.pk, until_further_notice=True)
    assert result.report.end_date is None
    assert pupil.pk in selectors.absences_covering(child_ids=[pupil.pk], day=frozen_today + dt.timedelta(days=40))


def test_planned_absence_can_be_reported_ahead(town: Town, frozen_today: dt.date) -> None:
    big = town.children["big"]
    start = frozen_today + dt.timedelta(days=10)
    services.absence_report(
        user=town.users["guardian"],
        child_id=big.pk,
        kind="holiday",
        start_date=start,
        end_date=start + dt.timedelta(days=4),
    )
    assert big.pk not in selectors.absences_covering(child_ids=[big.pk], day=frozen_today)
    assert big.pk in selectors.absences_covering(child_ids=[big.pk], day=start + dt.timedelta(days=2))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"start_date": dt.date(2026, 11, 18)}, "start_date"),
        ({"end_date": dt.date(2026, 11, 18)}, "end_date"),
        ({"kind": "vacation-ish"}, "kind"),
    ],
)
def test_bad_absence_input_is_refused_and_writes_nothing(town: Town, kwargs: dict, field: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.absence_report(user=town.users["guardian"], child_id=town.children["pupil"].pk, **kwargs)
    assert field in exc.value.fields
    assert not AbsenceReport.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "no_resp", "other_unit_staff"])
def test_absence_for_a_child_without_rights_is_refused_and_audited(town: Town, persona: str) -> None:
    pupil = town.children["pupil"]
    with pytest.raises(AccessNotFound):
        services.absence_report(user=town.users[persona], child_id=pupil.pk)
    assert not AbsenceReport.objects.exists()
    assert AuditEvent.objects.filter(event="attendance.absence.report.denied", person_ids__contains=[pupil.pk]).exists()


def test_guardian_presses_sykt_barn_in_the_portal(town: Town) -> None:
    client = _client(town.users["guardian"])
    page = client.get(reverse("attendance:portal_absence"))
    assert page.status_code == 200
    assert "Sykt barn i dag" in page.content.decode()
    pupil = town.children["pupil"]
    response = client.post(reverse("attendance:portal_absence_report", args=[pupil.pk]), {"kind": "sick"}, follow=True)
    assert response.status_code == 200
    assert "Demo skole" in response.content.decode()
    assert AbsenceReport.objects.filter(child=pupil, kind="sick").count() == 1


def test_staff_cannot_open_the_guardian_absence_page(town: Town) -> None:
    assert _client(town.users["contact_teacher"]).get(reverse("attendance:portal_absence")).status_code == 403


def test_outsider_posting_absence_in_the_portal_is_refused(town: Town) -> None:
    pupil = town.children["pupil"]
    # A guardian without any child has no "report absence" anywhere: the coarse gate refuses (403).
    response = _client(town.users["outsider"]).post(reverse("attendance:portal_absence_report", args=[pupil.pk]))
    assert response.status_code == 403
    assert not AbsenceReport.objects.exists()


def test_guardian_posting_absence_for_someone_elses_child_gets_404(town: Town) -> None:
    other = town.children["other"]
    response = _client(town.users["guardian"]).post(reverse("attendance:portal_absence_report", args=[other.pk]))
    assert response.status_code == 404
    assert not AbsenceReport.objects.exists()


def test_guardian_withdraws_a_report(town: Town) -> None:
    result = services.absence_report(user=town.users["guardian"], child_id=town.children["pupil"].pk)
    client = _client(town.users["guardian"])
    client.post(reverse("attendance:portal_absence_cancel", args=[result.report.pk]))
    result.report.refresh_from_db()
    assert result.report.cancelled_at is not None


def test_outsider_cannot_withdraw_a_report(town: Town) -> None:
    result = services.absence_report(user=town.users["guardian"], child_id=town.children["pupil"].pk)
    _client(town.users["outsider"]).post(reverse("attendance:portal_absence_cancel", args=[result.report.pk]))
    result.report.refresh_from_db()
    assert result.report.cancelled_at is None


def test_absence_api_reports_and_names_the_units(town: Town) -> None:
    pupil = town.children["pupil"]
    response = _client(town.users["guardian"]).post(
        "/api/v1/attendance/absences",
        {"child_id": pupil.pk, "until_further_notice": True},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert sorted(response.json()["units"]) == ["Demo SFO", "Demo skole"]
    assert response.json()["end_date"] is None
    assert response.json()["permitted_actions"] == ["attendance.absence.read"]


def test_absence_api_refuses_a_child_without_rights(town: Town) -> None:
    response = _client(town.users["guardian"]).post(
        "/api/v1/attendance/absences", {"child_id": town.children["other"].pk}, content_type="application/json"
    )
    assert response.status_code == 404
    outsider = _client(town.users["outsider"]).post(
        "/api/v1/attendance/absences", {"child_id": town.children["pupil"].pk}, content_type="application/json"
    )
    assert outsider.status_code == 403
    assert not AbsenceReport.objects.exists()


@pytest.mark.parametrize("persona", ["contact_teacher", "sfo_staff"])
def test_staff_of_both_units_see_the_absence_today(town: Town, persona: str) -> None:
    pupil = town.children["pupil"]
    services.absence_report(user=town.users["guardian"], child_id=pupil.pk, note="Feber")
    page = _client(town.users[persona]).get(reverse("attendance:absences_today"))
    assert page.status_code == 200
    assert f'data-child="{pupil.pk}"' in page.content.decode()
    tasks = [t for p in registry.providers() for t in p.tasks_for(user=town.users[persona])]
    assert any(t.key == "attendance.absence_today" and t.count == 1 for t in tasks)


def test_staff_of_another_unit_do_not_see_the_absence(town: Town) -> None:
    pupil = town.children["pupil"]
    services.absence_report(user=town.users["guardian"], child_id=pupil.pk)
    page = _client(town.users["other_unit_staff"]).get(reverse("attendance:absences_today"))
    assert page.status_code == 200
    assert f'data-child="{pupil.pk}"' not in page.content.decode()


def test_outsider_guardian_cannot_open_absences_today(town: Town) -> None:
    assert _client(town.users["advisor"]).get(reverse("attendance:absences_today")).status_code == 403


def test_expected_child_not_checked_in_notifies_guardians_and_gives_a_unit_task(
    town: Town, frozen_today: dt.date, django_capture_on_commit_callbacks: Any
) -> None:
    services.attendance_settings_set(unit=town.units["K1"], expected_by=dt.time(8, 30))
    services.absence_report(user=town.users["guardian"], child_id=town.children["big"].pk)
    with clock.freeze(dt.datetime.combine(frozen_today, dt.time(9, 0), tzinfo=clock.OSLO)):
        with django_capture_on_commit_callbacks(execute=True):
            created = services.missing_arrivals_check()
        assert services.missing_arrivals_check() == 0  # once per child and day
    assert created == 1
    missing = MissingArrival.objects.get()
    assert missing.child == town.children["small"]  # the big one is reported absent
    assert [m.to for m in mail.outbox] == [["forelder@example.test"]]
    tasks = [t for p in registry.providers() for t in p.tasks_for(user=town.users["dept_staff"])]
    assert any(t.key == "attendance.missing_arrival" and t.count == 1 for t in tasks)
    other = [t for p in registry.providers() for t in p.tasks_for(user=town.users["other_unit_staff"])]
    assert not [t for t in other if t.key == "attendance.missing_arrival"]


def test_missing_arrival_waits_for_the_units_time(town: Town, frozen_today: dt.date) -> None:
    services.attendance_settings_set(unit=town.units["K1"], expected_by=dt.time(10, 0))
    with clock.freeze(dt.datetime.combine(frozen_today, dt.time(9, 0), tzinfo=clock.OSLO)):
        assert services.missing_arrivals_check() == 0
    assert not mail.outbox


def test_the_confirmation_never_names_the_unit_of_a_strengt_fortrolig_child_to_the_other_parent(town: Town) -> None:
    from oas.people.models import Adressebeskyttelse, Foreldreansvar, Person, RelationKind
    from tests import factories as f

    pupil = town.children["pupil"]
    Person.objects.filter(pk=pupil.pk).update(
        adressebeskyttelse=Adressebeskyttelse.STRENGT_FORTROLIG,
        street_address="",
        unit_number="",
        postal_code="",
        postal_place="",
        address_id="",
        grunnkrets=None,
        skolekrets=None,
    )
    other: Any = f.PersonFactory()
    f.RelationFactory(
        adult=other,
        child=pupil,
        kind=RelationKind.GUARDIAN,
        foreldreansvar=Foreldreansvar.FELLES,
        lives_with_child=False,
    )
    result = services.absence_report(user=f.guardian_account(other).user, child_id=pupil.pk)
    assert result.unit_names == []
    assert AbsenceReport.objects.filter(child=pupil).count() == 1  # the report still reaches the units


def test_the_portal_front_page_points_the_guardian_to_todays_absence(town: Town) -> None:
    services.absence_report(user=town.users["guardian"], child_id=town.children["pupil"].pk)
    page = _client(town.users["guardian"]).get("/portal/")
    assert page.status_code == 200
    assert "Meldt fraværende i dag" in page.content.decode()


def test_absences_today_takes_the_same_number_of_queries_for_one_or_two_children(
    town: Town, django_assert_max_num_queries: Any
) -> None:
    client = _client(town.users["leader"])
    services.absence_report(user=town.users["guardian"], child_id=town.children["small"].pk)
    client.get(reverse("attendance:absences_today"))  # warm caches so both measured requests do the same work
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("attendance:absences_today")).status_code == 200
    services.absence_report(user=town.users["guardian"], child_id=town.children["big"].pk)
    with django_assert_max_num_queries(len(one)):
        page = client.get(reverse("attendance:absences_today"))
    # In the list (the header names the leader's own unit too).
    assert page.content.decode().split("<main", 1)[1].count("Solsikken barnehage") == 2


def test_the_guardians_absence_page_takes_a_fixed_number_of_queries(
    town: Town, django_assert_max_num_queries: Any
) -> None:
    client = _client(town.users["guardian"])
    for child in ("small", "big", "pupil"):
        services.absence_report(user=town.users["guardian"], child_id=town.children[child].pk)
    # Was one absence query per child; the user and the access epoch: two; the menu's unread count: one (then
    # cached for 20 s).
    with django_assert_max_num_queries(9):
        page = client.get(reverse("attendance:portal_absence"))
    assert page.status_code == 200
