"""FET (``.fet``) files: a version written out for FET, and a FET file read as a solver problem.

Export: days and hours, subjects, teachers, the classes as FET years, rooms, one activity per lesson (the lessons
of a requirement share an ``Activity_Group_Id``), teachers' unavailable times, and the placed lessons as
preferred starting times (``Permanently_Locked`` for locked ones), so a school can open OAS's timetable in FET.

Import: the same subset is read into a ``Problem`` (students sets clash when they share a subgroup); a file that
is not well-formed or whose activities refer to unknown teachers, subjects or students is refused with every
problem listed, and nothing is built. Importing a file into a new draft version in the database: ``timetable.importing``
and ``services.version_import``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from timetable.models import Room, TimetableVersion, Unavailability
from timetable.selectors import day_names, employee_name, lesson_periods, version_requirements
from timetable.solver import Problem, SReq


class FetError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


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


@dataclass
class FetInstance:
    problem: Problem
    teachers: list[str]
    activities: int


def _names(parent: ET.Element | None, path: str) -> list[str]:
    return [(e.text or "").strip() for e in parent.findall(path)] if parent is not None else []


def read_fet(path: Path | str) -> FetInstance:  # noqa: PLR0912, PLR0915 - one pass over the file
    """Read a FET file as a ``Problem`` (raises ``FetError`` listing every problem; nothing is built then)."""
    try:
        root = ET.parse(path).getroot()  # noqa: S314 - see the import
    except ET.ParseError as exc:
        raise FetError([f"Filen er ikke gyldig XML: {exc}"]) from exc
    if root.tag != "fet":
        raise FetError(["Filen er ikke en FET-fil (rotelementet er ikke <fet>)."])
    days = _names(root.find("Days_List"), "Day/Name")
    hours = _names(root.find("Hours_List"), "Hour/Name")
    subjects = set(_names(root.find("Subjects_List"), "Subject/Name"))
    teachers = _names(root.find("Teachers_List"), "Teacher/Name")
    problems: list[str] = []
    if not days or not hours:
        problems.append("Filen har ingen dager eller timer.")
    # Students: each set -> the subgroups (leaves) it contains; sets sharing a leaf clash.
    leaves: dict[str, set[str]] = {}
    for year in root.findall("Students_List/Year"):
        year_name = (year.findtext("Name") or "").strip()
        year_leaves: set[str] = set()
        for group in year.findall("Group"):
            group_name = (group.findtext("Name") or "").strip()
            subgroups = {(s.findtext("Name") or "").strip() for s in group.findall("Subgroup")} or {group_name}
            for sub in subgroups:
                leaves[sub] = {sub}
            leaves[group_name] = subgroups
            year_leaves |= subgroups
        leaves[year_name] = year_leaves or {year_name}
    leaf_ids = {name: i for i, name in enumerate(sorted({leaf for s in leaves.values() for leaf in s}))}
    teacher_ids = {name: i for i, name in enumerate(teachers)}
    reqs: list[SReq] = []
    groups: dict[str, list[int]] = defaultdict(list)
    for activity in root.findall("Activities_List/Activity"):
        if (activity.findtext("Active") or "true").strip() == "false":
            continue
        activity_id = (activity.findtext("Id") or "?").strip()
        names = _names(activity, "Teacher")
        students = _names(activity, "Students")
        subject = (activity.findtext("Subject") or "").strip()
        unknown = (
            [f"lærer {n!r}" for n in names if n not in teacher_ids]
            + [f"elevgruppe {s!r}" for s in students if s not in leaves]
            + ([f"fag {subject!r}"] if subject and subject not in subjects else [])
        )
        if unknown:
            problems.append(f"Aktivitet {activity_id} viser til ukjent {', '.join(unknown)}.")
            continue
        try:
            duration = int((activity.findtext("Duration") or "").strip())
        except ValueError:
            duration = 0
        if duration < 1 or (hours and duration > len(hours)):
            problems.append(f"Aktivitet {activity_id} har en ugyldig varighet.")
            continue
        number = len(reqs) + 1
        classes = tuple(sorted({leaf_ids[leaf] for s in students for leaf in leaves[s]}))
        reqs.append(
            SReq(number, (duration,), tuple(sorted(teacher_ids[n] for n in names)), classes, max_per_day=duration)
        )
        group_id = (activity.findtext("Activity_Group_Id") or "0").strip()
        if group_id != "0":
            groups[group_id].append(number)
    if problems:
        raise FetError(problems)
    unavailable: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for constraint in root.findall("Time_Constraints_List/ConstraintTeacherNotAvailableTimes"):
        name = (constraint.findtext("Teacher") or "").strip()
        if name not in teacher_ids:
            continue
        for when in constraint.findall("Not_Available_Time"):
            day, hour = (when.findtext("Day") or "").strip(), (when.findtext("Hour") or "").strip()
            if day in days and hour in hours:
                unavailable[teacher_ids[name]].add((days.index(day), hours.index(hour)))
    problem = Problem(
        days=len(days),
        periods=len(hours),
        requirements=reqs,
        teacher_unavailable=dict(unavailable),
        weight_late=0,
        weight_free_day=0,
    )
    return FetInstance(problem=problem, teachers=teachers, activities=len(reqs))
