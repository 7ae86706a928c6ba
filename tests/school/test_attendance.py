"""Lesson attendance: three taps, pre-filled from guardians' reports, one notification, refusals audit-logged."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from attendance.models import AbsenceKind, AbsenceReport
from messaging.models import Notification
from oas import clock
from oas.audit.models import AuditEvent
from school import selectors
from school.models import AttendanceRegistration, GroupMembership, PupilAttendance, Subject, TeachingGroup
from school.selectors import pupil_guardian_ids
from tests.school.conftest import SchoolDemo, login

pytestmark = pytest.mark.django_db


def _sick(child_id: int, day: dt.date) -> AbsenceReport:
    return AbsenceReport.objects.create(
        child_id=child_id, kind=AbsenceKind.SICK, start_date=day, end_date=day, reported_at=clock.now()
    )


def test_seed_school_demo_is_idempotent_and_gives_the_teacher_groups(school_demo: SchoolDemo) -> None:
    counts = (Subject.objects.count(), TeachingGroup.objects.count(), GroupMembership.objects.count())
    regs = AttendanceRegistration.objects.count()
    call_command("seed_school_demo", stdout=io.StringIO())
    assert (Subject.objects.count(), TeachingGroup.objects.count(), GroupMembership.objects.count()) == counts
    assert AttendanceRegistration.objects.count() == regs > 0
    assert {"NOR", "MAT", "ENG", "NAT", "SAF", "KRLE", "KHV", "MUS", "KRO", "MHE", "UTV"} <= set(
        Subject.objects.values_list("code", flat=True)
    )
    # The English group crosses the first grade's classes: 1A's pupils are members.
    members = set(selectors.group_pupil_ids(group=school_demo.english_1, day=clock.today()))
    assert school_demo.child_1a.pk in members


def test_teacher_registers_lesson_with_two_absent_and_one_reported_sick(school_demo: SchoolDemo) -> None:
    today = clock.today()
    group = school_demo.english_1
    pupils = selectors.group_pupil_ids(group=group, day=today)
    sick = school_demo.child_1a.pk
    absent = [p for p in pupils if p != sick][:2]
    _sick(sick, today)
    client = login("laerer")

    page = client.get(f"/skole/gruppe/{group.pk}/?dato={today.isoformat()}&time=2")
    assert page.status_code == 200
    assert f'value="{sick}" id="p{sick}" checked' in page.content.decode()  # pre-filled from the sick report

    response = client.post(
        f"/skole/gruppe/{group.pk}/", {"dato": today.isoformat(), "time": "2", "fravaer": [sick, *absent]}
    )
    assert response.status_code == 302
    rows = {r.pupil_id: r for r in PupilAttendance.objects.filter(registration__group=group, day=today)}
    assert len(rows) == len(pupils)
    assert rows[sick].reason == "sick" and rows[sick].absence_report_id is not None
    assert all(rows[p].reason == "unannounced" for p in absent)
    assert sum(1 for r in rows.values() if r.present) == len(pupils) - 3

    guardians = {a for adults in pupil_guardian_ids(pupil_ids=absent, day=today).values() for a in adults}
    notes = Notification.objects.filter(key__startswith="school.absence.")
    assert set(notes.values_list("person_id", flat=True)) == guardians
    assert not notes.filter(key__contains=f".{sick}.").exists()  # reported sick: nobody is notified

    # The next lesson registers the same pupils absent again: no second notification that day.
    client.post(f"/skole/gruppe/{group.pk}/", {"dato": today.isoformat(), "time": "3", "fravaer": absent})
    assert Notification.objects.filter(key__startswith="school.absence.").count() == notes.count() == len(guardians)
    assert AuditEvent.objects.filter(event="school.attendance.register").count() == 2


def test_all_present_is_one_tap_and_keeps_reported_absence(school_demo: SchoolDemo) -> None:
    today = clock.today()
    _sick(school_demo.child_1a.pk, today)
    client = login("kontaktlaerer")
    response = client.post(f"/skole/gruppe/{school_demo.class_1a.pk}/", {"dato": today.isoformat(), "alle": "1"})
    assert response.status_code == 302
    absent = PupilAttendance.objects.filter(registration__group=school_demo.class_1a, day=today, present=False)
    assert list(absent.values_list("pupil_id", "reason")) == [(school_demo.child_1a.pk, "sick")]
    assert not Notification.objects.filter(key__startswith="school.absence.").exists()


def test_attendance_on_a_sunday_is_refused_and_audited(school_demo: SchoolDemo) -> None:
    client = login("laerer")
    sunday = dt.date(2026, 11, 15)
    response = client.post(
        "/api/v1/school/fravaer",
        {"gruppe": school_demo.english_1.pk, "dato": sunday.isoformat(), "time": 1, "fravaer": []},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "skoledag" in response.json()["message"]
    assert not AttendanceRegistration.objects.filter(day=sunday).exists()
    assert AuditEvent.objects.filter(event="school.attendance.register.denied").count() == 1


def test_attendance_for_a_pupil_not_in_the_group_is_refused(school_demo: SchoolDemo) -> None:
    today = clock.today()
    outsider = (
        GroupMembership.objects.exclude(group=school_demo.english_1)
        .exclude(pupil_id__in=selectors.group_pupil_ids(group=school_demo.english_1, day=today))
        .values_list("pupil_id", flat=True)
        .first()
    )
    client = login("laerer")
    response = client.post(
        "/api/v1/school/fravaer",
        {"gruppe": school_demo.english_1.pk, "dato": today.isoformat(), "time": 1, "fravaer": [outsider]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not AttendanceRegistration.objects.filter(group=school_demo.english_1, day=today).exists()
    denied = AuditEvent.objects.get(event="school.attendance.register.denied")
    assert denied.person_ids == [outsider]


def test_teacher_of_another_school_cannot_register(school_demo: SchoolDemo) -> None:
    today = clock.today()
    client = login("annenlaerer")
    response = client.post(
        "/api/v1/school/fravaer",
        {"gruppe": school_demo.english_1.pk, "dato": today.isoformat(), "time": 1, "fravaer": []},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not AttendanceRegistration.objects.filter(group=school_demo.english_1, day=today).exists()
    assert AuditEvent.objects.filter(event="school.group.register_attendance.denied").exists()
    assert client.post(f"/skole/gruppe/{school_demo.english_1.pk}/", {"dato": today.isoformat()}).status_code == 404


def test_teacher_without_assignment_cannot_register_for_a_class(school_demo: SchoolDemo) -> None:
    # "laerer" teaches 1A's groups but is not 1A's contact teacher: the class itself is not theirs.
    client = login("laerer")
    assert client.get(f"/skole/gruppe/{school_demo.class_1a.pk}/").status_code == 404
