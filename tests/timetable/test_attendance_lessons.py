"""Attendance per lesson (school) offers the group's lessons from the published timetable, without cancelled ones,
through the reader timetable registers (school may not import timetable: timetable already reads school)."""

from __future__ import annotations

import datetime as dt

import pytest

from school import lessons as school_lessons
from school import public as school_public
from school.models import AttendanceRegistration
from tests.timetable.conftest import TimetableDemo, login
from timetable.models import Lesson
from timetable.public import day_change_record

pytestmark = pytest.mark.django_db


def test_timetable_registers_the_planned_lessons_reader() -> None:
    assert [reader.__module__ for reader in school_lessons._planned_reader] == ["timetable.public"]


def test_the_group_page_offers_the_days_lessons_and_refuses_a_cancelled_one(
    tt_demo: TimetableDemo, frozen_today: dt.date
) -> None:
    group = tt_demo.demo.english_1
    lesson = (
        Lesson.objects.filter(version=tt_demo.version, requirement__group=group).order_by("day", "position").first()
    )
    assert lesson is not None
    date = frozen_today - dt.timedelta(days=(frozen_today.weekday() - lesson.day) % 7)
    planned = school_public.planned_lessons(group_id=group.pk, day=date)
    assert planned is not None and planned
    number = next(
        p.number for p in planned if p.start == lesson.version.periods.get(position=lesson.position).start_time
    )
    url = f"/skole/gruppe/{group.pk}/?dato={date.isoformat()}"
    body = login("laerer").get(url).content.decode()
    assert f'<option value="{number}">' in body and lesson.requirement.subject_name in body
    assert "Timene er hentet fra den publiserte timeplanen." in body
    # Other lesson numbers than the group's lessons that day are not offered.
    offered = {int(v.split('"')[0]) for v in body.split('<option value="')[1:] if v.split('"')[0].isdigit()}
    assert offered == {0, *(p.number for p in planned)}
    day_change_record(lesson_id=lesson.pk, date=date, cancelled=True)
    body = login("laerer").get(url).content.decode()
    assert f'<option value="{number}">' not in body
    assert f'data-cancelled-lesson="{number}"' in body
    refused = login("laerer").post(
        f"/skole/gruppe/{group.pk}/", {"dato": date.isoformat(), "time": str(number)}, follow=True
    )
    assert "Timen er avlyst denne dagen" in refused.content.decode()
    assert not AttendanceRegistration.objects.filter(group=group, day=date, lesson=number).exists()
    # Denied as before: a guardian and a teacher of another school.
    assert login("foresatt").get(url).status_code == 403
    assert login("annenlaerer").get(url).status_code == 404


def test_without_a_published_timetable_the_lesson_numbers_are_offered(tt_demo: TimetableDemo) -> None:
    tt_demo.version.status = "archived"
    tt_demo.version.save(update_fields=["status"])
    group = tt_demo.demo.english_1
    assert school_public.planned_lessons(group_id=group.pk, day=dt.date(2026, 11, 19)) is None
    body = login("laerer").get(f"/skole/gruppe/{group.pk}/").content.decode()
    assert '<option value="8">' in body and "Timene er hentet" not in body
