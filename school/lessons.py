"""Today's lessons of a teacher's groups and which of them have passed without attendance (the arbeidsflate task).

The lessons come from the published timetable through the one reader the timetable app registers
(``planned_lessons_reader_register``; school never imports the timetable, which reads school's public API); the same
reader gives attendance per lesson its lessons (``planned_lessons``), so both number lessons alike. A lesson is the
group's slot in the published version valid today (lesson number = its first lesson period of the day, counted from
1, breaks not counted; a double lesson is one lesson that ends with its last period). It is unregistered once it has
ended, is not cancelled that day (a day change) and neither its lesson numbers nor the whole day (lesson 0) have a
registration. A group without a published
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
class PlannedLesson:
    """A lesson of a group on a day as the published timetable has it, with that day's change (if any).

    Lesson numbers count the day's lesson periods from 1 (breaks are not counted); a double lesson is one lesson
    from ``number`` to ``last`` that ends when its last period ends.
    """

    group_id: int
    number: int  # the lesson's first lesson period of the day (1 = the first lesson period)
    last: int  # its last lesson period (= number for a single lesson)
    start: dt.time
    end: dt.time
    subject: str
    room: str  # the day's room (a day change may move it)
    cancelled: bool  # cancelled that day (a day change)
    change: str  # the day change in Norwegian («avlyst», «i rom 204», «vikar: …»), empty when none

    @property
    def length(self) -> int:
        return self.last - self.number + 1

    @property
    def numbers(self) -> range:
        return range(self.number, self.last + 1)


# group ids, day → the lessons per group that has a published timetable that day (an empty list: a timetable, no
# lessons that day); a group without one is left out.
LessonsReader = Callable[[list[int], dt.date], dict[int, list[PlannedLesson]]]
_planned_reader: list[LessonsReader] = []


def planned_lessons_reader_register(reader: LessonsReader) -> None:
    """Register the reader of the groups' lessons on a day (the timetable app, in its ``ready``: school may not
    import it, the timetable already reads school); registering again replaces it."""
    _planned_reader[:] = [reader]


def lessons_on(*, group_ids: list[int], day: dt.date) -> dict[int, list[PlannedLesson]]:
    """Return the groups' lessons on ``day`` from the published timetable, cancelled ones marked (a group without a
    published timetable is left out; without a registered reader every group is)."""
    if not _planned_reader or not group_ids:
        return {}
    return _planned_reader[0](group_ids, day)


def planned_lessons(*, group_id: int, day: dt.date) -> list[PlannedLesson] | None:
    """Return the group's lessons on ``day`` from the published timetable (cancelled ones marked), or None when there
    is no published timetable for the group (attendance then offers lesson numbers)."""
    return lessons_on(group_ids=[group_id], day=day).get(group_id)


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
    schedule = lessons_on(group_ids=[g.pk for g in groups], day=today)
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
            MissingLesson(group=group, lesson=lesson.number, start=lesson.start, end=lesson.end)
            for lesson in lessons
            if not lesson.cancelled and lesson.end <= time_now and not done & set(lesson.numbers)
        )
    missing.sort(key=lambda m: (m.start or dt.time.min, m.group.name))
    return missing
