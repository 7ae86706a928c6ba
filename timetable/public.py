"""The interface other apps may use (plain dataclasses; never models).

* ``day_change_record(*, lesson_id, date, cancelled=False, room_id=None, substitute_employee_id=None, note="",
  user=None) -> DayChangeInfo`` — a lesson of the published timetable cancelled, in another room or taken by a
  substitute on one date (for the substitutes module); notifies the people affected once and updates Office 365.
* ``day_change_withdraw(*, lesson_id, date, user=None) -> DayChangeInfo`` — withdraw that change: the lesson goes as
  planned again that day; those told of the change are told of the withdrawal once, Office 365 follows.
* ``lessons_on(group_ids, day)`` — the groups' lessons on a day with that day's changes; registered as school's
  lessons reader (attendance per lesson and the arbeidsflate's "lesson not registered" task).
"""

from __future__ import annotations

import datetime as dt

from school.public import PlannedLesson
from timetable.daychanges import DayChangeInfo, day_change_record, day_change_withdraw
from timetable.daychanges import lessons_on as _lessons_on


def lessons_on(group_ids: list[int], day: dt.date) -> dict[int, list[PlannedLesson]]:
    """The reader school uses (registered in TimetableConfig.ready): per group with a published timetable on
    ``day``, its lessons that day with the day's changes (see ``timetable.daychanges.lessons_on``)."""
    return _lessons_on(group_ids, day)


__all__ = ["DayChangeInfo", "day_change_record", "day_change_withdraw", "lessons_on"]
