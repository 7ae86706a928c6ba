"""Saving one lesson's attendance costs a fixed, small number of queries (benchmarks/school.py measures the time)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attendance.models import AbsenceKind, AbsenceReport
from oas import clock
from oas.audit.models import AuditEvent
from oas.organisation.models import OrgUnit, OrgUnitKind
from school import selectors, services
from school.models import LeaveApplication, LeaveStatus, PupilAttendance
from school.rollover import school_year_current
from tests.school.conftest import SchoolDemo, persona_user

pytestmark = pytest.mark.django_db

# Before: 25 queries for a save that notifies one pupil's guardians and 18 for one that does not (teaching-group
# lookups, members, leave, registration update_or_create, previous rows, notified, delete, insert, …). After: 15 and
# 11 (group + authorisation 3, members with leave 1, reports 1, registration upsert 1, the day's rows 1, rows upsert
# 1, audit 1, the savepoint pair inside the test's transaction 2; notifying adds guardians and messaging's 3).
# One more since attendance reads the published timetable: whether the lesson is cancelled that day (a day change).
MAX_QUERIES = 12
MAX_QUERIES_NOTIFYING = 16


def _save(demo: SchoolDemo, lesson: int, absent: list[int]) -> tuple[int, list[str]]:
    user = persona_user("laerer")
    services.attendance_register(user=user, group_id=demo.english_1.pk, day=clock.today(), lesson=9, absent_ids=[])
    with CaptureQueriesContext(connection) as ctx:
        services.attendance_register(
            user=user, group_id=demo.english_1.pk, day=clock.today(), lesson=lesson, absent_ids=absent
        )
    return len(ctx.captured_queries), [q["sql"][:160] for q in ctx.captured_queries]


def test_a_lesson_save_is_a_fixed_number_of_queries_with_leave_and_reports(school_demo: SchoolDemo) -> None:
    today = clock.today()
    pupils = selectors.group_pupil_ids(group=school_demo.english_1, day=today)
    assert len(pupils) >= 6
    year = school_year_current(municipality=school_demo.school.municipality)
    assert year is not None
    on_leave, sick, unannounced = pupils[0], pupils[1], pupils[2]
    LeaveApplication.objects.create(
        pupil_id=on_leave,
        school=school_demo.school,
        school_year=year,
        applied_by_id=on_leave,
        start_date=today,
        end_date=today,
        school_days=1,
        reason="Bryllup",
        status=LeaveStatus.GRANTED,
        created_at=clock.now(),
    )
    AbsenceReport.objects.create(
        child_id=sick, kind=AbsenceKind.SICK, start_date=today, end_date=today, reported_at=clock.now()
    )
    PupilAttendance.objects.filter(pupil_id__in=pupils, day=today).delete()

    first, sql_first = _save(school_demo, 4, [on_leave, sick, unannounced])
    again, sql_again = _save(school_demo, 4, [on_leave, sick])

    print(f"queries: first save {first}, second save {again}")
    assert first <= MAX_QUERIES_NOTIFYING, "\n".join(sql_first)
    assert again <= MAX_QUERIES, "\n".join(sql_again)
    rows = {r.pupil_id: r for r in PupilAttendance.objects.filter(day=today, registration__lesson=4)}
    assert set(rows) == set(pupils)
    assert (rows[on_leave].reason, rows[sick].reason, rows[unannounced].present) == ("leave", "sick", True)
    assert rows[unannounced].guardians_notified  # notified on the first save, kept on the second
    assert AuditEvent.objects.filter(event="school.attendance.register", details__lesson=4).count() == 2


def test_the_principals_absence_overview_is_two_queries_however_many_classes(school_demo: SchoolDemo) -> None:
    """The overview aggregates in the database: one query for the classes with their pupils, one for the
    registrations of every class (a query per class or per pupil would grow with the school; issue 16's target is
    < 300 ms for a ~500-pupil school)."""
    today = clock.today()
    classes = list(OrgUnit.objects.filter(parent=school_demo.school, kind=OrgUnitKind.CLASS).order_by("pk"))
    assert len(classes) >= 3
    user = persona_user("rektor")
    absent_in_1a = selectors.group_pupil_ids(group=school_demo.class_1a, day=today)[:2]
    services.attendance_register(
        user=user, group_id=school_demo.class_1a.pk, day=today, lesson=0, absent_ids=absent_in_1a
    )
    other = next(c for c in classes if c.pk != school_demo.class_1a.pk and c.grade)
    services.attendance_register(user=user, group_id=other.pk, day=today, lesson=0, absent_ids=[])

    with CaptureQueriesContext(connection) as ctx:
        rows = selectors.school_absence_overview(school=school_demo.school, since=today)

    assert len(ctx.captured_queries) == 2, "\n".join(q["sql"][:160] for q in ctx.captured_queries)
    by_class = {r.class_id: r for r in rows}
    assert len(by_class) >= 3
    assert (by_class[school_demo.class_1a.pk].registrations, by_class[school_demo.class_1a.pk].absent_rows) == (1, 2)
    assert (by_class[other.pk].registrations, by_class[other.pk].absent_rows) == (1, 0)
    assert by_class[school_demo.class_1a.pk].pupils == len(
        selectors.group_pupil_ids(group=school_demo.class_1a, day=today)
    )
