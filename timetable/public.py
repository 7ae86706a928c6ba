"""The interface other apps may use (plain dataclasses; never models).

* ``day_change_record(*, lesson_id, date, cancelled=False, room_id=None, substitute_employee_id=None, note="",
  user=None) -> DayChangeInfo`` — a lesson of the published timetable cancelled, in another room or taken by a
  substitute on one date (for the substitutes module); notifies the people affected once and updates Office 365.
* ``group_lessons_on(*, group_id, day)`` — registered as school's planned-lessons reader (attendance per lesson).
"""

from __future__ import annotations

import datetime as dt

from school.public import PlannedLesson
from timetable.daychanges import DayChangeInfo, day_change_record
from timetable.daychanges import group_lessons_on as _group_lessons_on


def group_lessons_on(*, group_id: int, day: dt.date) -> list[PlannedLesson] | None:
    """The reader school's attendance uses (registered in TimetableConfig.ready): a group's lessons on a day."""
    return _group_lessons_on(group_id=group_id, day=day)


__all__ = ["DayChangeInfo", "day_change_record", "group_lessons_on"]
