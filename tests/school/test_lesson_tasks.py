"""The arbeidsflate's "not registered" task is per lesson of the published timetable (the day without one); the
count and the list on "Mine grupper" agree."""

from __future__ import annotations

import datetime as dt

import pytest

from oas import clock
from oas.errors import ValidationError
from school import public as school_public
from school import services
from school.arbeidsflate import UnregisteredAttendanceProvider
from school.lessons import unregistered_lessons
from school.rollover import school_year_current
from tests.school.conftest import SchoolDemo, login, persona_user
from timetable.models import Lesson, Period, PeriodKind, Requirement, TimetableVersion, VersionStatus
from timetable.public import day_change_record

pytestmark = pytest.mark.django_db

OSLO = clock.local_now().tzinfo


def _publish_timetable(demo: SchoolDemo) -> None:
    """English for 1st grade (the persona "laerer"'s group) today: lesson 1, a double lesson 2–3, and lesson 5."""
    today = clock.today()
    year = school_year_current(municipality=demo.school.municipality)
    assert year is not None
    version = TimetableVersion.objects.create(
        school=demo.school,
        school_year_id=year.pk,
        name="Timeplan",
        status=VersionStatus.PUBLISHED,
        valid_from=year.start_date,
        valid_to=year.end_date,
        created_at=clock.now(),
        published_at=clock.now(),
    )
    slots = [
        ("08:30", "09:15", PeriodKind.LESSON),
        ("09:15", "09:30", PeriodKind.BREAK),
        ("09:30", "10:15", PeriodKind.LESSON),
        ("10:15", "11:00", PeriodKind.LESSON),
        ("11:00", "11:30", PeriodKind.BREAK),
        ("11:30", "12:15", PeriodKind.LESSON),
        ("12:15", "13:00", PeriodKind.LESSON),
    ]
    for position, (start, end, kind) in enumerate(slots, start=1):
        Period.objects.create(
            version=version,
            position=position,
            kind=kind,
            start_time=dt.time.fromisoformat(start),
            end_time=dt.time.fromisoformat(end),
        )
    requirement = Requirement.objects.create(
        version=version, subject_code="ENG", subject_name="Engelsk", group=demo.english_1, hours_per_week=4
    )
    weekday = today.weekday()
    # positions: 1 = lesson 1; 3 = lesson 2 (double: 2–3); 7 = lesson 5 (ends 13:00)
    for position, length in ((1, 1), (3, 2), (7, 1)):
        Lesson.objects.create(version=version, requirement=requirement, day=weekday, position=position, length=length)


def _at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(clock.today(), dt.time(hour, minute), tzinfo=OSLO)


def test_the_task_counts_each_passed_lesson_without_registration(school_demo: SchoolDemo) -> None:
    _publish_timetable(school_demo)
    user = persona_user("laerer")
    english = school_demo.english_1.pk

    with clock.freeze(_at(8, 0)):
        assert not [m for m in unregistered_lessons(user=user) if m.group.pk == english]  # nothing has ended yet
    with clock.freeze(_at(11, 10)):
        ours = [(m.lesson, m.end) for m in unregistered_lessons(user=user) if m.group.pk == english]
        assert ours == [(1, dt.time(9, 15)), (2, dt.time(11, 0))]  # the double lesson is one lesson
        tasks = UnregisteredAttendanceProvider().tasks_for(user=user)
        assert tasks and tasks[0].count == len(unregistered_lessons(user=user))
        assert [english, 1] in tasks[0].details["lessons"] and [english, 2] in tasks[0].details["lessons"]
        page = login("laerer").get(tasks[0].url)
        assert page.status_code == 200
        html = page.content.decode()
        # The list shows exactly the rows the task counts.
        assert html.count("data-lesson=") == tasks[0].count
        assert f'data-group="{english}" data-lesson="2"' in html

        services.attendance_register(user=user, group_id=english, day=clock.today(), lesson=3, absent_ids=[])
        left = [m.lesson for m in unregistered_lessons(user=user) if m.group.pk == english]
        assert left == [1]  # registering lesson 3 (part of the double lesson 2–3) clears it
        after = UnregisteredAttendanceProvider().tasks_for(user=user)
        assert after and after[0].count == tasks[0].count - 1
    with clock.freeze(_at(14, 0)):
        later = [m.lesson for m in unregistered_lessons(user=user) if m.group.pk == english]
        assert later == [1, 5]
        services.attendance_register(user=user, group_id=english, day=clock.today(), lesson=0, absent_ids=[])
        assert not [m for m in unregistered_lessons(user=user) if m.group.pk == english]  # the whole day covers all


def test_without_a_timetable_the_group_counts_the_day_and_others_see_nothing(school_demo: SchoolDemo) -> None:
    user = persona_user("laerer")
    missing = unregistered_lessons(user=user)
    assert missing and all(m.lesson is None for m in missing)  # no published timetable in the demo
    assert UnregisteredAttendanceProvider().tasks_for(user=user)[0].count == len(missing)
    assert unregistered_lessons(user=persona_user("foresatt")) == []
    assert UnregisteredAttendanceProvider().tasks_for(user=persona_user("rektor")) == []  # not the principal's
    assert login("foresatt").get("/skole/").status_code == 403


def test_a_cancelled_lesson_is_not_a_task_and_both_uses_number_lessons_alike(school_demo: SchoolDemo) -> None:
    _publish_timetable(school_demo)
    user = persona_user("laerer")
    english = school_demo.english_1.pk
    today = clock.today()
    # One reader for attendance per lesson and the task: the same lessons, numbered alike (breaks not counted).
    planned = school_public.planned_lessons(group_id=english, day=today)
    assert planned is not None
    assert [(p.number, p.last, p.start, p.end) for p in planned] == [
        (1, 1, dt.time(8, 30), dt.time(9, 15)),
        (2, 3, dt.time(9, 30), dt.time(11, 0)),
        (5, 5, dt.time(12, 15), dt.time(13, 0)),
    ]
    assert school_public.lessons_on(group_ids=[english], day=today) == {english: planned}
    double = Lesson.objects.get(requirement__group_id=english, day=today.weekday(), position=3)
    day_change_record(lesson_id=double.pk, date=today, cancelled=True)
    with clock.freeze(_at(14, 0)):
        ours = [m.lesson for m in unregistered_lessons(user=user) if m.group.pk == english]
        assert ours == [1, 5]  # the cancelled double lesson (2–3) is no task
        tasks = UnregisteredAttendanceProvider().tasks_for(user=user)
        assert tasks and [english, 2] not in tasks[0].details["lessons"]
        # Attendance refuses the cancelled lesson by any of its numbers.
        with pytest.raises(ValidationError):
            services.attendance_register(user=user, group_id=english, day=today, lesson=3, absent_ids=[])
