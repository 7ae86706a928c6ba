"""Today's lessons of a teacher's groups and which of them have passed without attendance (the arbeidsflate task).

The lessons come from the published timetable: the timetable app registers a *lesson source*
(``school.public.register_lesson_source``; school never imports the timetable, which reads school's public API).
A lesson is the group's slot in the published version valid today (lesson number = its first lesson period of the
day, counted from 1; a double lesson is one lesson that ends with its last period). It is unregistered once it has
ended and neither its lesson numbers nor the whole day (lesson 0) have a registration. A group without a published
timetable falls back to the day: one item, the day, until anything is registered for the group today.

``unregistered_lessons`` is both the task's count and the list on "Mine grupper": they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from attendance.public import is_expected_day
from oas import clock
from oas.access.evaluation import access_queryset
from oas.organisation.models import OrgUnit
from oas.periods import active_on
from school import selectors
from school.models import DAY_LESSON, AttendanceRegistration

if TYPE_CHECKING:
    from oas.access.principal import Actor


@dataclass(frozen=True)
class ScheduledLesson:
    """One lesson of a group on a day: its lesson numbers (first..last) and when it ends."""

    group_id: int
    first: int
    last: int
    start: dt.time
    end: dt.time


# group ids, day → the lessons per group that has a timetable that day (an empty list: a timetable, no lessons today)
LessonSource = Callable[[list[int], dt.date], dict[int, list[ScheduledLesson]]]
_sources: list[LessonSource] = []


def register_lesson_source(source: LessonSource) -> None:
    """Register where today's lessons come from (the timetable app, in its ``ready``); idempotent."""
    if source not in _sources:
        _sources.append(source)


def scheduled_lessons(*, group_ids: list[int], day: dt.date) -> dict[int, list[ScheduledLesson]]:
    """Return the groups' lessons on ``day`` from the registered sources (a group without a timetable is left out)."""
    out: dict[int, list[ScheduledLesson]] = {}
    for source in _sources:
        for group_id, lessons in source(group_ids, day).items():
            out.setdefault(group_id, []).extend(lessons)
    for lessons in out.values():
        lessons.sort(key=lambda lesson: lesson.first)
    return out


@dataclass(frozen=True)
class MissingLesson:
    """A lesson (or, without a timetable, the day) of the teacher's group that passed without registration."""

    group: OrgUnit
    lesson: int | None  # None: the whole day (no timetable for the group)
    start: dt.time | None
    end: dt.time | None


def unregistered_lessons(*, user: Actor, now: dt.datetime | None = None) -> list[MissingLesson]:
    """Return today's lessons of the user's groups (assigned teacher) that have ended without registration."""
    local = (now or clock.now()).astimezone(clock.local_now().tzinfo)
    today, time_now = local.date(), local.time()
    if not is_expected_day(today):
        return []
    account = getattr(user, "account", None)
    if account is None or getattr(account, "employee_id", None) is None:
        return []
    qs = OrgUnit.objects.filter(active_on(today), kind__in=selectors.SCHOOL_GROUP_KINDS).select_related(
        "parent", "teaching_group"
    )
    groups = [
        g
        for g in access_queryset(user=user, action="school.group.teach", queryset=qs).order_by("name")
        if selectors.is_school_group(g)
    ]
    if not groups:
        return []
    schedule = scheduled_lessons(group_ids=[g.pk for g in groups], day=today)
    registered: dict[int, set[int]] = {}
    for group_id, lesson in AttendanceRegistration.objects.filter(group__in=groups, day=today).values_list(
        "group_id", "lesson"
    ):
        registered.setdefault(group_id, set()).add(lesson)
    missing: list[MissingLesson] = []
    for group in groups:
        done = registered.get(group.pk, set())
        lessons = schedule.get(group.pk)
        if lessons is None:  # no published timetable: the day, as before
            if not done:
                missing.append(MissingLesson(group=group, lesson=None, start=None, end=None))
            continue
        if DAY_LESSON in done:
            continue
        missing.extend(
            MissingLesson(group=group, lesson=lesson.first, start=lesson.start, end=lesson.end)
            for lesson in lessons
            if lesson.end <= time_now and not done & set(range(lesson.first, lesson.last + 1))
        )
    missing.sort(key=lambda m: (m.start or dt.time.min, m.group.name))
    return missing
