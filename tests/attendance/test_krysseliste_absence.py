"""The krysseliste (issue 15): staff mark a child sick or absent on the list, a guardian's report stays visible
after the child is tapped in, times are Norwegian local time, the counts and the script's texts come from the page."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from attendance import services
from attendance.models import AbsenceReport, AbsenceSource, MissingArrival
from oas import clock
from oas.access.getters import AccessNotFound
from oas.audit.models import AuditEvent
from oas.errors import ValidationError

from .conftest import Town

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _mark(client: Client, unit: int, child: int, kind: str = "sick", *, json_reply: bool = True) -> object:
    headers = {"Accept": "application/json"} if json_reply else {}
    url = reverse("attendance:krysseliste_absence", args=[unit])
    return client.post(url, {"child_id": child, "kind": kind}, headers=headers)


# --- the service ---------------------------------------------------------------------------------------------


def test_staff_mark_a_child_sick_today_as_a_staff_report_with_an_audit_row(town: Town, frozen_today: dt.date) -> None:
    small = town.children["small"]
    MissingArrival.objects.create(child=small, unit=town.units["K1"], day=frozen_today, created_at=clock.now())
    report = services.absence_mark(user=town.users["dept_staff"], unit_id=town.units["D1"].pk, child_id=small.pk)
    assert (report.kind, report.start_date, report.end_date) == ("sick", frozen_today, frozen_today)
    assert report.source == AbsenceSource.STAFF
    assert report.reported_by_user_id == town.users["dept_staff"].pk
    assert MissingArrival.objects.get(child=small).resolved_at is not None
    audit = AuditEvent.objects.get(event="attendance.absence.mark")
    assert audit.object_id == str(report.pk)


def test_a_guardians_report_is_marked_as_the_guardians(town: Town) -> None:
    result = services.absence_report(user=town.users["guardian"], child_id=town.children["big"].pk)
    assert result.report.source == AbsenceSource.GUARDIAN


def test_a_child_already_reported_absent_is_not_marked_twice(town: Town) -> None:
    big = town.children["big"]
    services.absence_report(user=town.users["guardian"], child_id=big.pk)
    with pytest.raises(ValidationError) as exc:
        services.absence_mark(user=town.users["dept_staff"], unit_id=town.units["D1"].pk, child_id=big.pk)
    assert exc.value.code == "already_absent"
    assert AbsenceReport.objects.filter(child=big).count() == 1


def test_a_child_checked_in_is_not_marked_absent(town: Town) -> None:
    small = town.children["small"]
    services.attendance_check(
        user=town.users["dept_staff"], unit_id=town.units["D1"].pk, child_id=small.pk, kind="in", key="k1"
    )
    with pytest.raises(ValidationError) as exc:
        services.absence_mark(user=town.users["dept_staff"], unit_id=town.units["D1"].pk, child_id=small.pk)
    assert exc.value.code == "checked_in"
    assert not AbsenceReport.objects.exists()


def test_a_child_of_another_department_is_refused_and_the_refusal_audited(town: Town) -> None:
    with pytest.raises(ValidationError) as exc:
        services.absence_mark(
            user=town.users["leader"], unit_id=town.units["D2"].pk, child_id=town.children["small"].pk
        )
    assert exc.value.code == "not_placed"
    assert not AbsenceReport.objects.exists()
    assert AuditEvent.objects.filter(event="attendance.checkin.not_placed").exists()


def test_staff_of_another_unit_cannot_mark_absence(town: Town) -> None:
    with pytest.raises(AccessNotFound):
        services.absence_mark(
            user=town.users["other_unit_staff"], unit_id=town.units["D1"].pk, child_id=town.children["small"].pk
        )
    assert not AbsenceReport.objects.exists()


def test_an_unknown_kind_writes_nothing(town: Town) -> None:
    with pytest.raises(ValidationError):
        services.absence_mark(
            user=town.users["dept_staff"], unit_id=town.units["D1"].pk, child_id=town.children["small"].pk, kind="x"
        )
    assert not AbsenceReport.objects.exists()


# --- the endpoint ------------------------------------------------------------------------------------------------


def test_department_staff_mark_a_child_sick_on_the_list(town: Town) -> None:
    response = _mark(_client(town.users["dept_staff"]), town.units["D1"].pk, town.children["small"].pk)
    assert response.status_code == 201  # type: ignore[attr-defined]
    assert response.json() == {  # type: ignore[attr-defined]
        "child_id": town.children["small"].pk,
        "status": "absent",
        "kind": "sick",
        "label": "Sykt barn",
    }
    assert AbsenceReport.objects.get().source == AbsenceSource.STAFF


def test_without_the_script_the_form_goes_back_to_the_list(town: Town) -> None:
    response = _mark(
        _client(town.users["dept_staff"]), town.units["D1"].pk, town.children["big"].pk, "other", json_reply=False
    )
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response["Location"] == reverse("attendance:krysseliste", args=[town.units["D1"].pk])  # type: ignore[index]
    assert AbsenceReport.objects.get().kind == "other"


def test_a_refused_mark_answers_400_with_the_reason(town: Town) -> None:
    client = _client(town.users["dept_staff"])
    _mark(client, town.units["D1"].pk, town.children["small"].pk)
    again = _mark(client, town.units["D1"].pk, town.children["small"].pk)
    assert again.status_code == 400  # type: ignore[attr-defined]
    assert again.json()["code"] == "already_absent"  # type: ignore[attr-defined]
    missing = _client(town.users["dept_staff"]).post(
        reverse("attendance:krysseliste_absence", args=[town.units["D1"].pk]),
        {"kind": "sick"},
        headers={"Accept": "application/json"},
    )
    assert missing.status_code == 400
    assert AbsenceReport.objects.count() == 1


def test_staff_of_another_unit_get_404_on_the_mark(town: Town) -> None:
    response = _mark(_client(town.users["other_unit_staff"]), town.units["D1"].pk, town.children["small"].pk)
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert not AbsenceReport.objects.exists()


def test_guardians_get_403_on_the_mark(town: Town) -> None:
    response = _mark(_client(town.users["guardian"]), town.units["D1"].pk, town.children["small"].pk)
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert not AbsenceReport.objects.exists()


def test_the_mark_takes_only_post(town: Town) -> None:
    url = reverse("attendance:krysseliste_absence", args=[town.units["D1"].pk])
    assert _client(town.users["dept_staff"]).get(url).status_code == 405


# --- the page ----------------------------------------------------------------------------------------------------


def test_a_guardians_report_stays_visible_after_the_child_is_tapped_in_in_oslo_time(town: Town) -> None:
    big = town.children["big"]
    services.absence_report(user=town.users["guardian"], child_id=big.pk)
    # 08:12 in Oslo is 07:12 UTC in November: the page says 08:12.
    with clock.freeze(dt.datetime(2026, 11, 19, 7, 12, tzinfo=dt.UTC)):
        services.attendance_check(
            user=town.users["dept_staff"], unit_id=town.units["D1"].pk, child_id=big.pk, kind="in", key="k"
        )
        html = (
            _client(town.users["dept_staff"])
            .get(reverse("attendance:krysseliste", args=[town.units["D1"].pk]))
            .content.decode()
        )
    assert f'data-child="{big.pk}" data-status="in"' in html
    assert "Meldt syk av foresatt – krysset inn 08:12" in html
    assert "Inne siden 08:12" in html
    assert "07:12" not in html


def test_the_page_counts_present_not_arrived_absent_and_gone(town: Town) -> None:
    services.absence_report(user=town.users["guardian"], child_id=town.children["big"].pk)
    services.attendance_check(
        user=town.users["dept_staff"],
        unit_id=town.units["D1"].pk,
        child_id=town.children["small"].pk,
        kind="in",
        key="k",
    )
    html = (
        _client(town.users["dept_staff"])
        .get(reverse("attendance:krysseliste", args=[town.units["D1"].pk]))
        .content.decode()
    )
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', html))
    assert counts == {"in": "1", "expected": "0", "absent": "1", "out": "0"}


def test_the_scripts_texts_come_translated_from_the_page(town: Town) -> None:
    client = _client(town.users["dept_staff"])
    html = client.get(reverse("attendance:krysseliste", args=[town.units["D1"].pk])).content.decode()
    found = re.search(r'<script id="kryss-config" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    config = json.loads(found.group(1))
    assert config["time_zone"] == "Europe/Oslo"
    assert config["locale"] == "nb-NO"
    assert config["strings"]["in_since"] == "Inne siden %(time)s"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("attendance:krysseliste", args=[town.units["D1"].pk])).content.decode()
    assert '"locale": "en-GB"' in english


def test_the_static_script_holds_no_user_text() -> None:
    script = (Path(settings.BASE_DIR) / "static" / "attendance" / "krysseliste.js").read_text()
    code = "\n".join(line for line in script.splitlines() if not line.strip().startswith("//"))
    for text in ("Inne", "Gått", "Kryss", "avvist", "Registrering", "Meldt", "syk", "Checked", 'rejected"'):
        assert text not in code, text
    assert "toTimeString" not in code  # the tablet's own time zone is never used
    assert "timeZone: config.time_zone" in code
