"""XHSTT (2014) instances as solver problems, and solutions back as XHSTT ``Solution`` XML.

Read: times grouped into days (``Day`` time groups), resources, and events with a duration and preassigned
resources (every preassigned resource — teacher, class, room — may be in one place at a time: the
``AvoidClashesConstraint``); events without preassigned time get one from the solver (``AssignTimeConstraint``).
The instance's constraints are mapped where OAS's model has the concept (see ``read_instance``): split rules to
lesson lengths (or the solver's choice of lengths), unavailable times, allowed start times, spread over the days
as "at most N lessons a day", a room of a kind to assign as the kind's capacity per period (the room itself is
given after solving). Every constraint is counted as mapped or not mapped (``mapped_constraints``,
``ignored_constraints``), so a result is never presented as solved against constraints it ignored. Files that are
not well-formed or refer to unknown times or resources are refused with every problem listed, and nothing is
built.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from timetable.solver import Placement, Problem, Slot, SReq
from timetable.xhstt_cost import Instance as CostInstance
from timetable.xhstt_cost import constraint_events, constraint_resources, constraint_times
from timetable.xhstt_cost import read_instance as read_cost_instance

# The constraint types OAS's model can express (each constraint of these types is mapped when its form fits; the
# count of mapped and not mapped constraints is kept per instance in ``mapped_constraints``/``ignored_constraints``).
MODELLED = {
    "AssignTimeConstraint",
    "AvoidClashesConstraint",
    "SplitEventsConstraint",
    "DistributeSplitEventsConstraint",
    "AvoidUnavailableTimesConstraint",
    "PreferTimesConstraint",
    "SpreadEventsConstraint",
    "AssignResourceConstraint",
    "PreferResourcesConstraint",
    "LimitIdleTimesConstraint",
}
BIG = 1_000_000
# Events longer than this are not split by enumeration (single periods, as before).
MAX_ENUMERATED = 24


class XhsttError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class XhsttInstance:
    id: str
    problem: Problem
    event_ids: dict[int, str]
    slot_time: dict[tuple[int, int], str]
    ignored_constraints: Counter[str] = field(default_factory=Counter)
    events: int = 0
    mapped_constraints: Counter[str] = field(default_factory=Counter)
    # Requirement id -> its lessons as (length, XHSTT event id): which event each placed lesson belongs to.
    lesson_events: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    # Event id -> (role, candidate rooms) of the one resource the solution assigns (AssignResource).
    roles: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # Resource id -> its unavailable slots (AvoidUnavailableTimes): rooms are not assigned there.
    unavailable: dict[str, set[Slot]] = field(default_factory=dict)
    # Resource id -> the XHSTT events that have it preassigned.
    preassigned: dict[str, set[str]] = field(default_factory=dict)


def _required(c: ET.Element) -> bool:
    return (c.findtext("Required") or "").strip().lower() == "true"


def _int(c: ET.Element, tag: str, default: int) -> int:
    text = (c.findtext(tag) or "").strip()
    try:
        return int(text) if text else default
    except ValueError:
        return default


def _type_of(el: ET.Element) -> str:
    found = el.find("ResourceType")
    return found.get("Reference", "") if found is not None else ""


def _refs(c: ET.Element, path: str) -> list[str]:
    return [x.get("Reference", "") for x in c.findall(path)]


def _times_of(ci: CostInstance, c: ET.Element) -> set[str]:
    """The ids of the times a constraint names."""
    return {ci.times[i] for i in constraint_times(ci, c)}


def _partitions(total: int, low: int, high: int) -> list[tuple[int, ...]]:
    """Every multiset of lesson lengths in [low, high] summing to ``total`` (largest first)."""
    out: list[tuple[int, ...]] = []

    def walk(left: int, cap: int, parts: tuple[int, ...]) -> None:
        if left == 0:
            out.append(parts)
            return
        for length in range(min(cap, left), low - 1, -1):
            walk(left - length, length, (*parts, length))

    walk(total, max(low, min(high, total)), ())
    return out


@dataclass
class _Split:
    low: int = 1
    high: int = BIG
    low_amount: int = 0
    high_amount: int = BIG
    # Length -> (minimum, maximum, required) lessons of that length (DistributeSplitEvents).
    distribute: dict[int, tuple[int, int, bool]] = field(default_factory=dict)
    constrained: bool = False


def _lengths(duration: int, split: _Split) -> tuple[int, ...] | None:
    """The lesson lengths that best meet the event's split rules (None: no split rule, or none fits)."""
    if not split.constrained or duration > MAX_ENUMERATED:
        return None
    best: tuple[tuple[int, int, int], tuple[int, ...]] | None = None
    for parts in _partitions(duration, max(1, split.low), split.high):
        hard = max(0, split.low_amount - len(parts)) + max(0, len(parts) - split.high_amount)
        soft = 0
        for length, (lo, hi, required) in split.distribute.items():
            n = parts.count(length)
            deviation = max(0, lo - n) + max(0, n - hi)
            if required:
                hard += deviation
            else:
                soft += deviation
        key = (hard, soft, len(parts))
        if best is None or key < best[0]:
            best = (key, parts)
    if best is None or best[0][0]:
        return None
    return best[1]


def _flexible(duration: int, split: _Split) -> tuple[int, ...] | None:
    """The most lessons of each allowed length, when the solver may choose the split itself: a split rule on
    lengths only (no required number of lessons of a length, any number of lessons), not too long an event."""
    if (
        not split.constrained
        or duration > MAX_ENUMERATED
        or split.low_amount > 1
        or split.high_amount < duration
        or any(required for _lo, _hi, required in split.distribute.values())
    ):
        return None
    lengths = range(max(1, split.low), min(split.high, duration) + 1)
    if len(lengths) < 2:
        return None
    return tuple(length for length in reversed(lengths) for _ in range(duration // length))


def read_instance(path: Path | str, *, full_rooms: bool = False) -> XhsttInstance:  # noqa: PLR0912, PLR0915 - one pass over the file
    """Read the first instance of an XHSTT archive as a ``Problem`` (raises ``XhsttError`` listing every problem).

    Mapped where OAS's model has the concept (required constraints unless said otherwise): SplitEvents and
    DistributeSplitEvents (required or not) become the lesson lengths of each event; AvoidUnavailableTimes the
    unavailable times of every resource it names; PreferTimes the allowed start times of the lessons (of the
    constraint's Duration, if it has one); SpreadEvents with day time groups, minimum 0 and maximum N over events
    with the same resources: one requirement per event group with at most N lessons a day (not required: the
    solver's soft "same subject twice a day" when N is 1); AssignResource (required) of one resource per event,
    with the candidates of a required PreferResources (else every resource of its type): a room kind whose capacity
    per period is the candidates available then, the room itself given after solving (``assigned_rooms``).
    Everything else is counted in ``ignored_constraints``.

    A room kind whose lessons fill every period of its rooms (no slack at all) is a soft limit unless
    ``full_rooms`` (each lesson period beyond costs 10): as a hard limit CP-SAT had to solve an exact cover and
    found no timetable at all in 90 s on FinlandArtificialSchool (two such kinds), where without it it finds one in
    seconds; the lessons left without a room after solving are XHSTT's AssignResource cost.
    """
    try:
        tree = ET.parse(path)  # noqa: S314 - see the import
    except ET.ParseError as exc:
        raise XhsttError([f"Filen er ikke gyldig XML: {exc}"]) from exc
    root = tree.getroot()
    instance = root.find("Instances/Instance")
    if instance is None:
        raise XhsttError(["Filen har ingen instans (Instances/Instance)."])
    problems: list[str] = []
    days: list[str] = [group.get("Id", "") for group in instance.findall("Times/TimeGroups/Day")]
    slots: dict[str, tuple[int, int]] = {}
    per_day: Counter[int] = Counter()
    for time_el in instance.findall("Times/Time"):
        ref = time_el.find("Day")
        day_id = ref.get("Reference", "") if ref is not None else ""
        if day_id not in days:
            problems.append(f"Tiden {time_el.get('Id')} viser til en ukjent dag {day_id!r}.")
            continue
        day = days.index(day_id)
        slots[time_el.get("Id", "")] = (day, per_day[day])
        per_day[day] += 1
    resources = {r.get("Id", "") for r in instance.findall("Resources/Resource")}
    resource_index = {rid: i for i, rid in enumerate(sorted(resources))}
    durations: dict[str, int] = {}
    event_refs: dict[str, tuple[str, ...]] = {}
    open_roles: dict[str, list[tuple[str, str]]] = {}  # event -> (role, resource type) to assign
    event_time: dict[str, tuple[int, int]] = {}
    events = instance.findall("Events/Event")
    for event in events:
        event_id = event.get("Id", "")
        duration_el = event.find("Duration")
        try:
            duration = int(duration_el.text or "") if duration_el is not None else 0
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
        time_ref = event.find("Time")
        if time_ref is not None and time_ref.get("Reference"):
            if time_ref.get("Reference") not in slots:
                problems.append(f"Hendelsen {event_id} viser til en ukjent tid {time_ref.get('Reference')!r}.")
                continue
            event_time[event_id] = slots[time_ref.get("Reference", "")]
        durations[event_id] = duration
        event_refs[event_id] = tuple(sorted(refs))
        open_roles[event_id] = [
            ((r.findtext("Role") or "").strip(), _type_of(r))
            for r in event.findall("Resources/Resource")
            if not r.get("Reference")
        ]
    if problems:
        raise XhsttError(problems)
    ci = read_cost_instance(root)
    periods = max(per_day.values(), default=0)
    # Days shorter than the longest: their missing periods are unavailable to every resource.
    missing = {(d, p) for d in range(len(days)) for p in range(per_day[d], periods)}
    unavailable: dict[int, set[Slot]] = {i: set(missing) for i in resource_index.values()} if missing else {}
    mapped: Counter[str] = Counter()
    ignored: Counter[str] = Counter()
    splits: dict[str, _Split] = defaultdict(_Split)
    allowed: dict[str, dict[int | None, set[Slot]]] = defaultdict(dict)  # event -> length (None: all) -> starts
    spread_groups: list[tuple[list[str], int, bool]] = []
    candidates: dict[tuple[str, str], set[str]] = {}  # (event, role) -> rooms allowed by PreferResources
    assign_roles: set[tuple[str, str]] = set()  # (event, role) an AssignResource rule asks for
    gap_resources: set[int] = set()
    gap_weight = 0
    for c in instance.findall("Constraints/*"):
        tag = c.tag
        if tag in ("AssignTimeConstraint", "AvoidClashesConstraint"):
            mapped[tag] += 1  # every event gets a time; every preassigned resource is in one place at a time
        elif tag == "SplitEventsConstraint" and _required(c):
            for e in constraint_events(ci, c):
                sp = splits[e]
                sp.constrained = True
                sp.low = max(sp.low, _int(c, "MinimumDuration", 1))
                sp.high = min(sp.high, _int(c, "MaximumDuration", BIG))
                sp.low_amount = max(sp.low_amount, _int(c, "MinimumAmount", 0))
                sp.high_amount = min(sp.high_amount, _int(c, "MaximumAmount", BIG))
            mapped[tag] += 1
        elif tag == "DistributeSplitEventsConstraint":
            length = _int(c, "Duration", 1)
            for e in constraint_events(ci, c):
                sp = splits[e]
                sp.constrained = True
                sp.distribute[length] = (_int(c, "Minimum", 0), _int(c, "Maximum", BIG), _required(c))
            mapped[tag] += 1
        elif tag == "AvoidUnavailableTimesConstraint" and _required(c):
            times = {slots[t] for t in _times_of(ci, c) if t in slots}
            for r in constraint_resources(ci, c):
                if r in resource_index:
                    unavailable.setdefault(resource_index[r], set()).update(times)
            mapped[tag] += 1
        elif tag == "PreferTimesConstraint" and _required(c):
            times = {slots[t] for t in _times_of(ci, c) if t in slots}
            only: int | None = _int(c, "Duration", 0) or None
            for e in constraint_events(ci, c):
                current = allowed[e].get(only)
                allowed[e][only] = set(times) if current is None else current & times
            mapped[tag] += 1
        elif tag == "PreferResourcesConstraint" and _required(c):
            role = (c.findtext("Role") or "").strip()
            wanted = set(_refs(c, "Resources/Resource"))
            for g in _refs(c, "ResourceGroups/ResourceGroup"):
                wanted |= set(ci.resource_groups.get(g, []))
            for e in constraint_events(ci, c):
                before = candidates.get((e, role))
                candidates[(e, role)] = set(wanted) if before is None else before & wanted
            mapped[tag] += 1
        elif tag == "AssignResourceConstraint" and _required(c):
            role = (c.findtext("Role") or "").strip()
            assign_roles.update((e, role) for e in constraint_events(ci, c))
            mapped[tag] += 1
        elif tag == "LimitIdleTimesConstraint" and not _required(c) and _idle_fits(ci, c):
            # Approximately: the solver counts a resource's stretches of lessons beyond the first each day, which is
            # 0 exactly when its idle times are; the cost per idle period (and Quadratic) is not followed.
            gap_resources.update(resource_index[r] for r in constraint_resources(ci, c) if r in resource_index)
            gap_weight = max(gap_weight, _int(c, "Weight", 1))
            mapped[f"{tag} (approximately: stretches, not idle periods)"] += 1
        elif tag == "SpreadEventsConstraint" and _spread_fits(ci, c):
            maximum = min(_int(tg, "Maximum", BIG) for tg in c.findall("TimeGroups/TimeGroup"))
            spread_groups.extend(
                (list(ci.event_groups.get(g, [])), maximum, _required(c))
                for g in _refs(c, "AppliesTo/EventGroups/EventGroup")
            )
            mapped[tag] += 1
        else:
            ignored[tag] += 1
    # One resource to assign (a room of a kind): a room type whose capacity per slot is its candidates available then.
    of_type: dict[str, list[str]] = defaultdict(list)
    for resource_el in instance.findall("Resources/Resource"):
        of_type[_type_of(resource_el)].append(resource_el.get("Id", ""))
    roles: dict[str, tuple[str, tuple[str, ...]]] = {}
    unassignable = 0
    for e, open_list in open_roles.items():
        wanted_roles = [(role, rtype) for role, rtype in open_list if (e, role) in assign_roles]
        if len(wanted_roles) == 1 and e not in event_time:
            role, rtype = wanted_roles[0]
            roles[e] = (role, tuple(sorted(candidates.get((e, role), set(of_type.get(rtype, []))))))
        elif wanted_roles:
            unassignable += 1
    if unassignable:
        ignored["AssignResourceConstraint (events with several resources to assign)"] += unassignable
    # Event groups of a spread rule become one requirement (same resources, no fixed time, in no other group).
    group_of: dict[str, int] = {}
    group_limit: list[tuple[int, bool]] = []
    unmerged = 0
    for group_events, maximum, required in spread_groups:
        members = [e for e in group_events if e in durations]
        ok = (
            members
            and len({(event_refs[e], roles.get(e)) for e in members}) == 1
            and not any(e in event_time or e in group_of for e in members)
        )
        if not ok:
            unmerged += 1
            continue
        for e in members:
            group_of[e] = len(group_limit)
        group_limit.append((maximum, required))
    if unmerged:
        ignored["SpreadEventsConstraint (event groups not kept together)"] += unmerged
    reqs: list[SReq] = []
    event_ids: dict[int, str] = {}
    lesson_events: dict[int, list[tuple[int, str]]] = {}
    fixed: list[tuple[int, int, int, int]] = []
    soft_spread = False
    unsplit = 0
    units: dict[object, list[str]] = {}
    for e in durations:
        units.setdefault(("group", group_of[e]) if e in group_of else ("event", e), []).append(e)
    for number, (key, members) in enumerate(units.items(), start=1):
        lessons: list[tuple[int, str]] = []
        flexible = _flexible(durations[members[0]], splits[members[0]]) if len(members) == 1 else None
        if flexible is not None and members[0] not in event_time:
            lessons = [(length, members[0]) for length in flexible]
        for e in members if not lessons else ():
            lengths = _lengths(durations[e], splits[e]) if e not in event_time else (durations[e],)
            if lengths is None:
                if splits[e].constrained:
                    unsplit += 1
                lengths = (1,) * durations[e]
            lessons.extend((length, e) for length in lengths)
        first = members[0]
        if first in event_time:
            day, period = event_time[first]
            fixed.append((number, day, period, durations[first]))
        starts: dict[int, frozenset[Slot]] = {}
        for length in {length for length, _e in lessons}:
            # The allowed starts of the events that have lessons of this length (a group's events may differ).
            sets = [
                s
                for e in members
                if (length, e) in lessons
                for only, s in allowed.get(e, {}).items()
                if only is None or only == length
            ]
            if sets:
                starts[length] = frozenset(set.intersection(*sets))
        limit: int | None = None
        if isinstance(key, tuple) and key[0] == "group":
            maximum, required = group_limit[key[1]]
            if required:
                limit = maximum
            elif maximum == 1:
                soft_spread = True
        event_ids[number] = first
        lesson_events[number] = lessons
        # Every preassigned resource is a "teacher" to the solver: it can be in one place at a time.
        reqs.append(
            SReq(
                id=number,
                lengths=tuple(length for length, _e in lessons),
                teachers=tuple(sorted(resource_index[r] for r in event_refs[first])),
                room_kind=_room_kind(roles[first]) if first in roles else "",
                max_per_day=sum(durations[e] for e in members),
                max_lessons_per_day=limit or 0,
                allowed_starts_by_length=tuple(sorted(starts.items(), key=lambda x: x[0])),
                flexible_total=durations[first] if lessons and flexible is not None and first not in event_time else 0,
                preferred_counts=tuple(
                    (length, lo, hi) for length, (lo, hi, _required) in sorted(splits[first].distribute.items())
                )
                if flexible is not None
                else (),
            )
        )
    if unsplit:
        ignored["SplitEventsConstraint (events left in single periods)"] += unsplit
    room_capacity: dict[str, dict[Slot, int]] = {}
    demand: Counter[str] = Counter()
    for e, role_rooms in roles.items():
        demand[_room_kind(role_rooms)] += durations[e]
    for role, rooms in roles.values():
        kind = _room_kind((role, rooms))
        if kind not in room_capacity:
            room_capacity[kind] = {
                (d, p): sum(1 for r in rooms if (d, p) not in unavailable.get(resource_index.get(r, -1), set()))
                for d in range(len(days))
                for p in range(periods)
            }
    full = {kind for kind, capacity in room_capacity.items() if demand[kind] >= sum(capacity.values())}
    soft_rooms: dict[str, dict[Slot, int]] = {}
    if full and not full_rooms:
        for kind in full:
            soft_rooms[kind] = room_capacity.pop(kind)
        mapped["AssignResourceConstraint (room kind full: a soft limit, rooms given after solving)"] += len(full)
    preassigned: dict[str, set[str]] = defaultdict(set)
    for e, refs_of_event in event_refs.items():
        for r in refs_of_event:
            preassigned[r].add(e)
    problem = Problem(
        days=len(days),
        room_capacity=room_capacity,
        soft_room_capacity=soft_rooms,
        weight_room_overflow=10 if soft_rooms else 0,
        periods=periods,
        requirements=reqs,
        teacher_unavailable=unavailable,
        fixed=fixed,
        weight_teacher_gaps=gap_weight,
        gap_teachers=frozenset(gap_resources),
        weight_spread=1 if soft_spread else 0,
        weight_late=0,
        weight_free_day=0,
    )
    return XhsttInstance(
        id=instance.get("Id", ""),
        problem=problem,
        event_ids=event_ids,
        slot_time={v: k for k, v in slots.items()},
        ignored_constraints=ignored,
        events=len(events),
        mapped_constraints=mapped,
        lesson_events=lesson_events,
        roles=roles,
        unavailable={r: unavailable[i] for r, i in resource_index.items() if unavailable.get(i)},
        preassigned=dict(preassigned),
    )


def _room_kind(role: tuple[str, tuple[str, ...]]) -> str:
    return f"{role[0]}:{','.join(role[1])}"


def assigned_rooms(*, instance: XhsttInstance, lessons: list[tuple[str, int, int, int]]) -> list[str | None]:
    """A room for each lesson (event, day, period, length) that needs one, free at all its periods (None: none is).

    Lessons are taken by start within each day (for rooms that are interchangeable, taking any free room in that
    order never leaves a lesson without one when the solver kept to the rooms' capacity)."""
    busy: set[tuple[str, int, int]] = set()
    for room, slots in instance.unavailable.items():
        busy.update((room, d, p) for d, p in slots)
    needs = {room for _role, rooms in instance.roles.values() for room in rooms}
    for event_id, day, period, length in lessons:
        for room in needs:
            if event_id in instance.preassigned.get(room, set()):
                busy.update((room, day, period + k) for k in range(length))
    out: list[str | None] = [None] * len(lessons)
    for index in sorted(range(len(lessons)), key=lambda i: (lessons[i][1], lessons[i][2], -lessons[i][3])):
        event_id, day, period, length = lessons[index]
        role = instance.roles.get(event_id)
        if role is None:
            continue
        for room in role[1]:
            if all((room, day, period + k) not in busy for k in range(length)):
                busy.update((room, day, period + k) for k in range(length))
                out[index] = room
                break
    return out


def _idle_fits(ci: CostInstance, c: ET.Element) -> bool:
    """A LimitIdleTimes rule OAS can approximate: no idle time at all within each day."""
    groups = _refs(c, "TimeGroups/TimeGroup")
    return bool(groups) and all(g in ci.day_ids for g in groups) and _int(c, "Maximum", 0) == 0


def _spread_fits(ci: CostInstance, c: ET.Element) -> bool:
    """A SpreadEvents rule OAS can express: its time groups are days, each with minimum 0 and the same maximum."""
    groups = c.findall("TimeGroups/TimeGroup")
    return (
        bool(groups)
        and all(tg.get("Reference", "") in ci.day_ids and _int(tg, "Minimum", 0) == 0 for tg in groups)
        and len({_int(tg, "Maximum", BIG) for tg in groups}) == 1
    )


def _event_periods(*, instance: XhsttInstance, placements: list[Placement]) -> list[tuple[str, int, int, int]]:
    """(XHSTT event id, day, first period, length) per placed lesson: lessons of one length go to the events in order."""
    queues: dict[tuple[int, int], list[str]] = defaultdict(list)
    for rid, lessons in instance.lesson_events.items():
        for length, e in lessons:
            queues[(rid, length)].append(e)
    taken: Counter[tuple[int, int]] = Counter()
    out = []
    for p in sorted(placements, key=lambda x: (x.requirement, x.day, x.period)):
        queue = queues.get((p.requirement, p.length))
        index = taken[(p.requirement, p.length)]
        taken[(p.requirement, p.length)] += 1
        event = queue[index] if queue and index < len(queue) else instance.event_ids[p.requirement]
        out.append((event, p.day, p.period, p.length))
    return out


def solution_xml(*, instance: XhsttInstance, placements: list[Placement], description: str = "OAS CP-SAT") -> str:
    """Return an XHSTT ``SolutionGroup`` for ``placements`` (one solution event per placed lesson)."""
    group = ET.Element("SolutionGroup", Id="OAS")
    meta = ET.SubElement(group, "MetaData")
    ET.SubElement(meta, "Contributor").text = "OAS"
    ET.SubElement(meta, "Description").text = description
    solution = ET.SubElement(group, "Solution", Reference=instance.id)
    events = ET.SubElement(solution, "Events")
    lessons = _event_periods(instance=instance, placements=placements)
    for (event_id, day, period, length), room in zip(
        lessons, assigned_rooms(instance=instance, lessons=lessons), strict=True
    ):
        event = ET.SubElement(events, "Event", Reference=event_id)
        ET.SubElement(event, "Duration").text = str(length)
        ET.SubElement(event, "Time", Reference=instance.slot_time[(day, period)])
        if room is not None:
            resource = ET.SubElement(ET.SubElement(event, "Resources"), "Resource", Reference=room)
            ET.SubElement(resource, "Role").text = instance.roles[event_id][0]
    return ET.tostring(group, encoding="unicode")


def placement_periods(*, instance: XhsttInstance, placements: list[Placement]) -> list[tuple[str, str]]:
    """(XHSTT event id, time id) for every period of ``placements``: OAS's result in the instance's own terms."""
    return [
        (event_id, instance.slot_time[(day, period + offset)])
        for event_id, day, period, length in _event_periods(instance=instance, placements=placements)
        for offset in range(length)
    ]
