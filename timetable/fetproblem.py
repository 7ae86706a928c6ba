"""A FET (``.fet``) file read as a solver ``Problem``, with FET's constraints where OAS's model has an equivalent.

Free of Django. Students sets clash when they share a subgroup (a leaf of FET's years, groups and subgroups). Every
active constraint in the file is either imported or counted as not imported with the reason, so a comparison with
``fet-cl`` says how far the two solve the same problem (``FetInstance.imported`` / ``not_imported``).

Imported at 100 % (hard): teachers' and students sets' unavailable times, break times, an activity's (or a set of
activities') preferred time slots and starting times, minimum days between activities, activities not overlapping,
the same starting time, a teacher's maximum days a week, hours a day (max and min) and gaps a day or week, the days
a teacher teaches in an interval of the day, students' minimum hours a day, gaps a week and late beginnings, and the
rooms: preferred room(s) of an activity or subject, home rooms, rooms' unavailable times. Each distinct set of
rooms an activity may use is a room type whose capacity is its rooms free at that time; where types share rooms,
every union of types in one connected group gets its own capacity (Hall's condition, so the counts are exact).
Soft (< 100 %): minimum days between activities becomes OAS's spread cost (a second lesson on a day), and its
"consecutive if same day" a hard rule, as FET keeps it (two of the activities on one day only next to each other, so
never three); others are not imported (FET weighs soft constraints by its own percentages, OAS's cost is another
scale).

Activities of one FET split activity (or any activities with the same teachers, students, subject and
constraints) become one requirement of several lessons: interchangeable lessons need no numbering, which removes
their symmetry; "at least one day between" them becomes at most one of them a day.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from timetable.solver import Placement, Problem, Slot, SReq

HARD = ("100", "100.0")
# The spread cost per extra lesson a day for FET's soft "min days between activities".
SOFT_MIN_DAYS_WEIGHT = 2
# Room types sharing rooms: up to this many types in one group get every union's capacity (2^n constraints).
MAX_UNION_GROUP = 10


class FetError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class FetInstance:
    problem: Problem
    teachers: list[str]
    activities: int
    # FET constraint tag -> how many were imported / not imported ("tag (reason)" -> count).
    imported: Counter[str] = field(default_factory=Counter)
    not_imported: Counter[str] = field(default_factory=Counter)
    # How many of ``not_imported`` were hard (FET weight 100 %): OAS solves an easier problem than FET's by these.
    hard_not_imported: int = 0
    # Requirement id -> the FET activity ids it stands for.
    activity_ids: dict[int, list[str]] = field(default_factory=dict)
    durations: dict[str, int] = field(default_factory=dict)
    # The soft "min days between activities": (activity ids, min days, FET's weight in per cent), to score a
    # timetable on FET's own scale (``fet_soft_min_days``).
    soft_min_days: list[tuple[tuple[str, ...], int, float]] = field(default_factory=list)


def _text(element: ET.Element | None, path: str) -> str:
    return ((element.findtext(path) if element is not None else None) or "").strip()


def _names(parent: ET.Element | None, path: str) -> list[str]:
    return [(e.text or "").strip() for e in parent.findall(path)] if parent is not None else []


@dataclass
class _Activity:
    id: str
    teachers: tuple[str, ...]
    students: tuple[str, ...]
    subject: str
    tags: tuple[str, ...]
    duration: int
    group: str
    leaves: frozenset[str] = frozenset()
    forbidden: set[Slot] = field(default_factory=set)
    allowed_starts: set[Slot] | None = None
    rooms: frozenset[str] | None = None  # preferred rooms (intersection of the hard constraints)
    home_rooms: frozenset[str] | None = None
    refs: set[int] = field(default_factory=set)  # constraints tying this activity to others (min days, ...)


class _Reader:
    def __init__(self, root: ET.Element) -> None:
        self.root = root
        self.problems: list[str] = []
        self.imported: Counter[str] = Counter()
        self.not_imported: Counter[str] = Counter()
        self.hard_not_imported = 0
        self.days = _names(root.find("Days_List"), "Day/Name")
        self.hours = _names(root.find("Hours_List"), "Hour/Name")
        self.subjects = set(_names(root.find("Subjects_List"), "Subject/Name"))
        self.teachers = _names(root.find("Teachers_List"), "Teacher/Name")
        self.teacher_ids = {name: i for i, name in enumerate(self.teachers)}
        self.rooms = _names(root.find("Rooms_List"), "Room/Name")
        if not self.days or not self.hours:
            self.problems.append("Filen har ingen dager eller timer.")
        self.leaves: dict[str, set[str]] = {}
        for year in root.findall("Students_List/Year"):
            year_name = _text(year, "Name")
            year_leaves: set[str] = set()
            for group in year.findall("Group"):
                group_name = _text(group, "Name")
                subgroups = {_text(s, "Name") for s in group.findall("Subgroup")} or {group_name}
                for sub in subgroups:
                    self.leaves.setdefault(sub, {sub})
                self.leaves.setdefault(group_name, set()).update(subgroups)
                year_leaves |= subgroups
            self.leaves[year_name] = year_leaves or {year_name}
        self.leaf_ids = {name: i for i, name in enumerate(sorted({x for s in self.leaves.values() for x in s}))}
        self.activities: dict[str, _Activity] = {}
        # Problem parts gathered by activity id or leaf / teacher name.
        self.min_days: list[tuple[list[str], int, int]] = []
        self.consecutive: list[list[str]] = []
        self.soft_min_days: list[tuple[tuple[str, ...], int, float]] = []
        self.not_overlapping: list[list[str]] = []
        self.same_start: list[list[str]] = []
        self.room_off: dict[str, set[Slot]] = defaultdict(set)
        self.break_slots: set[Slot] = set()
        self.class_unavailable: dict[int, set[Slot]] = defaultdict(set)
        self.teacher_unavailable: dict[int, set[Slot]] = defaultdict(set)
        self.teacher_max_days: dict[int, int] = {}
        self.teacher_max_hours_day: dict[int, int] = {}
        self.teacher_min_hours_day: dict[int, int] = {}
        self.teacher_max_gaps_day: dict[int, int] = {}
        self.teacher_max_gaps_week: dict[int, int] = {}
        self.teacher_interval: list[tuple[int, int, int, int]] = []
        self.class_min_hours_day: dict[int, int] = {}
        self.class_max_gaps_week: dict[int, int] = {}
        self.class_max_second_start: dict[int, int] = {}

    # --- helpers -------------------------------------------------------------------------------------------------
    def slot(self, day: str, hour: str) -> Slot | None:
        if day in self.days and hour in self.hours:
            return (self.days.index(day), self.hours.index(hour))
        return None

    def slots(self, constraint: ET.Element, path: str, day_tag: str, hour_tag: str) -> set[Slot]:
        out = set()
        for when in constraint.findall(path):
            found = self.slot(_text(when, day_tag), _text(when, hour_tag))
            if found is not None:
                out.add(found)
        return out

    def every_slot(self) -> set[Slot]:
        return {(d, h) for d in range(len(self.days)) for h in range(len(self.hours))}

    def teachers_named(self, constraint: ET.Element) -> list[int] | None:
        """The teachers a constraint names (``Teacher_Name``/``Teacher``), all for a ``ConstraintTeachers...``."""
        name = _text(constraint, "Teacher_Name") or _text(constraint, "Teacher")
        if constraint.tag.startswith("ConstraintTeachers"):
            return list(self.teacher_ids.values())
        return [self.teacher_ids[name]] if name in self.teacher_ids else None

    def leaves_named(self, constraint: ET.Element) -> list[int] | None:
        name = _text(constraint, "Students")
        if constraint.tag.startswith("ConstraintStudents") and not constraint.tag.startswith("ConstraintStudentsSet"):
            return list(self.leaf_ids.values())
        return sorted(self.leaf_ids[x] for x in self.leaves[name]) if name in self.leaves else None

    def selected(self, constraint: ET.Element) -> list[_Activity]:
        """The activities a ``ConstraintActivities...`` selects by teacher, students, subject, tag and duration."""
        teacher, students = _text(constraint, "Teacher_Name"), _text(constraint, "Students_Name")
        subject, tag, duration = (
            _text(constraint, "Subject_Name"),
            _text(constraint, "Activity_Tag_Name"),
            _text(constraint, "Duration"),
        )
        return [
            a
            for a in self.activities.values()
            if (not teacher or teacher in a.teachers)
            and (not students or students in a.students)
            and (not subject or subject == a.subject)
            and (not tag or tag in a.tags)
            and (not duration or duration == str(a.duration))
        ]

    def hour_index(self, name: str, default: int) -> int:
        return self.hours.index(name) if name in self.hours else default

    # --- reading -------------------------------------------------------------------------------------------------
    def read_activities(self) -> None:
        for activity in self.root.findall("Activities_List/Activity"):
            if _text(activity, "Active") == "false":
                continue
            activity_id = _text(activity, "Id") or "?"
            names = _names(activity, "Teacher")
            students = _names(activity, "Students")
            subject = _text(activity, "Subject")
            unknown = (
                [f"lærer {n!r}" for n in names if n not in self.teacher_ids]
                + [f"elevgruppe {s!r}" for s in students if s not in self.leaves]
                + ([f"fag {subject!r}"] if subject and subject not in self.subjects else [])
            )
            if unknown:
                self.problems.append(f"Aktivitet {activity_id} viser til ukjent {', '.join(unknown)}.")
                continue
            try:
                duration = int(_text(activity, "Duration"))
            except ValueError:
                duration = 0
            if duration < 1 or (self.hours and duration > len(self.hours)):
                self.problems.append(f"Aktivitet {activity_id} har en ugyldig varighet.")
                continue
            self.activities[activity_id] = _Activity(
                id=activity_id,
                teachers=tuple(names),
                students=tuple(students),
                subject=subject,
                tags=tuple(_names(activity, "Activity_Tag")),
                duration=duration,
                group=_text(activity, "Activity_Group_Id") or "0",
                leaves=frozenset(x for s in students for x in self.leaves[s]),
            )

    def read_constraints(self) -> None:
        for number, constraint in enumerate(
            [*self.root.findall("Time_Constraints_List/*"), *self.root.findall("Space_Constraints_List/*")]
        ):
            tag = constraint.tag
            if _text(constraint, "Active") == "false":
                continue
            if tag in ("ConstraintBasicCompulsoryTime", "ConstraintBasicCompulsorySpace"):
                self.imported[tag] += 1  # no clashes: OAS's model always has them
                continue
            hard = _text(constraint, "Weight_Percentage") in HARD
            reason = self.hard(number, constraint) if hard else self.soft(number, constraint)
            if reason:
                self.not_imported[f"{tag} ({reason})"] += 1
                self.hard_not_imported += hard
            else:
                self.imported[tag if hard else f"{tag} (soft)"] += 1

    def soft(self, number: int, constraint: ET.Element) -> str:
        if constraint.tag == "ConstraintMinDaysBetweenActivities":
            ids = [i for i in _names(constraint, "Activity_Id") if i in self.activities]
            self.min_days.append((ids, int(_text(constraint, "MinDays") or 1), SOFT_MIN_DAYS_WEIGHT))
            weight = float(_text(constraint, "Weight_Percentage") or 0)
            self.soft_min_days.append((tuple(ids), int(_text(constraint, "MinDays") or 1), weight))
            if _text(constraint, "Consecutive_If_Same_Day") == "true":
                # FET breaks the soft rule only with the activities next to each other (hard, whatever the weight).
                self.consecutive.append(ids)
            for i in ids:
                self.activities[i].refs.add(number)
            return ""
        return f"soft, {_text(constraint, 'Weight_Percentage')} %"

    def hard(self, number: int, c: ET.Element) -> str:  # noqa: PLR0911, PLR0912, PLR0915 - one branch a constraint
        tag = c.tag
        if tag == "ConstraintTeacherNotAvailableTimes":
            teachers = self.teachers_named(c)
            if teachers is None:
                return "unknown teacher"
            self.teacher_unavailable[teachers[0]] |= self.slots(c, "Not_Available_Time", "Day", "Hour")
        elif tag == "ConstraintStudentsSetNotAvailableTimes":
            name = _text(c, "Students")
            if name not in self.leaves:
                return "unknown students set"
            off = self.slots(c, "Not_Available_Time", "Day", "Hour")
            for leaf in self.leaves[name]:
                self.class_unavailable[self.leaf_ids[leaf]] |= off
            for a in self.activities.values():
                if a.leaves & self.leaves[name]:
                    a.forbidden |= off
        elif tag == "ConstraintBreakTimes":
            off = self.slots(c, "Break_Time", "Day", "Hour")
            self.break_slots |= off
            for a in self.activities.values():
                a.forbidden |= off
        elif tag == "ConstraintRoomNotAvailableTimes":
            self.room_off[_text(c, "Room")] |= self.slots(c, "Not_Available_Time", "Day", "Hour")
        elif tag in ("ConstraintActivityPreferredTimeSlots", "ConstraintActivitiesPreferredTimeSlots"):
            slots = self.slots(c, "Preferred_Time_Slot", "Preferred_Day", "Preferred_Hour")
            chosen = self._one_or_selected(c)
            if chosen is None:
                return "unknown activity"
            for a in chosen:
                a.forbidden |= self.every_slot() - slots
        elif tag in (
            "ConstraintActivityPreferredStartingTime",
            "ConstraintActivityPreferredStartingTimes",
            "ConstraintActivitiesPreferredStartingTimes",
        ):
            if tag == "ConstraintActivityPreferredStartingTime":
                found = self.slot(_text(c, "Preferred_Day"), _text(c, "Preferred_Hour"))
                starts = {found} if found else set()
            else:
                starts = self.slots(c, "Preferred_Starting_Time", "Preferred_Starting_Day", "Preferred_Starting_Hour")
            chosen = self._one_or_selected(c)
            if chosen is None:
                return "unknown activity"
            for a in chosen:
                a.allowed_starts = starts if a.allowed_starts is None else a.allowed_starts & starts
        elif tag in ("ConstraintMinDaysBetweenActivities", "ConstraintActivitiesNotOverlapping"):
            ids = [i for i in _names(c, "Activity_Id") if i in self.activities]
            for i in ids:
                self.activities[i].refs.add(number)
            if tag == "ConstraintActivitiesNotOverlapping":
                self.not_overlapping.append(ids)
            else:
                self.min_days.append((ids, int(_text(c, "MinDays") or 1), 0))
        elif tag == "ConstraintActivitiesSameStartingTime":
            ids = [i for i in _names(c, "Activity_Id") if i in self.activities]
            if len({self.activities[i].duration for i in ids}) > 1:
                return "activities of different lengths"
            for i in ids:
                self.activities[i].refs.add(number)
            self.same_start.append(ids)
        elif tag in (
            "ConstraintTeacherMaxDaysPerWeek",
            "ConstraintTeachersMaxDaysPerWeek",
            "ConstraintTeacherMaxHoursDaily",
            "ConstraintTeachersMaxHoursDaily",
            "ConstraintTeacherMaxGapsPerDay",
            "ConstraintTeachersMaxGapsPerDay",
            "ConstraintTeacherMaxGapsPerWeek",
            "ConstraintTeachersMaxGapsPerWeek",
            "ConstraintTeacherMinHoursDaily",
            "ConstraintTeachersMinHoursDaily",
            "ConstraintTeacherIntervalMaxDaysPerWeek",
            "ConstraintTeachersIntervalMaxDaysPerWeek",
        ):
            teachers = self.teachers_named(c)
            if teachers is None:
                return "unknown teacher"
            kind = tag.removeprefix("ConstraintTeachers").removeprefix("ConstraintTeacher")
            if kind == "MinHoursDaily" and _text(c, "Allow_Empty_Days") == "false":
                return "no empty days: not modelled"
            for t in teachers:
                if kind == "MaxDaysPerWeek":
                    self._tighten(self.teacher_max_days, t, int(_text(c, "Max_Days_Per_Week")))
                elif kind == "MaxHoursDaily":
                    self._tighten(self.teacher_max_hours_day, t, int(_text(c, "Maximum_Hours_Daily")))
                elif kind == "MaxGapsPerDay":
                    self._tighten(self.teacher_max_gaps_day, t, int(_text(c, "Max_Gaps")))
                elif kind == "MaxGapsPerWeek":
                    self._tighten(self.teacher_max_gaps_week, t, int(_text(c, "Max_Gaps")))
                elif kind == "MinHoursDaily":
                    self.teacher_min_hours_day[t] = max(
                        self.teacher_min_hours_day.get(t, 0), int(_text(c, "Minimum_Hours_Daily"))
                    )
                else:
                    start = self.hour_index(_text(c, "Interval_Start_Hour"), 0)
                    end = self.hour_index(_text(c, "Interval_End_Hour"), len(self.hours))
                    self.teacher_interval.append((t, start, end, int(_text(c, "Max_Days_Per_Week"))))
        elif tag in (
            "ConstraintStudentsSetMinHoursDaily",
            "ConstraintStudentsMinHoursDaily",
            "ConstraintStudentsSetMaxGapsPerWeek",
            "ConstraintStudentsMaxGapsPerWeek",
            "ConstraintStudentsSetEarlyMaxBeginningsAtSecondHour",
            "ConstraintStudentsEarlyMaxBeginningsAtSecondHour",
        ):
            leaves = self.leaves_named(c)
            if leaves is None:
                return "unknown students set"
            kind = tag.removeprefix("ConstraintStudentsSet").removeprefix("ConstraintStudents")
            if kind == "MinHoursDaily" and _text(c, "Allow_Empty_Days") == "true":
                return "empty days allowed: not modelled"
            for leaf_id in leaves:
                if kind == "MinHoursDaily":
                    value = int(_text(c, "Minimum_Hours_Daily"))
                    self.class_min_hours_day[leaf_id] = max(self.class_min_hours_day.get(leaf_id, 0), value)
                elif kind == "MaxGapsPerWeek":
                    self._tighten(self.class_max_gaps_week, leaf_id, int(_text(c, "Max_Gaps")))
                else:
                    value = int(_text(c, "Max_Beginnings_At_Second_Hour"))
                    self._tighten(self.class_max_second_start, leaf_id, value)
        elif tag in ("ConstraintActivityPreferredRoom", "ConstraintActivityPreferredRooms"):
            activity = self.activities.get(_text(c, "Activity_Id"))
            if activity is None:
                return "unknown activity"
            rooms = frozenset(_names(c, "Room") + _names(c, "Preferred_Room"))
            activity.rooms = rooms if activity.rooms is None else activity.rooms & rooms
        elif tag in ("ConstraintSubjectPreferredRoom", "ConstraintSubjectPreferredRooms"):
            rooms = frozenset(_names(c, "Room") + _names(c, "Preferred_Room"))
            for a in self.activities.values():
                if a.subject == _text(c, "Subject"):
                    a.rooms = rooms if a.rooms is None else a.rooms & rooms
        elif tag in ("ConstraintStudentsSetHomeRoom", "ConstraintStudentsSetHomeRooms"):
            rooms = frozenset(_names(c, "Room") + _names(c, "Preferred_Room"))
            for a in self.activities.values():
                if a.students == (_text(c, "Students"),):
                    a.home_rooms = rooms if a.home_rooms is None else a.home_rooms & rooms
        elif tag in ("ConstraintTeacherHomeRoom", "ConstraintTeacherHomeRooms"):
            rooms = frozenset(_names(c, "Room") + _names(c, "Preferred_Room"))
            for a in self.activities.values():
                if a.teachers == (_text(c, "Teacher"),):
                    a.home_rooms = rooms if a.home_rooms is None else a.home_rooms & rooms
        else:
            return "no OAS equivalent"
        return ""

    @staticmethod
    def _tighten(target: dict[int, int], key: int, value: int) -> None:
        target[key] = min(target.get(key, value), value)

    def _one_or_selected(self, c: ET.Element) -> list[_Activity] | None:
        if c.tag.startswith("ConstraintActivities"):
            return self.selected(c)
        activity = self.activities.get(_text(c, "Activity_Id"))
        return None if activity is None else [activity]

    # --- building ------------------------------------------------------------------------------------------------
    def build(self) -> FetInstance:  # noqa: PLR0912, PLR0915 - one problem, top to bottom
        min_days_of: dict[int, tuple[frozenset[str], int, int]] = {}  # constraint number -> (ids, days, weight)
        for ids, days, weight in self.min_days:
            for i in ids:
                for number in self.activities[i].refs:
                    min_days_of.setdefault(number, (frozenset(ids), days, weight))
        # Units: activities with the same teachers, students, subject, times and rooms and the same constraints.
        units: dict[tuple[object, ...], list[_Activity]] = defaultdict(list)
        for a in self.activities.values():
            rooms = a.rooms if a.rooms is not None else a.home_rooms
            key = (
                a.teachers,
                a.leaves,
                a.subject,
                frozenset(a.forbidden),
                frozenset(a.allowed_starts) if a.allowed_starts is not None else None,
                rooms,
                frozenset(a.refs),
            )
            units[key].append(a)
        reqs: list[SReq] = []
        req_of: dict[str, int] = {}
        activity_ids: dict[int, list[str]] = {}
        forbidden: dict[int, frozenset[Slot]] = {}
        allowed: dict[int, frozenset[Slot]] = {}
        handled_min_days: set[frozenset[str]] = set()
        kinds: dict[frozenset[str], str] = {}
        for members in units.values():
            refs = frozenset(members[0].refs)
            unit_ids = frozenset(a.id for a in members)
            merged: tuple[int, int] | None = None  # (max lessons a day, spread)
            if len(members) > 1:
                if not refs:
                    merged = (0, 0)
                elif len(refs) == 1:
                    number = next(iter(refs))
                    found = min_days_of.get(number)
                    if found is not None and found[0] == unit_ids and found[1] == 1:
                        merged = (0, 1) if found[2] else (1, 0)
                        handled_min_days.add(unit_ids)
            groups = [members] if merged is not None else [[a] for a in members]
            first = members[0]
            rooms = first.rooms if first.rooms is not None else first.home_rooms
            if rooms is not None and not rooms & set(self.rooms):
                self.problems.append(f"Aktivitet {first.id} har ingen rom som oppfyller alle romkravene.")
                continue
            kind = ""
            if rooms is not None:
                rooms = frozenset(rooms & set(self.rooms))
                kind = kinds.setdefault(rooms, "rom:" + "|".join(sorted(rooms)))
            for group in groups:
                number = len(reqs) + 1
                lengths = tuple(sorted((a.duration for a in group), reverse=True))
                max_lessons, spread = merged if merged is not None else (0, 0)
                reqs.append(
                    SReq(
                        number,
                        lengths,
                        tuple(sorted(self.teacher_ids[n] for n in first.teachers)),
                        tuple(sorted(self.leaf_ids[x] for x in first.leaves)),
                        room_kind=kind,
                        max_per_day=sum(lengths),
                        max_lessons_per_day=max_lessons,
                        spread=bool(spread),
                    )
                )
                activity_ids[number] = [a.id for a in group]
                for a in group:
                    req_of[a.id] = number
                if first.forbidden:
                    forbidden[number] = frozenset(first.forbidden)
                if first.allowed_starts is not None:
                    allowed[number] = frozenset(first.allowed_starts)
        if self.problems:
            raise FetError(self.problems)
        # Room types: capacity = their rooms free at each slot; unions of types sharing rooms (Hall's condition).
        everywhere = self.every_slot()

        def capacity(rooms: frozenset[str]) -> dict[Slot, int]:
            return {s: sum(1 for r in rooms if s not in self.room_off.get(r, set())) for s in everywhere}

        room_capacity = {kind: capacity(rooms) for rooms, kind in kinds.items()}
        room_unions: list[tuple[tuple[str, ...], dict[Slot, int]]] = []
        sets = list(kinds)
        component = list(range(len(sets)))

        def find(i: int) -> int:
            while component[i] != i:
                i = component[i]
            return i

        for x, y in itertools.combinations(range(len(sets)), 2):
            if sets[x] & sets[y]:
                component[find(x)] = find(y)
        by_component: dict[int, list[int]] = defaultdict(list)
        for x in range(len(sets)):
            by_component[find(x)].append(x)
        for kind_indexes in by_component.values():
            if len(kind_indexes) < 2:
                continue
            if len(kind_indexes) > MAX_UNION_GROUP:
                subsets: list[tuple[int, ...]] = list(itertools.combinations(kind_indexes, 2))
                self.not_imported[f"room sharing beyond pairs ({len(kind_indexes)} room types share rooms)"] += 1
                self.hard_not_imported += 1
            else:
                subsets = [c for n in range(2, len(kind_indexes) + 1) for c in itertools.combinations(kind_indexes, n)]
            for subset in subsets:
                union = frozenset().union(*(sets[x] for x in subset))
                if sum(len(sets[x]) for x in subset) > len(union):  # only unions where rooms are shared
                    room_unions.append((tuple(kinds[sets[x]] for x in subset), capacity(union)))
        min_days = [
            (tuple(sorted({req_of[i] for i in ids if i in req_of})), days, weight)
            for ids, days, weight in self.min_days
            if frozenset(ids) not in handled_min_days
        ]
        problem = Problem(
            days=len(self.days),
            periods=len(self.hours),
            requirements=reqs,
            teacher_unavailable=dict(self.teacher_unavailable),
            room_capacity=room_capacity,
            weight_late=0,
            weight_free_day=0,
            weight_teacher_gaps=0,
            weight_spread=SOFT_MIN_DAYS_WEIGHT,
            forbidden=forbidden,
            allowed_starts=allowed,
            min_days=min_days,
            not_overlapping=[tuple(sorted({req_of[i] for i in ids if i in req_of})) for ids in self.not_overlapping],
            consecutive_same_day=[tuple(sorted({req_of[i] for i in ids if i in req_of})) for ids in self.consecutive],
            same_start=[tuple(req_of[i] for i in ids if i in req_of) for ids in self.same_start],
            teacher_max_days=self.teacher_max_days,
            teacher_max_hours_day=self.teacher_max_hours_day,
            teacher_min_hours_day=self.teacher_min_hours_day,
            teacher_max_gaps_day=self.teacher_max_gaps_day,
            teacher_max_gaps_week=self.teacher_max_gaps_week,
            teacher_interval_max_days=self.teacher_interval,
            class_min_hours_day=self.class_min_hours_day,
            class_max_gaps_week=self.class_max_gaps_week,
            class_max_second_start=self.class_max_second_start,
            break_slots=frozenset(self.break_slots),
            class_unavailable={k: frozenset(v) for k, v in self.class_unavailable.items()},
            room_unions=room_unions,
        )
        return FetInstance(
            problem=problem,
            teachers=self.teachers,
            activities=len(self.activities),
            imported=self.imported,
            not_imported=self.not_imported,
            hard_not_imported=self.hard_not_imported,
            activity_ids=activity_ids,
            durations={i: a.duration for i, a in self.activities.items()},
            soft_min_days=self.soft_min_days,
        )


def activity_starts(instance: FetInstance, placements: list[Placement]) -> dict[str, Slot]:
    """Where each FET activity starts in a timetable of ``instance``'s problem (a requirement's lessons are
    interchangeable activities: each lesson takes the next of its activities of the same length)."""
    free = {rid: list(ids) for rid, ids in instance.activity_ids.items()}
    starts: dict[str, Slot] = {}
    for p in placements:
        activity = next(i for i in free[p.requirement] if instance.durations[i] == p.length)
        free[p.requirement].remove(activity)
        starts[activity] = (p.day, p.period)
    return starts


def fet_soft_min_days(instance: FetInstance, placements: list[Placement]) -> float:
    """The soft conflicts of the file's soft "min days between activities" in a timetable, as FET counts them: for
    each pair of the activities placed closer than the minimum, the days too close, times the weight in per cent
    (fet-cl's "Total soft conflicts" counts these the same way, beside its other soft constraints)."""
    starts = activity_starts(instance, placements)
    total = 0.0
    for ids, min_days, weight in instance.soft_min_days:
        days = [starts[i][0] for i in ids if i in starts]
        too_close = sum(max(0, min_days - abs(a - b)) for a, b in itertools.combinations(days, 2))
        total += weight / 100 * too_close
    return round(total, 2)


def read_fet(path: Path | str) -> FetInstance:
    """Read a FET file as a ``Problem`` (raises ``FetError`` listing every problem; nothing is built then)."""
    try:
        root = ET.parse(path).getroot()  # noqa: S314 - a school's own file or fet-data's examples
    except ET.ParseError as exc:
        raise FetError([f"Filen er ikke gyldig XML: {exc}"]) from exc
    if root.tag != "fet":
        raise FetError(["Filen er ikke en FET-fil (rotelementet er ikke <fet>)."])
    reader = _Reader(root)
    reader.read_activities()
    if reader.problems:
        raise FetError(reader.problems)
    reader.read_constraints()
    return reader.build()
