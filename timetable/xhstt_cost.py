"""The XHSTT (2014) cost of a solution: hard cost (required constraints) and soft cost (the rest).

Pure Python, no database. Written from the format's specification (Jeffrey Kingston, "XHSTT format",
http://jeffreykingston.id.au/cgi-bin/hseval.cgi?op=spec; Post et al., "XHSTT: an XML archive for high school
timetabling problems in different countries", Annals of OR 218, 2014), not from any evaluator's code.

How a constraint is scored. Each constraint has points of application (events, event resources, event groups or
resources, from its ``AppliesTo``). At each point a deviation, a non-negative integer, is computed; the cost of the
point is ``Weight * f(deviation)`` with ``f`` = Linear (``d``), Quadratic (``d*d``) or Step (``1 if d > 0``). A
constraint's cost is the sum over its points; the hard cost of a solution is the sum over constraints with
``Required`` true, the soft cost the sum over the others.

Where a point has a deviation per time group (LimitBusyTimes, SpreadEvents), the point's deviation is their sum
and ``f`` is applied once to it. (The instances in ``../shared/xhstt`` cannot tell this from applying ``f`` per time
group: their Quadratic LimitBusyTimes constraints have one time group each.) LimitIdleTimes compares the total of
idle times over its time groups with Minimum and Maximum, ClusterBusyTimes the number of active time groups.
Checked by hand-made instances per constraint type and against the published costs of the solutions embedded in
the instance files (``PUBLISHED`` below; ``tests/timetable/test_xhstt_cost.py``).

Solution events. An event of the instance may be split into several solution events (``Solution/Events/Event``
with the same ``Reference``); each has a duration (default: the event's), a start time (the solution's, else the
event's preassigned time, else none) and resources (the event's preassigned resources, plus those the solution
assigns by role). An event with no solution event counts as one unassigned solution event of its full duration. A
solution event with start time ``t`` and duration ``d`` occupies the ``d`` times from ``t`` in the instance's order
of times; a resource is busy at a time when it is assigned to a solution event occupying it.

Every constraint type of the 2014 format is scored; a constraint element with any other tag is reported in
``Cost.not_scored`` (by tag, with its count), never counted as zero silently.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TypeAlias

BIG = 10**9

# Published (hard, soft) costs of solutions embedded in the files of ``../shared/xhstt``, by file and solution group
# (the archive's pages list them as feasible, so hard cost 0, with their "Objective value"). Used to check this
# evaluator and printed beside OAS's result. Sources, the XHSTT-2014 archive at the University of Twente:
#   BrazilInstance1: https://www.utwente.nl/en/eemcs/dmmp/hstt/datasets/Brazil/Instance1/
#   BrazilInstance2: https://www.utwente.nl/en/eemcs/dmmp/hstt/datasets/Brazil/Instance2/
#   FinlandElementarySchool: https://www.utwente.nl/en/eemcs/dmmp/hstt/datasets/Finland/ElementarySchool/ (the page's
#     "CimmoJari_2011-05-10" is the group the file calls "FinlandElementarySchool"; GOAL's 3 is proven optimal)
#   FinlandHighSchool: the GOAL solution's own <Report> in the file (0, 0).
PUBLISHED: dict[str, dict[str, tuple[int, int]]] = {
    "BrazilInstance1": {"Haroldo_Dec_2011": (0, 42), "LectioIntegerProgramming": (0, 41)},
    "BrazilInstance2": {"Haroldo_Dec_2011": (0, 38), "Lectio": (0, 5)},
    "FinlandElementarySchool": {"FinlandElementarySchool": (0, 12), "GOAL": (0, 3)},
    "FinlandHighSchool": {"GOAL team Fri Jan 29 01:53:12 2016": (0, 0)},
}


@dataclass(frozen=True)
class EventResource:
    role: str
    resource: str | None  # preassigned resource, or None when the solution assigns one
    workload: Fraction


@dataclass(frozen=True)
class Event:
    id: str
    duration: int
    time: int | None  # preassigned start time (index)
    resources: tuple[EventResource, ...]


@dataclass
class Instance:
    id: str
    times: list[str]
    time_index: dict[str, int]
    time_groups: dict[str, frozenset[int]]
    resources: list[str]
    resource_groups: dict[str, list[str]]
    events: dict[str, Event]
    event_groups: dict[str, list[str]]
    constraints: list[ET.Element]
    day_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SolnEvent:
    event: str
    duration: int
    time: int | None
    resources: tuple[str | None, ...]  # one per event resource of the event, in its order


@dataclass
class Cost:
    hard: int = 0
    soft: int = 0
    by_constraint: dict[str, int] = field(default_factory=dict)
    hard_by_type: Counter[str] = field(default_factory=Counter)  # constraint tag -> its part of the hard cost
    soft_by_type: Counter[str] = field(default_factory=Counter)
    not_scored: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)  # solution events that refer to unknown things


def _text(el: ET.Element, tag: str, default: str = "") -> str:
    found = el.find(tag)
    return (found.text or "").strip() if found is not None and found.text else default


def _int(el: ET.Element, tag: str, default: int) -> int:
    text = _text(el, tag)
    return int(text) if text else default


def _refs(el: ET.Element | None, path: str) -> list[str]:
    return [] if el is None else [x.get("Reference", "") for x in el.findall(path)]


def read_instance(root: ET.Element) -> Instance:
    """The first ``Instance`` of an archive (or the ``Instance`` element itself)."""
    inst = root if root.tag == "Instance" else root.find("Instances/Instance")
    if inst is None:
        raise ValueError("no Instances/Instance")
    times = [t.get("Id", "") for t in inst.findall("Times/Time")]
    time_index = {t: i for i, t in enumerate(times)}
    groups: dict[str, set[int]] = {g.get("Id", ""): set() for g in inst.findall("Times/TimeGroups/*")}
    for t in inst.findall("Times/Time"):
        for ref in (*_refs(t, "Week"), *_refs(t, "Day"), *_refs(t, "TimeGroups/TimeGroup")):
            groups.setdefault(ref, set()).add(time_index[t.get("Id", "")])
    resources = [r.get("Id", "") for r in inst.findall("Resources/Resource")]
    rgroups: dict[str, list[str]] = {g.get("Id", ""): [] for g in inst.findall("Resources/ResourceGroups/*")}
    for r in inst.findall("Resources/Resource"):
        for ref in _refs(r, "ResourceGroups/ResourceGroup"):
            rgroups.setdefault(ref, []).append(r.get("Id", ""))
    events: dict[str, Event] = {}
    egroups: dict[str, list[str]] = {g.get("Id", ""): [] for g in inst.findall("Events/EventGroups/*")}
    for e in inst.findall("Events/Event"):
        eid = e.get("Id", "")
        duration = _int(e, "Duration", 1)
        event_workload = Fraction(_int(e, "Workload", duration))
        time_ref = e.find("Time")
        ers = tuple(
            EventResource(
                role=_text(r, "Role"),
                resource=r.get("Reference") or None,
                workload=Fraction(_int(r, "Workload", int(event_workload))),
            )
            for r in e.findall("Resources/Resource")
        )
        events[eid] = Event(
            id=eid,
            duration=duration,
            time=time_index.get(time_ref.get("Reference", "")) if time_ref is not None else None,
            resources=ers,
        )
        for ref in (*_refs(e, "Course"), *_refs(e, "EventGroups/EventGroup")):
            egroups.setdefault(ref, []).append(eid)
    return Instance(
        id=inst.get("Id", ""),
        times=times,
        time_index=time_index,
        time_groups={k: frozenset(v) for k, v in groups.items()},
        resources=resources,
        resource_groups=rgroups,
        events=events,
        event_groups=egroups,
        constraints=list(inst.findall("Constraints/*")),
        day_ids=frozenset(g.get("Id", "") for g in inst.findall("Times/TimeGroups/Day")),
    )


def read_solution(instance: Instance, solution: ET.Element, problems: list[str] | None = None) -> list[SolnEvent]:
    """The solution events of a ``Solution`` element (events it leaves out: one unassigned solution event each)."""
    problems = problems if problems is not None else []
    out: list[SolnEvent] = []
    seen: set[str] = set()
    for se in solution.findall("Events/Event"):
        ref = se.get("Reference", "")
        event = instance.events.get(ref)
        if event is None:
            problems.append(f"solution event of unknown event {ref!r}")
            continue
        seen.add(ref)
        time_ref = se.find("Time")
        time = event.time
        if time_ref is not None:
            time = instance.time_index.get(time_ref.get("Reference", ""))
            if time is None:
                problems.append(f"solution event of {ref} at unknown time {time_ref.get('Reference')!r}")
        by_role = {_text(r, "Role"): r.get("Reference") or None for r in se.findall("Resources/Resource")}
        out.append(
            SolnEvent(
                event=ref,
                duration=_int(se, "Duration", event.duration),
                time=time,
                resources=tuple(er.resource or by_role.get(er.role) for er in event.resources),
            )
        )
    out.extend(
        SolnEvent(event=e.id, duration=e.duration, time=e.time, resources=tuple(er.resource for er in e.resources))
        for e in instance.events.values()
        if e.id not in seen
    )
    return out


def _f(cost_function: str, deviation: int | Fraction) -> int | Fraction:
    if deviation <= 0:
        return 0
    if cost_function == "Quadratic":
        return deviation * deviation
    if cost_function == "Step":
        return 1
    return deviation


def _outside(value: int | Fraction, minimum: int | Fraction, maximum: int | Fraction) -> int | Fraction:
    return minimum - value if value < minimum else value - maximum if value > maximum else 0


Devs: TypeAlias = list[int | Fraction]


def constraint_events(ins: Instance, c: ET.Element) -> list[str]:
    """The ids of the events a constraint applies to (its events and the events of its event groups)."""
    out = _refs(c, "AppliesTo/Events/Event")
    for g in _refs(c, "AppliesTo/EventGroups/EventGroup"):
        out.extend(ins.event_groups.get(g, []))
    return list(dict.fromkeys(out))


def constraint_resources(ins: Instance, c: ET.Element) -> list[str]:
    """The ids of the resources a constraint applies to (its resources and the members of its resource groups)."""
    out = _refs(c, "AppliesTo/Resources/Resource")
    for g in _refs(c, "AppliesTo/ResourceGroups/ResourceGroup"):
        out.extend(ins.resource_groups.get(g, []))
    return list(dict.fromkeys(out))


def constraint_times(ins: Instance, c: ET.Element) -> frozenset[int]:
    """The indices of the times a constraint names (its times and the times of its time groups, days and weeks)."""
    out: set[int] = {ins.time_index[t] for t in _refs(c, "Times/Time") if t in ins.time_index}
    for g in _refs(c, "TimeGroups/TimeGroup"):
        out |= ins.time_groups.get(g, frozenset())
    return frozenset(out)


class _Scorer:
    def __init__(self, instance: Instance, soln: list[SolnEvent]) -> None:
        self.ins = instance
        self.soln = soln
        self.by_event: dict[str, list[SolnEvent]] = defaultdict(list)
        for se in soln:
            self.by_event[se.event].append(se)
        # resource -> time -> number of solution events occupying it
        self.busy: dict[str, Counter[int]] = defaultdict(Counter)
        n = len(instance.times)
        for se in soln:
            if se.time is None:
                continue
            for r in {r for r in se.resources if r is not None}:
                for t in range(se.time, min(se.time + se.duration, n)):
                    self.busy[r][t] += 1

    # points of application
    def events(self, c: ET.Element) -> list[str]:
        return constraint_events(self.ins, c)

    def groups(self, c: ET.Element) -> list[list[str]]:
        return [self.ins.event_groups.get(g, []) for g in _refs(c, "AppliesTo/EventGroups/EventGroup")]

    def resources(self, c: ET.Element) -> list[str]:
        return constraint_resources(self.ins, c)

    def time_set(self, c: ET.Element) -> frozenset[int]:
        return constraint_times(self.ins, c)

    def time_groups(self, c: ET.Element) -> list[frozenset[int]]:
        return [self.ins.time_groups.get(g, frozenset()) for g in _refs(c, "TimeGroups/TimeGroup")]

    def resource_set(self, c: ET.Element) -> set[str]:
        out = set(_refs(c, "Resources/Resource"))
        for g in _refs(c, "ResourceGroups/ResourceGroup"):
            out |= set(self.ins.resource_groups.get(g, []))
        return out

    def role_slots(self, c: ET.Element) -> Iterable[tuple[str, int]]:
        """(event, index of its event resource) for every event resource with the constraint's Role."""
        role = _text(c, "Role")
        for eid in self.events(c):
            event = self.ins.events.get(eid)
            if event is None:
                continue
            for i, er in enumerate(event.resources):
                if er.role == role:
                    yield eid, i

    def occupied(self, eid: str) -> set[int]:
        out: set[int] = set()
        for se in self.by_event.get(eid, []):
            if se.time is not None:
                out.update(range(se.time, min(se.time + se.duration, len(self.ins.times))))
        return out

    # One method per constraint type: the deviation at each point of application. For LimitBusyTimes and
    # SpreadEvents a point's deviation is the sum of its time groups' deviations.

    def assign_time(self, c: ET.Element) -> Devs:
        return [sum(se.duration for se in self.by_event[e] if se.time is None) for e in self.events(c)]

    def assign_resource(self, c: ET.Element) -> Devs:
        return [sum(se.duration for se in self.by_event[e] if se.resources[i] is None) for e, i in self.role_slots(c)]

    def prefer_times(self, c: ET.Element) -> Devs:
        allowed = self.time_set(c)
        only = _int(c, "Duration", 0)
        return [
            sum(
                se.duration
                for se in self.by_event[e]
                if se.time is not None and se.time not in allowed and (not only or se.duration == only)
            )
            for e in self.events(c)
        ]

    def prefer_resources(self, c: ET.Element) -> Devs:
        allowed = self.resource_set(c)
        return [
            sum(
                se.duration for se in self.by_event[e] if se.resources[i] is not None and se.resources[i] not in allowed
            )
            for e, i in self.role_slots(c)
        ]

    def split_events(self, c: ET.Element) -> Devs:
        lo_d, hi_d = _int(c, "MinimumDuration", 1), _int(c, "MaximumDuration", BIG)
        lo_a, hi_a = _int(c, "MinimumAmount", 0), _int(c, "MaximumAmount", BIG)
        out: Devs = []
        for e in self.events(c):
            ses = self.by_event[e]
            out.append(sum(1 for se in ses if not lo_d <= se.duration <= hi_d) + _outside(len(ses), lo_a, hi_a))
        return out

    def distribute_split_events(self, c: ET.Element) -> Devs:
        d, lo, hi = _int(c, "Duration", 1), _int(c, "Minimum", 0), _int(c, "Maximum", BIG)
        return [_outside(sum(1 for se in self.by_event[e] if se.duration == d), lo, hi) for e in self.events(c)]

    def avoid_split_assignments(self, c: ET.Element) -> Devs:
        role = _text(c, "Role")
        out: Devs = []
        for group in self.groups(c):
            assigned: set[str] = set()
            for e in group:
                for i, er in enumerate(self.ins.events[e].resources):
                    if er.role == role:
                        assigned.update(r for se in self.by_event[e] if (r := se.resources[i]) is not None)
            out.append(max(0, len(assigned) - 1))
        return out

    def link_events(self, c: ET.Element) -> Devs:
        """Times at which some but not all events of the group run."""
        out: Devs = []
        for group in self.groups(c):
            sets = [self.occupied(e) for e in group]
            if not sets:
                out.append(0)
                continue
            out.append(len(sets[0].union(*sets[1:]) - sets[0].intersection(*sets[1:])))
        return out

    def order_events(self, c: ET.Element) -> Devs:
        """Separation: first time of the second event minus the time after the first event ends."""
        out: Devs = []
        for pair in c.findall("AppliesTo/EventPairs/EventPair"):
            first = [se for e in _refs(pair, "FirstEvent") for se in self.by_event[e] if se.time is not None]
            second = [se for e in _refs(pair, "SecondEvent") for se in self.by_event[e] if se.time is not None]
            if not first or not second:
                out.append(0)
                continue
            separation = min(se.time or 0 for se in second) - max((se.time or 0) + se.duration for se in first)
            out.append(_outside(separation, _int(pair, "MinSeparation", 0), _int(pair, "MaxSeparation", BIG)))
        return out

    def avoid_clashes(self, c: ET.Element) -> Devs:
        return [sum(n - 1 for n in self.busy[r].values() if n > 1) for r in self.resources(c)]

    def avoid_unavailable_times(self, c: ET.Element) -> Devs:
        unavailable = self.time_set(c)
        return [sum(1 for t in self.busy[r] if t in unavailable) for r in self.resources(c)]

    def limit_idle_times(self, c: ET.Element) -> Devs:
        """Idle: a free time of a time group between its first and last busy time; the total is compared."""
        lo, hi = _int(c, "Minimum", 0), _int(c, "Maximum", BIG)
        tgs = [sorted(tg) for tg in self.time_groups(c)]
        out: Devs = []
        for r in self.resources(c):
            idle = 0
            for tg in tgs:
                busy = [i for i, t in enumerate(tg) if t in self.busy[r]]
                if busy:
                    idle += (busy[-1] - busy[0] + 1) - len(busy)
            out.append(_outside(idle, lo, hi))
        return out

    def cluster_busy_times(self, c: ET.Element) -> Devs:
        lo, hi = _int(c, "Minimum", 0), _int(c, "Maximum", BIG)
        tgs = self.time_groups(c)
        return [_outside(sum(1 for tg in tgs if tg & self.busy[r].keys()), lo, hi) for r in self.resources(c)]

    def limit_busy_times(self, c: ET.Element) -> Devs:
        """Per time group in which the resource is busy at all: busy times outside Minimum..Maximum."""
        lo, hi = _int(c, "Minimum", 0), _int(c, "Maximum", BIG)
        tgs = self.time_groups(c)
        out: Devs = []
        for r in self.resources(c):
            counts = [sum(1 for t in self.busy[r] if t in tg) for tg in tgs]
            out.append(sum(_outside(n, lo, hi) for n in counts if n > 0))
        return out

    def limit_workload(self, c: ET.Element) -> Devs:
        """Workload of a solution resource: its event resource's workload times the share of the event's duration."""
        lo, hi = _int(c, "Minimum", 0), _int(c, "Maximum", BIG)
        load: dict[str, Fraction] = defaultdict(Fraction)
        for se in self.soln:
            event = self.ins.events[se.event]
            for i, er in enumerate(event.resources):
                if (r := se.resources[i]) is not None:
                    load[r] += er.workload * se.duration / event.duration
        return [math.ceil(_outside(load[r], lo, hi)) for r in self.resources(c)]

    def spread_events(self, c: ET.Element) -> Devs:
        limits = [
            (
                self.ins.time_groups.get(tg.get("Reference", ""), frozenset()),
                _int(tg, "Minimum", 0),
                _int(tg, "Maximum", BIG),
            )
            for tg in c.findall("TimeGroups/TimeGroup")
        ]
        out: Devs = []
        for group in self.groups(c):
            starts = [se.time for e in group for se in self.by_event[e] if se.time is not None]
            out.append(sum(_outside(sum(1 for t in starts if t in tg), lo, hi) for tg, lo, hi in limits))
        return out


_METHODS = {
    "AssignTimeConstraint": _Scorer.assign_time,
    "AssignResourceConstraint": _Scorer.assign_resource,
    "PreferTimesConstraint": _Scorer.prefer_times,
    "PreferResourcesConstraint": _Scorer.prefer_resources,
    "SplitEventsConstraint": _Scorer.split_events,
    "DistributeSplitEventsConstraint": _Scorer.distribute_split_events,
    "AvoidSplitAssignmentsConstraint": _Scorer.avoid_split_assignments,
    "LinkEventsConstraint": _Scorer.link_events,
    "OrderEventsConstraint": _Scorer.order_events,
    "AvoidClashesConstraint": _Scorer.avoid_clashes,
    "AvoidUnavailableTimesConstraint": _Scorer.avoid_unavailable_times,
    "LimitIdleTimesConstraint": _Scorer.limit_idle_times,
    "ClusterBusyTimesConstraint": _Scorer.cluster_busy_times,
    "LimitBusyTimesConstraint": _Scorer.limit_busy_times,
    "LimitWorkloadConstraint": _Scorer.limit_workload,
    "SpreadEventsConstraint": _Scorer.spread_events,
}
SCORED = frozenset(_METHODS)


def evaluate(instance: Instance, soln: list[SolnEvent]) -> Cost:
    """Hard and soft cost of ``soln`` against every constraint of ``instance``."""
    scorer = _Scorer(instance, soln)
    cost = Cost()
    for c in instance.constraints:
        method = _METHODS.get(c.tag)
        if method is None:
            cost.not_scored[c.tag] += 1
            continue
        function = _text(c, "CostFunction", "Linear")
        value = int(_int(c, "Weight", 1) * sum(_f(function, d) for d in method(scorer, c)))
        cost.by_constraint[c.get("Id", c.tag)] = value
        if _text(c, "Required").lower() == "true":
            cost.hard += value
            cost.hard_by_type[c.tag] += value
        else:
            cost.soft += value
            cost.soft_by_type[c.tag] += value
    return cost


def evaluate_solution(instance: Instance, solution: ET.Element) -> Cost:
    problems: list[str] = []
    soln = read_solution(instance, solution, problems)
    cost = evaluate(instance, soln)
    cost.problems = problems
    return cost


@dataclass(frozen=True)
class EmbeddedScore:
    group: str
    hard: int
    soft: int
    reported: tuple[int, int] | None  # the solution's own Report, when it has one


def embedded_scores(path: Path | str) -> tuple[Instance, list[EmbeddedScore]]:
    """The instance of ``path`` and the cost of every solution embedded in its ``SolutionGroups``."""
    root = ET.parse(path).getroot()  # noqa: S314 - benchmark files from a known archive
    instance = read_instance(root)
    scores: list[EmbeddedScore] = []
    for group in root.iterfind("SolutionGroups/SolutionGroup"):
        for solution in group.findall("Solution"):
            if solution.get("Reference", instance.id) != instance.id:
                continue
            cost = evaluate_solution(instance, solution)
            report = solution.find("Report")
            reported = None
            if report is not None:
                try:
                    reported = (int(_text(report, "InfeasibilityValue")), int(_text(report, "ObjectiveValue")))
                except ValueError:
                    reported = None
            scores.append(EmbeddedScore(group=group.get("Id", ""), hard=cost.hard, soft=cost.soft, reported=reported))
    return instance, scores


def split_limits(instance: Instance) -> dict[str, int]:
    """Per event, the smallest MaximumDuration its SplitEventsConstraints set (the event's duration if none)."""
    limits = {e.id: e.duration for e in instance.events.values()}
    scorer = _Scorer(instance, [])
    for c in instance.constraints:
        if c.tag == "SplitEventsConstraint":
            for e in scorer.events(c):
                if e in limits:
                    limits[e] = max(1, min(limits[e], _int(c, "MaximumDuration", BIG)))
    return limits


def solution_from_times(instance: Instance, periods: Iterable[tuple[str, str]]) -> list[SolnEvent]:
    """Solution events from (event, time) pairs, one per period of an event a solver placed.

    Periods of one event at consecutive times of one day (consecutive in the instance's order of times and in the
    same ``Day`` time group) become one solution event, cut where a SplitEventsConstraint's MaximumDuration would
    be exceeded. The part of an event's duration with no period is one unassigned solution event. Resources: the
    preassigned ones only (OAS assigns no resource by role).
    """
    day_of: dict[int, str] = {}
    for group_id, group in instance.time_groups.items():
        if group_id in instance.day_ids:
            for t in group:
                day_of[t] = group_id
    limits = split_limits(instance)
    by_event: dict[str, list[int]] = defaultdict(list)
    for event_id, time in periods:
        by_event[event_id].append(instance.time_index[time])
    out: list[SolnEvent] = []
    for event_id, times in by_event.items():
        event = instance.events[event_id]
        limit = limits[event_id]
        resources = tuple(er.resource for er in event.resources)
        run: list[int] = []
        for t in sorted(times):
            if run and (t != run[-1] + 1 or day_of.get(t) != day_of.get(run[0]) or len(run) >= limit):
                out.append(SolnEvent(event=event_id, duration=len(run), time=run[0], resources=resources))
                run = []
            run.append(t)
        if run:
            out.append(SolnEvent(event=event_id, duration=len(run), time=run[0], resources=resources))
        if len(times) < event.duration:  # the rest of the event was not placed
            out.append(SolnEvent(event=event_id, duration=event.duration - len(times), time=None, resources=resources))
    out.extend(
        SolnEvent(event=e.id, duration=e.duration, time=e.time, resources=tuple(er.resource for er in e.resources))
        for e in instance.events.values()
        if e.id not in by_event
    )
    return out


def best_known(path: Path | str) -> tuple[int, int, str] | None:
    """The best (hard, soft) of the solutions embedded in ``path``, scored here, with its solution group's name.

    ``None`` when the file embeds no solution. Where a published value for the same solution exists
    (``PUBLISHED``), the two agree for every file in ``../shared/xhstt`` (tests/timetable/test_xhstt_cost.py).
    """
    _, scores = embedded_scores(path)
    if not scores:
        return None
    best = min(scores, key=lambda s: (s.hard, s.soft))
    return best.hard, best.soft, best.group
