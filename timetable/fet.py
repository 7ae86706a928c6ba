"""FET (``.fet``) files: a version written out for FET, and a FET file read as a solver problem.

Export: days and hours, subjects, teachers, the classes as FET years, rooms, one activity per lesson (the lessons
of a requirement share an ``Activity_Group_Id``), teachers' unavailable times, and the placed lessons as
preferred starting times (``Permanently_Locked`` for locked ones), so a school can open OAS's timetable in FET.

Import as a solver ``Problem`` with FET's constraints where OAS has an equivalent: ``timetable.fetproblem``
(re-exported here); a file that is not well-formed or whose activities refer to unknown teachers, subjects or
students is refused with every problem listed, and nothing is built. Importing a file into a new draft version in the database: ``timetable.importing``
and ``services.version_import``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from timetable.fetproblem import FetError, FetInstance, read_fet
from timetable.models import Room, TimetableVersion, Unavailability
from timetable.selectors import day_names, employee_name, lesson_periods, version_requirements

__all__ = ["FetError", "FetInstance", "read_fet", "version_to_fet"]


def _sub(parent: ET.Element, tag: str, text: str | int | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)
    return element


def version_to_fet(*, version: TimetableVersion) -> str:  # noqa: PLR0912, PLR0915 - one document, top to bottom
    """Return the version as a FET document."""
    periods = lesson_periods(version=version)
    hours = [f"{p.start_time:%H:%M}" for p in periods]
    days = [d.capitalize() for d in day_names(version=version)]
    requirements = version_requirements(version=version)
    root = ET.Element("fet", version="6.9.0")
    _sub(root, "Institution_Name", version.school.name)
    _sub(root, "Comments", version.name)
    days_el = _sub(root, "Days_List")
    _sub(days_el, "Number_of_Days", len(days))
    for name in days:
        _sub(_sub(days_el, "Day"), "Name", name)
    hours_el = _sub(root, "Hours_List")
    _sub(hours_el, "Number_of_Hours", len(hours))
    for name in hours:
        _sub(_sub(hours_el, "Hour"), "Name", name)
    subjects_el = _sub(root, "Subjects_List")
    for name in sorted({r.subject_name for r in requirements}):
        _sub(_sub(subjects_el, "Subject"), "Name", name)
    teachers = {t.pk: employee_name(t) for r in requirements for t in r.teachers.all()}
    teachers_el = _sub(root, "Teachers_List")
    for name in sorted(set(teachers.values())):
        _sub(_sub(teachers_el, "Teacher"), "Name", name)
    classes = {c.pk: c.name for r in requirements for c in r.classes.all()}
    students_el = _sub(root, "Students_List")
    for name in sorted(set(classes.values())):
        year = _sub(students_el, "Year")
        _sub(year, "Name", name)
        _sub(year, "Number_of_Students", 0)
    activities_el = _sub(root, "Activities_List")
    activity_ids: dict[int, list[tuple[int, int]]] = defaultdict(list)  # requirement -> [(activity id, length)]
    next_id = 0
    for req in requirements:
        group_id = next_id + 1
        for length in req.lengths:
            next_id += 1
            activity = _sub(activities_el, "Activity")
            for teacher in req.teachers.all():
                _sub(activity, "Teacher", teachers[teacher.pk])
            _sub(activity, "Subject", req.subject_name)
            for klass in req.classes.all():
                _sub(activity, "Students", classes[klass.pk])
            _sub(activity, "Duration", length)
            _sub(activity, "Total_Duration", req.hours_per_week)
            _sub(activity, "Id", next_id)
            _sub(activity, "Activity_Group_Id", group_id if len(req.lengths) > 1 else 0)
            _sub(activity, "Active", "true")
            _sub(activity, "Comments", f"OAS {req.pk} {req.group.name}")
            activity_ids[req.pk].append((next_id, length))
    _sub(root, "Buildings_List")
    rooms_el = _sub(root, "Rooms_List")
    for room in Room.objects.filter(school=version.school).order_by("pk"):
        room_el = _sub(rooms_el, "Room")
        _sub(room_el, "Name", room.name)
        _sub(room_el, "Building", "")
        _sub(room_el, "Capacity", room.capacity)
    time_el = _sub(root, "Time_Constraints_List")
    basic = _sub(time_el, "ConstraintBasicCompulsoryTime")
    _sub(basic, "Weight_Percentage", 100)
    _sub(basic, "Active", "true")
    positions = [p.position for p in periods]
    off: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for row in Unavailability.objects.filter(version=version, teacher__isnull=False):
        assert row.teacher_id is not None
        for index in range(len(positions)) if row.position is None else [positions.index(row.position)]:
            off[row.teacher_id].append((row.day, index))
    for teacher_id, slots in off.items():
        if teacher_id not in teachers:
            continue
        constraint = _sub(time_el, "ConstraintTeacherNotAvailableTimes")
        _sub(constraint, "Weight_Percentage", 100)
        _sub(constraint, "Teacher", teachers[teacher_id])
        _sub(constraint, "Number_of_Not_Available_Times", len(slots))
        for day, index in slots:
            when = _sub(constraint, "Not_Available_Time")
            _sub(when, "Day", days[day])
            _sub(when, "Hour", hours[index])
        _sub(constraint, "Active", "true")
    unused: dict[int, list[tuple[int, int]]] = {k: list(v) for k, v in activity_ids.items()}
    for lesson in version.lessons.order_by("day", "position"):
        candidates = unused.get(lesson.requirement_id, [])
        match = next((a for a in candidates if a[1] == lesson.length), None)
        if match is None or lesson.position not in positions:
            continue
        candidates.remove(match)
        constraint = _sub(time_el, "ConstraintActivityPreferredStartingTime")
        _sub(constraint, "Weight_Percentage", 100)
        _sub(constraint, "Activity_Id", match[0])
        _sub(constraint, "Preferred_Day", days[lesson.day])
        _sub(constraint, "Preferred_Hour", hours[positions.index(lesson.position)])
        _sub(constraint, "Permanently_Locked", "true" if lesson.locked else "false")
        _sub(constraint, "Active", "true")
    space_el = _sub(root, "Space_Constraints_List")
    basic_space = _sub(space_el, "ConstraintBasicCompulsorySpace")
    _sub(basic_space, "Weight_Percentage", 100)
    _sub(basic_space, "Active", "true")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
