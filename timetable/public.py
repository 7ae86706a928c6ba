"""The interface other apps may use (plain dataclasses; never models).

* ``day_change_record(*, lesson_id, date, cancelled=False, room_id=None, substitute_employee_id=None, note="",
  user=None) -> DayChangeInfo`` — a lesson of the published timetable cancelled, in another room or taken by a
  substitute on one date (for the substitutes module); notifies the people affected once and updates Office 365.
* ``group_lessons_on(*, group_id, day)`` — registered as school's planned-lessons reader (attendance per lesson).
* ``lessons_on(group_ids, day)`` — registered as school's lesson source (the "lesson not registered" task).
"""

from __future__ import annotations

import datetime as dt

from school.public import PlannedLesson, ScheduledLesson
from timetable.daychanges import DayChangeInfo, day_change_record
from timetable.daychanges import group_lessons_on as _group_lessons_on
from timetable.models import Lesson, PeriodKind, Requirement, VersionStatus
from timetable.selectors import published_version


def group_lessons_on(*, group_id: int, day: dt.date) -> list[PlannedLesson] | None:
    """The reader school's attendance uses (registered in TimetableConfig.ready): a group's lessons on a day."""
    return _group_lessons_on(group_id=group_id, day=day)


def lessons_on(group_ids: list[int], day: dt.date) -> dict[int, list[ScheduledLesson]]:
    """Return, per group among ``group_ids`` that has a published timetable on ``day``, its lessons that day.

    Lesson numbers count the day's lesson periods from 1 (breaks not counted); a double lesson is one lesson with
    its first and last number, ending when its last period ends. Registered as school's lesson source.
    """
    if not group_ids:
        return {}
    schools = set(
        Requirement.objects.filter(
            group_id__in=group_ids,
            version__status=VersionStatus.PUBLISHED,
            version__valid_from__lte=day,
            version__valid_to__gte=day,
        ).values_list("version__school_id", flat=True)
    )
    out: dict[int, list[ScheduledLesson]] = {}
    for school_id in sorted(schools):
        version = published_version(school_id=school_id, day=day)
        if version is None:
            continue
        for group_id in Requirement.objects.filter(version=version, group_id__in=group_ids).values_list(
            "group_id", flat=True
        ):
            out.setdefault(group_id, [])
        if day.weekday() >= version.days_per_week:
            continue
        periods = list(version.periods.filter(kind=PeriodKind.LESSON).order_by("position"))
        positions = [p.position for p in periods]
        todays = Lesson.objects.filter(version=version, day=day.weekday(), requirement__group_id__in=group_ids)
        for lesson in todays.select_related("requirement").order_by("position"):
            if lesson.position not in positions:
                continue
            first = positions.index(lesson.position)
            last = min(first + max(lesson.length, 1), len(periods)) - 1
            out.setdefault(lesson.requirement.group_id, []).append(
                ScheduledLesson(
                    group_id=lesson.requirement.group_id,
                    first=first + 1,
                    last=last + 1,
                    start=periods[first].start_time,
                    end=periods[last].end_time,
                )
            )
    return out


__all__ = ["DayChangeInfo", "day_change_record", "group_lessons_on", "lessons_on"]
