"""Absence rules: portal and SMS once, documented absence and the leaving certificate (§ 9-44), thresholds, tasks."""

from __future__ import annotations

import datetime as dt

import pytest

from attendance.public import is_expected_day
from messaging.models import Channel, Delivery
from oas import clock
from oas.audit.models import AuditEvent
from oas.people.models import Person
from school import absence, services
from school.arbeidsflate import AbsenceThresholdProvider, UnregisteredAttendanceProvider
from school.models import PupilAttendance, SchoolSettings
from school.rollover import school_year_current
from school.selectors import group_pupil_ids, pupil_guardian_ids
from tests.school.conftest import SchoolDemo, login, persona_user

pytestmark = pytest.mark.django_db


def _school_days_back(n: int) -> list[dt.date]:
    days: list[dt.date] = []
    day = clock.today()
    while len(days) < n:
        if is_expected_day(day):
            days.append(day)
        day -= dt.timedelta(days=1)
    return days


def test_unannounced_absence_notifies_by_portal_and_sms_once(school_demo: SchoolDemo) -> None:
    today = clock.today()
    group = school_demo.english_1
    absent = [p for p in group_pupil_ids(group=group, day=today) if p != school_demo.child_1a.pk][:2]
    client = login("laerer")
    client.post(f"/skole/gruppe/{group.pk}/", {"dato": today.isoformat(), "time": "2", "fravaer": absent})
    guardians = {a for adults in pupil_guardian_ids(pupil_ids=absent, day=today).values() for a in adults}
    with_phone = set(Person.objects.filter(pk__in=guardians).exclude(phone="").values_list("pk", flat=True))
    assert with_phone
    sms = Delivery.objects.filter(notification__key__startswith="school.absence.", channel=Channel.SMS)
    assert set(sms.values_list("notification__person_id", flat=True)) == with_phone
    client.post(f"/skole/gruppe/{group.pk}/", {"dato": today.isoformat(), "time": "3", "fravaer": absent})
    assert sms.count() == len(with_phone)  # the second lesson sends nothing more


def test_documented_days_are_left_off_the_certificate_up_to_ten(school_demo: SchoolDemo) -> None:
    pupil = school_demo.child_1a.pk
    klass = school_demo.class_1a
    PupilAttendance.objects.filter(pupil_id=pupil).delete()  # the seed's random week
    user = persona_user("kontaktlaerer")
    days = _school_days_back(13)
    for day in days[:12]:
        services.attendance_register(user=user, group_id=klass.pk, day=day, lesson=0, absent_ids=[pupil])
    services.attendance_register(user=user, group_id=klass.pk, day=days[12], lesson=2, absent_ids=[pupil])
    client = login("kontaktlaerer")
    for day in days[:11]:
        response = client.post(f"/skole/elev/{pupil}/dokumentert/", {"dato": day.isoformat(), "notat": "Legeattest"})
        assert response.status_code == 302
    assert PupilAttendance.objects.filter(pupil_id=pupil, documented=True).count() == 11
    year = school_year_current(municipality=klass.municipality)
    assert year is not None
    counted = absence.certificate_absence(pupil_id=pupil, school_year=year, grade=8)
    assert (counted.days, counted.hours, counted.documented_days, counted.days_left_out) == (12, 1, 11, 10)
    assert counted.days_on_certificate == 2 and counted.applies
    assert not absence.certificate_absence(pupil_id=pupil, school_year=year, grade=7).applies  # from 8th grade
    assert AuditEvent.objects.filter(event="school.absence.document", person_ids=[pupil]).count() == 11


def test_documented_single_hours_are_left_out_like_days_within_the_ten(school_demo: SchoolDemo) -> None:
    """§ 9-44: documented single hours are left off the certificate like days; the 10 days are shared, in date order."""
    pupil = school_demo.child_1a.pk
    klass = school_demo.class_1a
    PupilAttendance.objects.filter(pupil_id=pupil).delete()  # the seed's random week
    user = persona_user("kontaktlaerer")
    client = login("kontaktlaerer")
    days = sorted(_school_days_back(13))

    def register(day: dt.date, lesson: int) -> None:
        services.attendance_register(user=user, group_id=klass.pk, day=day, lesson=lesson, absent_ids=[pupil])

    def document(day: dt.date) -> None:
        response = client.post(f"/skole/elev/{pupil}/dokumentert/", {"dato": day.isoformat(), "notat": "Legeattest"})
        assert response.status_code == 302

    for day in days[:9]:  # nine documented whole days
        register(day, 0)
        document(day)
    register(days[9], 2)  # the tenth day: two documented single hours
    register(days[9], 3)
    document(days[9])
    register(days[10], 4)  # documented, but the ten days are used up
    document(days[10])
    register(days[11], 1)
    document(days[11])
    register(days[11], 5)  # after the note: not documented
    register(days[12], 2)  # never documented
    year = school_year_current(municipality=klass.municipality)
    assert year is not None

    counted = absence.certificate_absence(pupil_id=pupil, school_year=year, grade=9)

    assert (counted.days, counted.documented_days, counted.days_left_out, counted.days_on_certificate) == (9, 9, 9, 0)
    assert (counted.hours, counted.documented_hours, counted.hours_left_out) == (6, 4, 2)
    assert counted.hours_on_certificate == 4
    # Within the ten days every documented single hour is left out; undocumented ones always count.
    PupilAttendance.objects.filter(pupil_id=pupil, day__in=days[:3]).delete()
    counted = absence.certificate_absence(pupil_id=pupil, school_year=year, grade=9)
    assert (counted.days_left_out, counted.hours_left_out, counted.hours_on_certificate) == (6, 4, 2)


def test_documenting_a_day_without_absence_is_refused(school_demo: SchoolDemo) -> None:
    pupil = school_demo.child_1a.pk
    PupilAttendance.objects.filter(pupil_id=pupil).delete()
    client = login("kontaktlaerer")
    response = client.post(f"/skole/elev/{pupil}/dokumentert/", {"dato": clock.today().isoformat()}, follow=True)
    assert "ikke registrert fravær" in response.content.decode()
    future = (clock.today() + dt.timedelta(days=3)).isoformat()
    response = client.post(f"/skole/elev/{pupil}/dokumentert/", {"dato": future}, follow=True)
    assert "har vært" in response.content.decode()
    assert AuditEvent.objects.filter(event="school.absence.document.denied", person_ids=[pupil]).count() == 2


def test_documenting_is_denied_outside_the_pupils_school(school_demo: SchoolDemo) -> None:
    pupil = school_demo.child_1a.pk
    assert login("foresatt").post(f"/skole/elev/{pupil}/dokumentert/", {"dato": "2026-11-18"}).status_code == 403
    other = Person.objects.filter(placements__unit=school_demo.other_school, placements__service="school").first()
    assert other is not None
    assert login("rektor").post(f"/skole/elev/{other.pk}/dokumentert/", {"dato": "2026-11-18"}).status_code == 404


def test_class_absence_page_flags_pupils_over_the_threshold(school_demo: SchoolDemo) -> None:
    today = clock.today()
    pupil = school_demo.child_1a.pk
    services.attendance_register(
        user=persona_user("kontaktlaerer"), group_id=school_demo.class_1a.pk, day=today, absent_ids=[pupil]
    )
    SchoolSettings.objects.update_or_create(
        municipality=school_demo.school.municipality, defaults={"absence_threshold_percent": 15}
    )
    response = login("kontaktlaerer").get(f"/skole/gruppe/{school_demo.class_1a.pk}/fravaer/")
    assert response.status_code == 200
    body = response.content.decode()
    rates = absence.absence_rates(group_ids=[school_demo.class_1a.pk], since=absence.term_start(today))
    over = {r.pupil_id for r in rates[school_demo.class_1a.pk] if r.percent >= 15}
    assert pupil in over
    for pid in over:
        assert f'data-pupil="{pid}" data-over="1"' in body
    assert AuditEvent.objects.filter(event="school.absence.class.read", person_ids__contains=[pupil]).exists()
    # The contact teacher gets a task on the arbeidsflate.
    tasks = AbsenceThresholdProvider().tasks_for(user=persona_user("kontaktlaerer"))
    assert tasks and tasks[0].count == len(over)
    assert AbsenceThresholdProvider().tasks_for(user=persona_user("laerer")) == []


def test_class_absence_page_denied(school_demo: SchoolDemo) -> None:
    url = f"/skole/gruppe/{school_demo.class_1a.pk}/fravaer/"
    assert login("laerer").get(url).status_code == 404  # teaches 1A's groups, not the class
    assert login("foresatt").get(url).status_code == 403
    assert login("rektor").get(url).status_code == 200


def test_a_teacher_gets_a_task_until_the_lesson_is_registered(school_demo: SchoolDemo) -> None:
    user = persona_user("kontaktlaerer")
    tasks = UnregisteredAttendanceProvider().tasks_for(user=user)
    assert tasks and school_demo.class_1a.pk in tasks[0].details["groups"]
    services.attendance_register(user=user, group_id=school_demo.class_1a.pk, day=clock.today(), absent_ids=[])
    after = UnregisteredAttendanceProvider().tasks_for(user=user)
    assert not after or school_demo.class_1a.pk not in after[0].details["groups"]
    assert UnregisteredAttendanceProvider().tasks_for(user=persona_user("foresatt")) == []


def test_overview_counts_pupils_over_the_threshold(school_demo: SchoolDemo) -> None:
    response = login("rektor").get(f"/skole/{school_demo.school.pk}/oversikt/")
    assert response.status_code == 200
    assert "Elever over fraværsgrensen" in response.content.decode()
