"""FET (``.fet``) and XHSTT (2014) files read into a neutral ``ImportData`` for a new draft version.

Free of the database: ``parse_file`` reads the bytes a school uploaded and returns the week (days, periods with
clock times when the hour names carry them), subjects, teachers and groups by name, rooms, the lesson
requirements and, when the file holds a timetable, the placed lessons. Every problem found is collected and
raised together as ``ImportError_`` (Norwegian messages); then nothing is written.

FET: activities sharing an ``Activity_Group_Id`` are one requirement (durations 1 and 2: single and double
lessons); a students set is a group, and the classes whose pupils attend are the set itself and the year it
belongs to (so a year's lessons clash with its groups' lessons; two groups of one year in different divisions are
not taken to share pupils, which FET's subgroups would say). ``ConstraintActivityPreferredStartingTime`` at 100 %
is the placed timetable (``Permanently_Locked`` → a locked lesson), ``ConstraintActivityPreferredRoom`` at 100 %
its room, ``ConstraintTeacherNotAvailableTimes`` the teachers' unavailable times; the notes name the active
constraints not read.

XHSTT: the first instance; resources are teachers, classes or rooms by their resource type's id or name; each
event is a requirement of single lessons (XHSTT may split an event as it likes); an event's preassigned time is
a locked lesson; the first solution in the file (if any) is the placed timetable. A required
``AvoidUnavailableTimesConstraint`` on teachers or rooms gives their unavailable times; clashes are always avoided;
every other constraint is listed in the notes as not read (the school's own rules and weights apply instead).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field

from timetable.xhstt_cost import constraint_resources, constraint_times
from timetable.xhstt_cost import read_instance as read_cost_instance

MAX_BYTES = 5 * 1024 * 1024
MAX_DAYS = 7
_CLOCK = re.compile(r"(\d{1,2})[:.](\d{2})")


class ImportError_(Exception):  # noqa: N801 - not the built-in ImportError
    """The file cannot be imported; ``problems`` lists every problem found (Norwegian)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class IPeriod:
    label: str
    start: dt.time
    end: dt.time


@dataclass
class IRequirement:
    subject: str
    groups: list[str]  # the students sets named by the file (the first is the requirement's group)
    classes: list[str]  # the sets whose pupils attend (clash sets)
    teachers: list[str]
    lengths: list[int]
    key: str  # the file's id (activity group or event), for messages
    room_kind: str = ""  # a RoomKind value when its preferred rooms are all of one special type (gym, science, ...)


@dataclass
class IPlacement:
    requirement: int  # index into ImportData.requirements
    day: int
    period: int  # index into ImportData.periods
    length: int
    room: str = ""
    locked: bool = False


@dataclass
class ImportData:
    source: str  # "FET" or "XHSTT"
    name: str
    days: list[str]
    periods: list[IPeriod]
    subjects: list[str] = field(default_factory=list)
    teachers: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    rooms: list[tuple[str, int]] = field(default_factory=list)  # (name, capacity)
    room_kinds: dict[str, str] = field(default_factory=dict)  # room name -> RoomKind value (FET: guessed by name)
    room_unavailable: list[tuple[str, int, int]] = field(default_factory=list)  # (room, day, period index)
    requirements: list[IRequirement] = field(default_factory=list)
    placements: list[IPlacement] = field(default_factory=list)
    unavailable: list[tuple[str, int, int]] = field(default_factory=list)  # (teacher, day, period index)
    notes: list[str] = field(default_factory=list)


def _text(element: ET.Element | None, path: str) -> str:
    return ((element.findtext(path) if element is not None else None) or "").strip()


def _names(parent: ET.Element | None, path: str) -> list[str]:
    return [(e.text or "").strip() for e in parent.findall(path)] if parent is not None else []


def _periods(labels: list[str]) -> list[IPeriod]:
    """Periods with the clock times in the hour names when every name has a start time in order; else 08:00 on."""
    starts: list[dt.time] = []
    ends: list[dt.time | None] = []
    for label in labels:
        found = [dt.time(int(h), int(m)) for h, m in _CLOCK.findall(label) if int(h) < 24 and int(m) < 60]
        if not found:
            break
        starts.append(found[0])
        ends.append(found[1] if len(found) > 1 and found[1] > found[0] else None)
    if len(starts) == len(labels) and all(a < b for a, b in itertools.pairwise(starts)):
        out = []
        for i, label in enumerate(labels):
            start = starts[i]
            end = ends[i]
            if end is None:
                plus = (dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(minutes=45)).time()
                end = min(plus, starts[i + 1]) if i + 1 < len(starts) else plus
            if end <= start:
                end = (dt.datetime.combine(dt.date(2000, 1, 1), start) + dt.timedelta(minutes=1)).time()
            out.append(IPeriod(label=label[:40], start=start, end=end))
        return out
    minutes = min(60, (15 * 60) // max(len(labels), 1))
    base = dt.datetime.combine(dt.date(2000, 1, 1), dt.time(8, 0))
    return [
        IPeriod(
            label=(label or str(i + 1))[:40],
            start=(base + dt.timedelta(minutes=i * minutes)).time(),
            end=(base + dt.timedelta(minutes=(i + 1) * minutes)).time(),
        )
        for i, label in enumerate(labels)
    ]


def _root(content: bytes) -> ET.Element:
    if len(content) > MAX_BYTES:
        raise ImportError_([f"Filen er for stor (mer enn {MAX_BYTES // (1024 * 1024)} MB)."])
    if b"<!DOCTYPE" in content[:2000] or b"<!ENTITY" in content:
        raise ImportError_(["Filen inneholder en DOCTYPE- eller ENTITY-deklarasjon, som ikke er tillatt."])
    try:
        return ET.fromstring(content)  # noqa: S314 - no DOCTYPE or entities (refused above)
    except ET.ParseError as exc:
        raise ImportError_([f"Filen er ikke gyldig XML: {exc}"]) from exc


def parse_file(*, filename: str, content: bytes) -> ImportData:
    """Read a FET or XHSTT file (told apart by its root element); raises ``ImportError_`` listing every problem."""
    root = _root(content)
    if root.tag == "fet":
        return parse_fet(root)
    if root.tag == "HighSchoolTimetableArchive":
        return parse_xhstt(root)
    raise ImportError_(
        [f"{filename or 'Filen'} er verken en FET-fil (<fet>) eller en XHSTT-fil (<HighSchoolTimetableArchive>)."]
    )


# Room types from a FET room's name, or from the subjects that prefer it (FET has no room types). Lower case; words
# in Norwegian, English, German, Spanish, Portuguese and Romanian (fet-data's schools).
_ROOM_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("pool", ("svøm", "basseng", "pool", "swim", "schwimm", "piscina")),
    ("gym", ("gym", "sport", "idrett", "kroppsøving", "turn", "física", "fisica", "fizic", "quadra")),
    ("kitchen", ("kjøkken", "mat og helse", "kitchen", "küche", "kueche", "cocina", "cozinha")),
    ("music", ("musikk", "music", "musik", "música", "musica", "muzic")),
    (
        "science",
        ("natur", "science", "lab", "phy", "chem", "bio", "fysikk", "kjemi", "naw", "ciencia", "ciência"),
    ),
    ("art", ("kunst", "håndverk", "art", "craft", "werk", "plástica", "plastica", "dibujo", "desen")),
)


def room_kind_guess(name: str, subjects: list[str] | None = None) -> str:
    """The RoomKind value a room's name points to, else the one most of its lessons' ``subjects`` point to."""

    def of(text: str) -> str:
        lowered = text.lower()
        return next((kind for kind, words in _ROOM_WORDS if any(word in lowered for word in words)), "classroom")

    if (kind := of(name)) != "classroom" or not subjects:
        return kind
    counts: dict[str, int] = defaultdict(int)
    for subject in subjects:
        counts[of(subject)] += 1
    kind, count = max(counts.items(), key=lambda item: item[1])
    return kind if count * 2 > len(subjects) else "classroom"


def _fet_rooms(
    root: ET.Element, activities: dict[str, ET.Element], room_names: set[str]
) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Each activity's preferred rooms (FET's hard room constraints) and each room's guessed type."""
    preferred: dict[str, set[str]] = {}
    home: dict[str, set[str]] = {}
    subjects_of_room: dict[str, list[str]] = defaultdict(list)
    for c in root.findall("Space_Constraints_List/*"):
        if _text(c, "Active") == "false" or _text(c, "Weight_Percentage") not in ("100", "100.0"):
            continue
        rooms = {r for r in _names(c, "Room") + _names(c, "Preferred_Room") if r in room_names}
        if not rooms:
            continue
        if c.tag in ("ConstraintActivityPreferredRoom", "ConstraintActivityPreferredRooms"):
            chosen = [_text(c, "Activity_Id")]
        elif c.tag in ("ConstraintSubjectPreferredRoom", "ConstraintSubjectPreferredRooms"):
            chosen = [i for i, a in activities.items() if _text(a, "Subject") == _text(c, "Subject")]
            subjects_of_room.update({r: [*subjects_of_room[r], _text(c, "Subject")] for r in rooms})
        elif c.tag in ("ConstraintStudentsSetHomeRoom", "ConstraintStudentsSetHomeRooms"):
            for i, a in activities.items():
                if _names(a, "Students") == [_text(c, "Students")]:
                    home[i] = home.get(i, rooms) & rooms
            continue
        else:
            continue
        for i in chosen:
            if i in activities:
                preferred[i] = preferred.get(i, rooms) & rooms
                subjects_of_room.update({r: [*subjects_of_room[r], _text(activities[i], "Subject")] for r in rooms})
    kinds = {r: room_kind_guess(r, subjects_of_room.get(r, [])) for r in room_names}
    return {i: preferred.get(i) or home.get(i) or set() for i in activities}, kinds


def _week(days: list[str], hours: list[str], problems: list[str]) -> None:
    if not days or not hours:
        problems.append("Filen har ingen dager eller timer.")
    if len(days) > MAX_DAYS:
        problems.append(f"Filen har {len(days)} dager i uken; en skoleuke kan ha høyst {MAX_DAYS}.")


def parse_fet(root: ET.Element) -> ImportData:  # noqa: PLR0912, PLR0915 - one pass over the file
    problems: list[str] = []
    days = _names(root.find("Days_List"), "Day/Name")
    hours = _names(root.find("Hours_List"), "Hour/Name")
    _week(days, hours, problems)
    subjects = _names(root.find("Subjects_List"), "Subject/Name")
    teachers = _names(root.find("Teachers_List"), "Teacher/Name")
    year_of: dict[str, str] = {}
    sets: list[str] = []
    for year in root.findall("Students_List/Year"):
        year_name = _text(year, "Name")
        sets.append(year_name)
        year_of[year_name] = year_name
        for group in year.findall("Group"):
            group_name = _text(group, "Name")
            sets.append(group_name)
            year_of.setdefault(group_name, year_name)
            for sub in group.findall("Subgroup"):
                sub_name = _text(sub, "Name")
                sets.append(sub_name)
                year_of.setdefault(sub_name, year_name)
    rooms = [(_text(r, "Name"), int(_text(r, "Capacity") or 0) or 30) for r in root.findall("Rooms_List/Room")]
    room_names = {n for n, _c in rooms}
    groups_of: dict[str, list[tuple[str, ET.Element]]] = defaultdict(list)
    active = {_text(a, "Id"): a for a in root.findall("Activities_List/Activity") if _text(a, "Active") != "false"}
    preferred_rooms, room_kinds = _fet_rooms(root, active, room_names)
    for activity in root.findall("Activities_List/Activity"):
        if _text(activity, "Active") == "false":
            continue
        activity_id = _text(activity, "Id") or "?"
        names = _names(activity, "Teacher")
        students = _names(activity, "Students")
        subject = _text(activity, "Subject")
        unknown = (
            [f"lærer «{n}»" for n in names if n not in teachers]
            + [f"elevgruppe «{s}»" for s in students if s not in year_of]
            + ([f"fag «{subject}»"] if subject not in subjects else [])
        )
        if unknown:
            problems.append(f"Aktivitet {activity_id} viser til ukjent {', '.join(unknown)}.")
            continue
        if not students:
            problems.append(f"Aktivitet {activity_id} har ingen elevgruppe.")
            continue
        try:
            duration = int(_text(activity, "Duration"))
        except ValueError:
            duration = 0
        if duration not in (1, 2):
            problems.append(
                f"Aktivitet {activity_id} varer {duration or '?'} timer; OAS tar bare enkelt- og dobbelttimer (1 eller 2)."
            )
            continue
        group_id = _text(activity, "Activity_Group_Id") or "0"
        groups_of[f"g{group_id}" if group_id != "0" else f"a{activity_id}"].append((activity_id, activity))
    requirements: list[IRequirement] = []
    req_of_activity: dict[str, tuple[int, int]] = {}  # activity id -> (requirement index, duration)
    for key, members in groups_of.items():
        first = members[0][1]
        students = _names(first, "Students")
        lengths = sorted((int(_text(a, "Duration")) for _i, a in members), reverse=True)
        kinds = {room_kinds[r] for i, _a in members for r in preferred_rooms.get(i, set())}
        for activity_id, activity in members:
            req_of_activity[activity_id] = (len(requirements), int(_text(activity, "Duration")))
        requirements.append(
            IRequirement(
                subject=_text(first, "Subject"),
                groups=students,
                classes=list(dict.fromkeys([*students, *(year_of[s] for s in students)])),
                teachers=_names(first, "Teacher"),
                lengths=lengths,
                key=f"aktivitet {members[0][0]}" if key.startswith("a") else f"aktivitetsgruppe {key[1:]}",
                room_kind=next(iter(kinds)) if len(kinds) == 1 and kinds != {"classroom"} else "",
            )
        )
    placements: list[IPlacement] = []
    rooms_of: dict[str, str] = {}
    for constraint in root.findall("Space_Constraints_List/ConstraintActivityPreferredRoom"):
        if _text(constraint, "Weight_Percentage") in ("100", "100.0") and _text(constraint, "Room") in room_names:
            rooms_of[_text(constraint, "Activity_Id")] = _text(constraint, "Room")
    for constraint in root.findall("Time_Constraints_List/ConstraintActivityPreferredStartingTime"):
        if _text(constraint, "Active") == "false" or _text(constraint, "Weight_Percentage") not in ("100", "100.0"):
            continue
        activity_id = _text(constraint, "Activity_Id")
        day, hour = _text(constraint, "Preferred_Day"), _text(constraint, "Preferred_Hour")
        if activity_id not in req_of_activity:
            continue
        if day not in days or hour not in hours:
            problems.append(f"Aktivitet {activity_id} er plassert på en ukjent dag eller time ({day} {hour}).")
            continue
        index, length = req_of_activity[activity_id]
        if hours.index(hour) + length > len(hours):
            problems.append(f"Aktivitet {activity_id} er plassert så sent at den går ut over dagen.")
            continue
        placements.append(
            IPlacement(
                requirement=index,
                day=days.index(day),
                period=hours.index(hour),
                length=length,
                room=rooms_of.get(activity_id, ""),
                locked=_text(constraint, "Permanently_Locked") == "true",
            )
        )
    unavailable: list[tuple[str, int, int]] = []
    for constraint in root.findall("Time_Constraints_List/ConstraintTeacherNotAvailableTimes"):
        name = _text(constraint, "Teacher")
        if name not in teachers or _text(constraint, "Active") == "false":
            continue
        for when in constraint.findall("Not_Available_Time"):
            day, hour = _text(when, "Day"), _text(when, "Hour")
            if day in days and hour in hours:
                unavailable.append((name, days.index(day), hours.index(hour)))
    room_unavailable: list[tuple[str, int, int]] = []
    for constraint in root.findall("Space_Constraints_List/ConstraintRoomNotAvailableTimes"):
        name = _text(constraint, "Room")
        if name not in room_names or _text(constraint, "Active") == "false":
            continue
        if _text(constraint, "Weight_Percentage") not in ("100", "100.0"):
            continue
        for when in constraint.findall("Not_Available_Time"):
            day, hour = _text(when, "Day"), _text(when, "Hour")
            if day in days and hour in hours:
                room_unavailable.append((name, days.index(day), hours.index(hour)))
    if problems:
        raise ImportError_(problems)
    used = {g for r in requirements for g in r.classes}
    return ImportData(
        notes=_fet_rules_note(root),
        room_kinds=room_kinds,
        room_unavailable=room_unavailable,
        source="FET",
        name=_text(root, "Institution_Name") or "FET",
        days=days,
        periods=_periods(hours),
        subjects=subjects,
        teachers=teachers,
        groups=[s for s in dict.fromkeys(sets) if s in used],
        rooms=rooms,
        requirements=requirements,
        placements=placements,
        unavailable=unavailable,
    )


# The FET constraints read above (the basic ones say what OAS always does: no clashes, a room for each lesson).
_FET_READ = {
    "ConstraintBasicCompulsoryTime",
    "ConstraintBasicCompulsorySpace",
    "ConstraintActivityPreferredStartingTime",
    "ConstraintActivityPreferredRoom",
    "ConstraintTeacherNotAvailableTimes",
    "ConstraintRoomNotAvailableTimes",
}
# Of those, the ones read only at 100 % (a weaker one is a wish OAS does not hold).
_FET_READ_AT_100 = {
    "ConstraintActivityPreferredStartingTime",
    "ConstraintActivityPreferredRoom",
    "ConstraintRoomNotAvailableTimes",
}
NOT_READ = "Ikke lest inn (skolens egne regler og vekter gjelder i stedet)"


def _fet_rules_note(root: ET.Element) -> list[str]:
    """A note naming the file's active constraints that are not read, with how many of each."""
    counts: dict[str, int] = defaultdict(int)
    for constraint in [*root.findall("Time_Constraints_List/*"), *root.findall("Space_Constraints_List/*")]:
        if _text(constraint, "Active") == "false":
            continue
        weight = _text(constraint, "Weight_Percentage")
        if constraint.tag not in _FET_READ:
            counts[constraint.tag] += 1
        elif constraint.tag in _FET_READ_AT_100 and weight not in ("100", "100.0"):
            counts[f"{constraint.tag} {weight} %"] += 1
    if not counts:
        return []
    listed = ", ".join(f"{tag} ({n})" for tag, n in sorted(counts.items()))
    return [f"{NOT_READ}: {listed}."]


def _kind(type_id: str) -> str:
    lowered = type_id.lower()
    for word, kind in (("teacher", "teacher"), ("room", "room"), ("class", "class"), ("student", "class")):
        if word in lowered:
            return kind
    return ""


def parse_xhstt(root: ET.Element) -> ImportData:  # noqa: PLR0912, PLR0915 - one pass over the file
    problems: list[str] = []
    instance = root.find("Instances/Instance")
    if instance is None:
        raise ImportError_(["Filen har ingen instans (Instances/Instance)."])
    day_ids = [g.get("Id", "") for g in instance.findall("Times/TimeGroups/Day")]
    days = [_text(g, "Name") or g.get("Id", "") for g in instance.findall("Times/TimeGroups/Day")]
    slots: dict[str, tuple[int, int]] = {}
    per_day: dict[int, list[str]] = defaultdict(list)
    for time_el in instance.findall("Times/Time"):
        ref = time_el.find("Day")
        day_id = ref.get("Reference", "") if ref is not None else ""
        if day_id not in day_ids:
            problems.append(f"Tiden {time_el.get('Id')} viser til en ukjent dag «{day_id}».")
            continue
        day = day_ids.index(day_id)
        slots[time_el.get("Id", "")] = (day, len(per_day[day]))
        per_day[day].append(_text(time_el, "Name") or time_el.get("Id", ""))
    count = max((len(v) for v in per_day.values()), default=0)
    _week(days, ["x"] * count, problems)
    type_kind = {t.get("Id", ""): _kind(f"{t.get('Id', '')} {_text(t, 'Name')}") for t in instance.iter("ResourceType")}
    resources: dict[str, tuple[str, str]] = {}  # id -> (kind, name)
    for resource in instance.findall("Resources/Resource"):
        type_ref = resource.find("ResourceType")
        kind = type_kind.get(type_ref.get("Reference", "") if type_ref is not None else "", "")
        resources[resource.get("Id", "")] = (kind, _text(resource, "Name") or resource.get("Id", ""))
    other_kinds = sorted({k for k, _n in resources.values()} - {"teacher", "class", "room"})
    notes = ["Ressurser som verken er lærer, klasse eller rom, er ikke tatt med."] if other_kinds else []
    courses = {
        c.get("Id", ""): _text(c, "Name") or c.get("Id", "") for c in instance.findall("Events/EventGroups/Course")
    }
    requirements: list[IRequirement] = []
    placements: list[IPlacement] = []
    req_of_event: dict[str, int] = {}
    room_of_event: dict[str, str] = {}
    for event in instance.findall("Events/Event"):
        event_id = event.get("Id", "")
        try:
            duration = int(_text(event, "Duration"))
        except ValueError:
            duration = 0
        if duration < 1:
            problems.append(f"Hendelsen {event_id} har ingen gyldig varighet.")
            continue
        refs = [r.get("Reference", "") for r in event.findall("Resources/Resource") if r.get("Reference")]
        unknown = [r for r in refs if r not in resources]
        if unknown:
            problems.append(f"Hendelsen {event_id} viser til ukjente ressurser: {', '.join(unknown)}.")
            continue
        classes = [resources[r][1] for r in refs if resources[r][0] == "class"]
        if not classes:
            problems.append(f"Hendelsen {event_id} har ingen klasse.")
            continue
        course = event.find("Course")
        subject = courses.get(course.get("Reference", ""), "") if course is not None else ""
        rooms = [resources[r][1] for r in refs if resources[r][0] == "room"]
        req_of_event[event_id] = len(requirements)
        room_of_event[event_id] = rooms[0] if rooms else ""
        requirements.append(
            IRequirement(
                subject=(subject or _text(event, "Name") or event_id)[:200],
                groups=classes,
                classes=classes,
                teachers=[resources[r][1] for r in refs if resources[r][0] == "teacher"],
                lengths=[1] * duration,
                key=f"hendelse {event_id}",
            )
        )
        time_ref = event.find("Time")
        if time_ref is not None and time_ref.get("Reference"):
            if time_ref.get("Reference") not in slots:
                problems.append(f"Hendelsen {event_id} viser til en ukjent tid «{time_ref.get('Reference')}».")
                continue
            day, period = slots[time_ref.get("Reference", "")]
            placements.extend(
                IPlacement(len(requirements) - 1, day, period + offset, 1, room_of_event[event_id], locked=True)
                for offset in range(duration)
            )
    solution = next(
        (s for s in root.findall("SolutionGroups/SolutionGroup/Solution") if s.get("Reference") == instance.get("Id")),
        None,
    )
    if solution is not None and not placements:
        for event in solution.findall("Events/Event"):
            event_id, time_ref = event.get("Reference", ""), event.find("Time")
            if event_id not in req_of_event or time_ref is None or time_ref.get("Reference") not in slots:
                continue
            day, period = slots[time_ref.get("Reference", "")]
            try:
                length = int(_text(event, "Duration") or "1")
            except ValueError:
                length = 1
            placements.extend(
                IPlacement(req_of_event[event_id], day, period + offset, 1, room_of_event[event_id])
                for offset in range(length)
                if period + offset < len(per_day[day])
            )
        notes.append("Den første løsningen i filen er lest inn som timeplan.")
    if problems:
        raise ImportError_(problems)
    try:
        unavailable, room_unavailable = _xhstt_constraints(
            instance=instance, slots=slots, resources=resources, notes=notes
        )
    except ValueError as exc:  # a Duration or Workload that is no whole number
        raise ImportError_([f"Filen har en verdi som skulle vært et helt tall: {exc}."]) from None
    used = {g for r in requirements for g in r.classes}
    rooms_used = sorted({name for kind, name in resources.values() if kind == "room"})
    return ImportData(
        source="XHSTT",
        name=_text(instance, "MetaData/Name") or instance.get("Id", "") or "XHSTT",
        days=days,
        periods=_periods(max(per_day.values(), key=len, default=[])),
        subjects=sorted({r.subject for r in requirements}),
        teachers=sorted({name for kind, name in resources.values() if kind == "teacher"}),
        groups=sorted(used),
        rooms=[(name, 30) for name in rooms_used],
        requirements=requirements,
        placements=placements,
        unavailable=unavailable,
        room_unavailable=room_unavailable,
        notes=notes,
    )


def _xhstt_constraints(
    *, instance: ET.Element, slots: dict[str, tuple[int, int]], resources: dict[str, tuple[str, str]], notes: list[str]
) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int]]]:
    """The teachers' and rooms' unavailable times from the required AvoidUnavailableTimes constraints; a note
    naming the constraints that are read and those that are not."""
    ci = read_cost_instance(instance)
    unavailable: list[tuple[str, int, int]] = []
    room_unavailable: list[tuple[str, int, int]] = []
    read: dict[str, int] = defaultdict(int)
    not_read: dict[str, int] = defaultdict(int)
    for constraint in ci.constraints:
        tag = constraint.tag
        required = _text(constraint, "Required").lower() == "true"
        if tag == "AvoidClashesConstraint" and required:
            read[tag] += 1
            continue
        if tag != "AvoidUnavailableTimesConstraint" or not required:
            not_read[tag] += 1
            continue
        ids = constraint_resources(ci, constraint)
        times = [ci.times[i] for i in sorted(constraint_times(ci, constraint))]
        placed = [slots[t] for t in times if t in slots]
        kinds = {resources[i][0] for i in ids if i in resources}
        for resource_id in ids:
            kind, name = resources.get(resource_id, ("", ""))
            target = unavailable if kind == "teacher" else room_unavailable if kind == "room" else None
            if target is not None:
                target.extend((name, day, period) for day, period in placed)
        if kinds & {"teacher", "room"}:
            read[tag] += 1
        if kinds - {"teacher", "room"}:
            not_read[f"{tag} (klasser)"] += 1
    for label, counts in (
        ("Lest inn fra filens regler", read),
        (NOT_READ, not_read),
    ):
        if counts:
            notes.append(f"{label}: " + ", ".join(f"{t} ({n})" for t, n in sorted(counts.items())) + ".")
    return unavailable, room_unavailable
