"""The timetable generator on OR-Tools CP-SAT, free of Django: a ``Problem`` in, a ``Solution`` out.

The model is time-indexed: for each requirement and lesson length a boolean per (day, start period) says a lesson
of that length starts there; lessons of one requirement are interchangeable, so counting starts removes the
symmetry of numbering them. A requirement *occupies* a period when one of its lessons covers it.

Hard constraints: a teacher, a class (its pupils) and a requirement are in at most one place a period; teachers'
unavailable times; rooms of each type per period; exactly the hours a week; at most N periods of a subject a day;
parallel blocks at the same time; double lessons are two consecutive periods of one day; no free period inside a
pupil's day for the classes that need it (grades 1–7); fixed (locked) lessons. Soft, weighted: teachers' free
periods between lessons, the same subject twice on one day, late periods, a teacher's preferred free day.

FET files (``timetable.fetproblem``) add further hard rules that OAS's own versions leave empty: slots a
requirement may not use or the only ones it may start at, minimum days between lessons, lessons not overlapping or
starting together, a teacher's days a week, hours a day and free periods (gaps) a day or week, a class's hours a
day, gaps a week and late beginnings, and rooms shared by several room types (the types' demand together at most
the rooms of their union). Gaps are counted exactly: a period is inside the day when some lesson is at or before
it and some at or after it.

Explaining infeasibility: every group of requirements (a requirement's hours, its daily maximum, a teacher's
unavailable times, a class's no-gap rule, a room type's capacity, a parallel block, a fixed lesson) hangs on an
assumption literal; CP-SAT returns a sufficient subset of the assumptions (``SufficientAssumptionsForInfeasibility``),
which is shrunk by deletion to a small core the user can read and relax.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ortools.sat.python import cp_model

Slot = tuple[int, int]  # (day, period index among the lesson periods)


@dataclass(frozen=True)
class SReq:
    """One lesson requirement as the solver sees it."""

    id: int
    lengths: tuple[int, ...]
    teachers: tuple[int, ...] = ()
    classes: tuple[int, ...] = ()
    room_kind: str = ""
    max_per_day: int = 2
    block: int | None = None
    # At most this many of its lessons on one day (0: no limit besides ``max_per_day``; FET's "min 1 day between").
    max_lessons_per_day: int = 0
    # Soft: a second lesson on one day costs ``weight_spread`` (FET files: only where the file asks for it).
    spread: bool = True
    # Optional, off by default: (length, allowed (day, start) slots) — lessons of that length start only there
    # (XHSTT's PreferTimes with a Duration; ``Problem.allowed_starts`` limits every lesson of a requirement).
    allowed_starts_by_length: tuple[tuple[int, frozenset[Slot]], ...] = ()
    # Optional, off by default (0): the lessons' lengths are the solver's choice. ``lengths`` is then the most
    # lessons of each length, and the lessons placed cover exactly this many periods.
    flexible_total: int = 0
    # Optional, with ``flexible_total``: (length, minimum, maximum) lessons of that length, a soft wish (cost 1 per
    # lesson outside).
    preferred_counts: tuple[tuple[int, int, int], ...] = ()


@dataclass
class Problem:
    days: int
    periods: int
    requirements: list[SReq]
    late_periods: frozenset[int] = frozenset()
    no_gap_classes: frozenset[int] = frozenset()
    teacher_unavailable: dict[int, set[Slot]] = field(default_factory=dict)
    # Rooms per type and slot: a type missing from the map has no limit (home classrooms).
    room_capacity: dict[str, dict[Slot, int]] = field(default_factory=dict)
    # Fixed lessons: (requirement id, day, period, length).
    fixed: list[tuple[int, int, int, int]] = field(default_factory=list)
    preferred_free_day: dict[int, int] = field(default_factory=dict)
    weight_teacher_gaps: int = 3
    weight_spread: int = 2
    weight_late: int = 1
    weight_free_day: int = 2
    # Further hard rules that FET files carry (``timetable.fet.read_fet``); empty for OAS's own versions.
    # Slots none of a requirement's lessons may cover, and the only slots its lessons may start at.
    forbidden: dict[int, frozenset[Slot]] = field(default_factory=dict)
    allowed_starts: dict[int, frozenset[Slot]] = field(default_factory=dict)
    # (requirement ids, minimum days between any two of their lessons, weight: 0 = hard, else the soft cost a pair).
    min_days: list[tuple[tuple[int, ...], int, int]] = field(default_factory=list)
    not_overlapping: list[tuple[int, ...]] = field(default_factory=list)
    # FET's "consecutive if same day" (a soft min days that FET keeps as a hard rule when it is broken): on any day,
    # at most two lessons of these requirements, and two only next to each other.
    consecutive_same_day: list[tuple[int, ...]] = field(default_factory=list)
    # Requirements of one lesson each that start at the same time.
    same_start: list[tuple[int, ...]] = field(default_factory=list)
    teacher_max_days: dict[int, int] = field(default_factory=dict)
    teacher_max_hours_day: dict[int, int] = field(default_factory=dict)
    # Minimum periods on a day the teacher (class) has lessons; a class's applies to every day.
    teacher_min_hours_day: dict[int, int] = field(default_factory=dict)
    class_min_hours_day: dict[int, int] = field(default_factory=dict)
    # Free periods between lessons (FET's "gaps"; break slots not counted).
    teacher_max_gaps_day: dict[int, int] = field(default_factory=dict)
    teacher_max_gaps_week: dict[int, int] = field(default_factory=dict)
    class_max_gaps_week: dict[int, int] = field(default_factory=dict)
    # Days a class may begin at the second period (beginning later is not allowed).
    class_max_second_start: dict[int, int] = field(default_factory=dict)
    # (teacher, first period, end period (exclusive), max days with a lesson in [first, end)).
    teacher_interval_max_days: list[tuple[int, int, int, int]] = field(default_factory=list)
    # Breaks, and a class's unavailable times, are not free periods (FET counts neither as a gap, nor as the day's
    # beginning); a teacher's unavailable times are ``teacher_unavailable``.
    break_slots: frozenset[Slot] = frozenset()
    class_unavailable: dict[int, frozenset[Slot]] = field(default_factory=dict)
    # Rooms shared by several room types: the demand of these types together is at most the rooms of their union.
    room_unions: list[tuple[tuple[str, ...], dict[Slot, int]]] = field(default_factory=list)
    # Optional, off by default (None: every teacher): the teachers whose free periods cost ``weight_teacher_gaps``.
    gap_teachers: frozenset[int] | None = None
    # Optional, off by default: rooms per type and slot as a soft limit, each lesson period beyond costing
    # ``weight_room_overflow`` (for types whose hard limit makes a first timetable too hard to find).
    soft_room_capacity: dict[str, dict[Slot, int]] = field(default_factory=dict)
    weight_room_overflow: int = 0


@dataclass(frozen=True)
class Placement:
    requirement: int
    day: int
    period: int
    length: int


@dataclass
class Solution:
    status: str  # "optimal", "feasible", "infeasible", "unknown", "cancelled"
    placements: list[Placement] = field(default_factory=list)
    objective: int | None = None
    bound: int | None = None
    seconds: float = 0.0
    solutions: int = 0
    # Seconds to the first timetable without hard violations.
    first_seconds: float | None = None
    # Infeasible: the keys of a small set of conflicting requirement groups.
    core: list[str] = field(default_factory=list)


# The core key when the explanation did not finish in time.
UNKNOWN = "unknown"

# (solutions so far, objective, bound, seconds) -> True to stop.
ProgressCallback = Callable[[int, int, int, float], bool]


def _sum(terms: list[Any]) -> cp_model.LinearExpr:
    return cp_model.LinearExpr.sum(terms)


class _Model:
    def __init__(
        self,
        problem: Problem,
        *,
        relaxed: frozenset[str],
        with_assumptions: bool,
        gaps_as_cost: bool = False,
        soft: bool = True,
    ) -> None:
        self.p = problem
        # Without ``soft`` only the hard rules are built (a first timetable: the soft cost's variables only slow the
        # search for one down).
        self.soft = soft and not with_assumptions
        # Gap limits (FET's max gaps) as violations to minimise to zero: CP-SAT's local search reaches a timetable
        # that keeps them much sooner from an objective than from a hard constraint.
        self.gaps_as_cost = gaps_as_cost and not with_assumptions
        self.violations: list[cp_model.IntVar] = []
        self.m = cp_model.CpModel()
        self.relaxed = relaxed
        self.with_assumptions = with_assumptions
        self.assumptions: dict[str, cp_model.IntVar] = {}
        # starts[(req, length)][(day, period)] -> BoolVar
        self.starts: dict[tuple[int, int], dict[Slot, cp_model.IntVar]] = {}
        self.cost: list[cp_model.LinearExprT] = []
        self.lesson_counts: dict[tuple[int, int], Any] = {}
        self._build()

    def _guard(self, key: str, constraint: cp_model.Constraint) -> None:
        """Make ``constraint`` depend on the assumption ``key`` (explanation mode)."""
        if self.with_assumptions:
            literal = self.assumptions.get(key)
            if literal is None:
                literal = self.assumptions[key] = self.m.new_bool_var(key)
            constraint.only_enforce_if(literal)

    def _wanted(self, key: str) -> bool:
        return key not in self.relaxed

    def occ(self, req: int, day: int, period: int) -> cp_model.LinearExprT:
        terms = []
        for (rid, length), by_slot in self._by_req[req]:
            del rid
            for start in range(max(0, period - length + 1), period + 1):
                var = by_slot.get((day, start))
                if var is not None:
                    terms.append(var)
        return terms[0] if len(terms) == 1 else _sum(terms) if terms else 0

    def _build(self) -> None:  # noqa: PLR0912, PLR0915 - one model, read top to bottom
        p, m = self.p, self.m
        days, periods = range(p.days), range(p.periods)
        self._by_req: dict[int, list[tuple[tuple[int, int], dict[Slot, cp_model.IntVar]]]] = defaultdict(list)
        for req in p.requirements:
            counts: dict[int, int] = defaultdict(int)
            for length in req.lengths:
                counts[length] += 1
            allowed_by_length = dict(req.allowed_starts_by_length)
            covered = []
            for length, count in sorted(counts.items()):
                forbidden = p.forbidden.get(req.id, frozenset())
                allowed = p.allowed_starts.get(req.id)
                allowed_here = allowed_by_length.get(length)
                by_slot = {
                    (d, s): m.new_bool_var(f"y{req.id}_{length}_{d}_{s}")
                    for d in days
                    for s in range(p.periods - length + 1)
                    if (allowed is None or (d, s) in allowed)
                    and (allowed_here is None or (d, s) in allowed_here)
                    and not any((d, s + k) in forbidden for k in range(length))
                }
                self.starts[(req.id, length)] = by_slot
                self._by_req[req.id].append(((req.id, length), by_slot))
                total = _sum(list(by_slot.values()))
                m.add(total <= count)
                if req.flexible_total:
                    covered.append(length * total)
                    self.lesson_counts[(req.id, length)] = total
                elif self._wanted(f"hours:{req.id}"):
                    self._guard(f"hours:{req.id}", m.add(total == count))
            if req.flexible_total and self._wanted(f"hours:{req.id}"):
                self._guard(f"hours:{req.id}", m.add(_sum(covered) == req.flexible_total))
        occ = {(r.id, d, s): self.occ(r.id, d, s) for r in p.requirements for d in days for s in periods}
        for req in p.requirements:
            for d in days:
                for s in periods:
                    m.add(occ[(req.id, d, s)] <= 1)
                if self._wanted(f"maxday:{req.id}"):
                    self._guard(
                        f"maxday:{req.id}", m.add(_sum([occ[(req.id, d, s)] for s in periods]) <= req.max_per_day)
                    )
                if req.max_lessons_per_day:
                    m.add(self.lessons_on(req.id, d) <= req.max_lessons_per_day)
        # Teachers: no clash, unavailable times.
        by_teacher: dict[int, list[int]] = defaultdict(list)
        for req in p.requirements:
            for teacher in req.teachers:
                by_teacher[teacher].append(req.id)
        for teacher, reqs in by_teacher.items():
            unavailable = p.teacher_unavailable.get(teacher, set())
            for d in days:
                for s in periods:
                    load = _sum([occ[(r, d, s)] for r in reqs])
                    m.add(load <= 1)
                    if (d, s) in unavailable and self._wanted(f"avail:{teacher}"):
                        self._guard(f"avail:{teacher}", m.add(load == 0))
        # Parallel blocks: every member occupies the same periods as the first.
        blocks: dict[int, list[int]] = defaultdict(list)
        for req in p.requirements:
            if req.block is not None:
                blocks[req.block].append(req.id)
        block_busy: dict[tuple[int, int, int], cp_model.IntVar] = {}
        for block, members in blocks.items():
            for d in days:
                for s in periods:
                    busy = block_busy[(block, d, s)] = m.new_bool_var(f"b{block}_{d}_{s}")
                    for member in members:
                        m.add(busy >= occ[(member, d, s)])
                    m.add(busy <= _sum([occ[(member, d, s)] for member in members]))
                    if self._wanted(f"block:{block}"):
                        for member in members[1:]:
                            self._guard(f"block:{block}", m.add(occ[(member, d, s)] == occ[(members[0], d, s)]))
        # Classes (their pupils): one thing at a time; a block counts once.
        class_units: dict[int, tuple[list[int], set[int]]] = defaultdict(lambda: ([], set()))
        for req in p.requirements:
            for klass in req.classes:
                if req.block is None:
                    class_units[klass][0].append(req.id)
                else:
                    class_units[klass][1].add(req.block)
        for klass, (reqs, class_blocks) in class_units.items():
            for d in days:
                busy_by_period = []
                for s in periods:
                    class_load = _sum([occ[(r, d, s)] for r in reqs] + [block_busy[(b, d, s)] for b in class_blocks])
                    m.add(class_load <= 1)
                    busy_by_period.append(class_load)
                if klass in p.no_gap_classes and self._wanted(f"gaps:{klass}"):
                    # At most one stretch of lessons a day.
                    self._guard(f"gaps:{klass}", m.add(self._stretches(f"cb{klass}_{d}_", busy_by_period) <= 1))
        # Rooms of each type per period.
        by_kind: dict[str, list[int]] = defaultdict(list)
        for req in p.requirements:
            if req.room_kind and req.room_kind in p.room_capacity:
                by_kind[req.room_kind].append(req.id)
        for kind, reqs in by_kind.items():
            if not self._wanted(f"rooms:{kind}"):
                continue
            capacity = p.room_capacity[kind]
            for d in days:
                for s in periods:
                    self._guard(f"rooms:{kind}", m.add(_sum([occ[(r, d, s)] for r in reqs]) <= capacity.get((d, s), 0)))
        # Fixed lessons.
        for index, (rid, d, s, length) in enumerate(p.fixed):
            var = self.starts.get((rid, length), {}).get((d, s))
            if not self._wanted(f"fixed:{index}"):
                continue
            if var is None:
                self._guard(f"fixed:{index}", m.add(False))
            else:
                self._guard(f"fixed:{index}", m.add(var == 1))
        self._extras(occ, by_teacher, class_units, block_busy)
        if not self.soft:
            return  # explaining, or a first timetable: feasibility only
        # Soft: teachers' free periods (stretches beyond the first), preferred free day.
        for teacher, reqs in by_teacher.items():
            free_day = p.preferred_free_day.get(teacher)
            for d in days:
                loads = [_sum([occ[(r, d, s)] for r in reqs]) for s in periods]
                if p.weight_teacher_gaps and (p.gap_teachers is None or teacher in p.gap_teachers):
                    extra = m.new_int_var(0, p.periods, f"tg{teacher}_{d}")
                    m.add(extra >= self._stretches(f"tb{teacher}_{d}_", loads) - 1)
                    self.cost.append(p.weight_teacher_gaps * extra)
                if free_day == d and p.weight_free_day:
                    works = m.new_bool_var(f"tw{teacher}_{d}")
                    for load in loads:
                        m.add(works >= load)
                    self.cost.append(p.weight_free_day * works)
        for req in p.requirements:
            for length, low, high in req.preferred_counts if req.flexible_total else ():
                count = self.lesson_counts.get((req.id, length), 0)
                outside = m.new_int_var(0, p.days * p.periods, f"pc{req.id}_{length}")
                m.add(outside >= low - count)
                m.add(outside >= count - high)
                self.cost.append(outside)
            for d in days:
                if p.weight_spread and req.spread:
                    extra = m.new_int_var(0, p.periods, f"sp{req.id}_{d}")
                    m.add(extra >= self.lessons_on(req.id, d) - 1)
                    self.cost.append(p.weight_spread * extra)
                if p.weight_late:
                    self.cost.extend(p.weight_late * occ[(req.id, d, s)] for s in p.late_periods if s < p.periods)
        if p.weight_room_overflow:
            for kind, capacity in p.soft_room_capacity.items():
                members = [r.id for r in p.requirements if r.room_kind == kind]
                for d in days:
                    for s in periods:
                        over = m.new_int_var(0, len(members), f"ro{kind}_{d}_{s}")
                        m.add(over >= _sum([occ[(r, d, s)] for r in members]) - capacity.get((d, s), 0))
                        self.cost.append(p.weight_room_overflow * over)
        if self.cost:
            m.minimize(_sum(self.cost))

    def starts_at(self, req: int, day: int, period: int) -> cp_model.LinearExprT:
        return _sum([by_slot[(day, period)] for _key, by_slot in self._by_req[req] if (day, period) in by_slot])

    def lessons_on(self, req: int, day: int) -> cp_model.LinearExprT:
        return _sum([var for _key, by_slot in self._by_req[req] for (d, _s), var in by_slot.items() if d == day])

    def _stretches(self, name: str, loads: list[Any]) -> cp_model.LinearExprT:
        """How many stretches of busy periods ``loads`` (0/1 expressions, one a period) has: where each begins."""
        begins = []
        for index, load in enumerate(loads):
            begin = self.m.new_bool_var(f"{name}{index}" if name else "")
            self.m.add(begin >= load - (loads[index - 1] if index else 0))
            begins.append(begin)
        return _sum(begins)

    def _day_busy(self, name: str, loads: list[cp_model.LinearExprT]) -> cp_model.IntVar:
        """A boolean: some of ``loads`` (0/1 expressions) is 1."""
        busy = self.m.new_bool_var(name)
        for load in loads:
            self.m.add(busy >= load)
        self.m.add(busy <= _sum(loads))
        return busy

    def _at_most(self, expr: cp_model.LinearExprT, limit: int) -> None:
        """``expr <= limit``; in ``gaps_as_cost`` mode the excess is a violation to drive to zero instead."""
        if not self.gaps_as_cost:
            self.m.add(expr <= limit)
            return
        excess = self.m.new_int_var(0, 1000, "")
        self.m.add(excess >= expr - limit)
        self.violations.append(excess)

    def _gaps(self, name: str, loads: list[Any]) -> Any:
        """Free periods between the first and the last busy period of ``loads`` (0/1 expressions, one a period)."""
        m, n = self.m, len(loads)
        if not n:
            return 0
        after = [m.new_bool_var(f"{name}a{i}") for i in range(n)]  # some load at or before i
        before = [m.new_bool_var(f"{name}b{i}") for i in range(n)]  # some load at or after i
        for i in range(n):
            m.add(after[i] >= loads[i])
            m.add(before[n - 1 - i] >= loads[n - 1 - i])
            if i:
                m.add(after[i] >= after[i - 1])
                m.add(after[i] <= after[i - 1] + loads[i])
                m.add(before[n - 1 - i] >= before[n - i])
                m.add(before[n - 1 - i] <= before[n - i] + loads[n - 1 - i])
            else:
                m.add(after[0] <= loads[0])
                m.add(before[n - 1] <= loads[n - 1])
        # A day with lessons: every period is after the first or before the last, the span's are both.
        return _sum(after) + _sum(before) - n * after[n - 1] - _sum(loads)

    def _extras(  # noqa: PLR0912, PLR0915 - FET's rules one after another
        self,
        occ: dict[tuple[int, int, int], Any],
        by_teacher: dict[int, list[int]],
        class_units: dict[int, tuple[list[int], set[int]]],
        block_busy: dict[tuple[int, int, int], Any],
    ) -> None:
        """The further hard rules of FET files (nothing to do for OAS's own versions)."""
        p, m = self.p, self.m
        days, periods = range(p.days), range(p.periods)
        teaching = list(periods)
        for wanted, min_days, weight in p.min_days:
            if weight and not self.soft:
                continue  # a soft rule: not in a model of the hard rules only
            ids = tuple(i for i in wanted if i in self._by_req)
            if min_days < 1 or sum(len(r.lengths) for r in p.requirements if r.id in ids) < 2:
                continue
            for first in range(p.days - min_days + 1):
                window = _sum([self.lessons_on(r, d) for r in ids for d in range(first, first + min_days)])
                if weight:
                    extra = m.new_int_var(0, len(ids), "")
                    m.add(extra >= window - 1)
                    self.cost.append(weight * extra)
                else:
                    m.add(window <= 1)
        for wanted in p.consecutive_same_day:
            ids = tuple(i for i in wanted if i in self._by_req)
            on_day: dict[int, list[tuple[int, int, cp_model.IntVar]]] = defaultdict(list)
            for r in ids:
                for (_rid, length), by_slot in self._by_req[r]:
                    for (d, s), var in by_slot.items():
                        on_day[d].append((s, length, var))
            # Two lessons on one day only where one ends as the other begins (so never three): a clause a pair.
            for starts in on_day.values():
                for (s, length, var), (s2, length2, var2) in itertools.combinations(starts, 2):
                    if s + length != s2 and s2 + length2 != s:
                        m.add_bool_or([var.Not(), var2.Not()])
        for ids in p.not_overlapping:
            for d in days:
                for s in periods:
                    m.add(_sum([occ[(r, d, s)] for r in ids if r in self._by_req]) <= 1)
        for ids in p.same_start:
            for other in ids[1:]:
                for d in days:
                    for s in periods:
                        m.add(self.starts_at(ids[0], d, s) == self.starts_at(other, d, s))

        def loads_of(d: int, reqs: list[int], blocks: set[int] | None = None) -> list[Any]:
            return [
                _sum([occ[(r, d, s)] for r in reqs] + [block_busy[(b, d, s)] for b in blocks or ()]) for s in teaching
            ]

        for teacher, reqs in by_teacher.items():
            max_days = p.teacher_max_days.get(teacher)
            max_hours = p.teacher_max_hours_day.get(teacher)
            min_hours = p.teacher_min_hours_day.get(teacher)
            gaps_day = p.teacher_max_gaps_day.get(teacher)
            gaps_week = p.teacher_max_gaps_week.get(teacher)
            intervals = [(a, b, k) for t, a, b, k in p.teacher_interval_max_days if t == teacher]
            if not any(x is not None for x in (max_days, max_hours, min_hours, gaps_day, gaps_week)) and not intervals:
                continue
            works, week_gaps = [], []
            skip = p.break_slots | p.teacher_unavailable.get(teacher, set())
            interval_days: dict[int, list[Any]] = defaultdict(list)
            for d in days:
                loads = loads_of(d, reqs)
                if max_hours is not None:
                    m.add(_sum(loads) <= max_hours)
                if max_days is not None or min_hours is not None:
                    busy = self._day_busy(f"tw{teacher}_{d}", loads)
                    works.append(busy)
                    if min_hours is not None:
                        m.add(_sum(loads) >= min_hours * busy)
                for index, (a, b, _k) in enumerate(intervals):
                    interval_days[index].append(self._day_busy("", loads[a:b]))
                if gaps_day is not None or gaps_week is not None:
                    gaps = self._gaps(
                        f"tg{teacher}_{d}_",
                        [x for s, x in zip(teaching, loads, strict=True) if (d, s) not in skip],
                    )
                    if gaps_day is not None:
                        self._at_most(gaps, gaps_day)
                    week_gaps.append(gaps)
            if max_days is not None:
                m.add(_sum(works) <= max_days)
            if gaps_week is not None:
                self._at_most(_sum(week_gaps), gaps_week)
            for index, (_a, _b, k) in enumerate(intervals):
                m.add(_sum(interval_days[index]) <= k)
        for klass, (reqs, class_blocks) in class_units.items():
            min_hours = p.class_min_hours_day.get(klass)
            gaps_week = p.class_max_gaps_week.get(klass)
            second = p.class_max_second_start.get(klass)
            if min_hours is None and gaps_week is None and second is None:
                continue
            week_gaps, late_starts = [], []
            skip = p.break_slots | p.class_unavailable.get(klass, frozenset())
            for d in days:
                loads = [
                    x for s, x in zip(teaching, loads_of(d, reqs, class_blocks), strict=True) if (d, s) not in skip
                ]
                if not loads:
                    continue
                if min_hours is not None:
                    m.add(_sum(loads) >= min_hours)
                if gaps_week == 0 and second == 0:
                    # No gaps and no late beginnings: the day's lessons fill its first periods.
                    for earlier, later in itertools.pairwise(loads):
                        m.add(earlier >= later)
                    continue
                if gaps_week == 0:
                    # No gaps: one stretch of lessons.
                    m.add(self._stretches("", loads) <= 1)
                elif gaps_week is not None:
                    week_gaps.append(self._gaps(f"cg{klass}_{d}_", loads))
                if second is not None and len(loads) > 1:
                    for later in loads[2:]:
                        m.add(loads[0] + loads[1] >= later)
                    starts_second = m.new_bool_var("")
                    m.add(starts_second >= loads[1] - loads[0])
                    late_starts.append(starts_second)
            if gaps_week is not None:
                self._at_most(_sum(week_gaps), gaps_week)
            if second is not None:
                m.add(_sum(late_starts) <= second)
        by_kind: dict[str, list[int]] = defaultdict(list)
        for req in p.requirements:
            if req.room_kind:
                by_kind[req.room_kind].append(req.id)
        for kinds, capacity in p.room_unions:
            reqs = [r for kind in kinds for r in by_kind.get(kind, [])]
            if reqs:
                for d in days:
                    for s in periods:
                        m.add(_sum([occ[(r, d, s)] for r in reqs]) <= capacity.get((d, s), 0))

    def hint_from(self, other: _Model, solver: cp_model.CpSolver) -> None:
        """Start the search from ``other``'s timetable in ``solver`` (a model of the same lessons)."""
        for key, by_slot in other.starts.items():
            for slot, var in by_slot.items():
                self.m.add_hint(self.starts[key][slot], solver.value(var))

    def placements(self, solver: cp_model.CpSolver) -> list[Placement]:
        out = []
        for (rid, length), by_slot in self.starts.items():
            for (d, s), var in by_slot.items():
                if solver.value(var):
                    out.append(Placement(requirement=rid, day=d, period=s, length=length))
        return sorted(out, key=lambda x: (x.day, x.period, x.requirement))


class _UntilZero(cp_model.CpSolverSolutionCallback):
    """Stop at the first solution without violations (phase 1 with gap limits as violations)."""

    def on_solution_callback(self) -> None:
        if self.objective_value <= 0:
            self.stop_search()


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, callback: ProgressCallback | None) -> None:
        super().__init__()
        self.callback = callback
        self.count = 0
        self.cancelled = False

    def on_solution_callback(self) -> None:
        self.count += 1
        if self.callback is not None and self.callback(
            self.count, int(self.objective_value), int(self.best_objective_bound), self.wall_time
        ):
            self.cancelled = True
            self.stop_search()


# With ``reproducible`` the limit is CP-SAT's deterministic time: this much of it per second asked for (one worker
# did 0.1-0.35 a wall second on this shared 2-core machine), with the wall clock as a backstop at 3 times the seconds.
DETERMINISTIC_PER_SECOND = 0.1
# With teachers' gap limits, when the local search found no timetable, the complete search on the hard model gets this
# share of the time left; then a timetable without the limits is repaired (``_gaps_repaired``). fet-data's DGS-Pro
# (hard max gaps a week for 26 teachers): none in 60 s with the hard model alone; relaxed and repaired, 3.8-4.8 s on 3
# of 5 seeds (2 violations left on the others).
HARD_GAPS_SHARE = 0.25
# Phase 1 begins with CP-SAT's local search alone (``use_ls_only``) for this share of the time, teachers' gap limits
# as violations to drive to zero (as hard constraints the local search found none on DGS-Pro in 20 s; for the
# complete search the violations were the slower way). Measured on fet-data's schools (6 seeds, 10-20 s, 2 workers)
# against the complete search: Oradea's first timetable in a median of 1.5 s against 2.1 s, Brazil's in 0.16 s against
# 0.49, Spain/school's in 0.59 s against 1.0; DGS-Pro's in 20 s on 4 of 4 seeds in one run and on 3 of 6 in another
# (1.8-10.2 s), against none of 4; Argentina's in 0.32 s against 0.18. With one worker (every run of the generator)
# the complete search found Oradea's on none of 4 seeds in 20 s, local search in a median of 1.3 s.
LOCAL_SEARCH_SHARE = 0.25

WALL_BACKSTOP = 3.0


def _solver(*, seed: int, seconds: float, workers: int, reproducible: bool = False) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    # OAS's seed 0 is CP-SAT's default seed 1: random_seed 0 was the slowest to a first timetable on three of
    # fet-data's schools in every run (Argentina 4.4-5.8 s against 0.6-1.0 s, Spain/school 19-22 s against 1-4 s).
    solver.parameters.random_seed = seed + 1
    if reproducible:
        # Several workers race each other: which finds a timetable first, and where the clock stops them, differs
        # from run to run. One worker stopped by deterministic time (work counted, not seconds) gives the same
        # timetable for the same seed. (Interleaved search is deterministic with several workers too, but was
        # 5-10 times slower to a first timetable here.)
        solver.parameters.num_workers = 1
        solver.parameters.max_deterministic_time = seconds * DETERMINISTIC_PER_SECOND
        solver.parameters.max_time_in_seconds = seconds * WALL_BACKSTOP
    else:
        solver.parameters.num_workers = workers
        solver.parameters.max_time_in_seconds = seconds
    # CP-SAT catches Ctrl-C itself by default and, when the solve ends, leaves SIGINT at the system default behind
    # Python's back: the next Ctrl-C then kills the process outright (devstack, which seeds a timetable, died
    # without stopping its children). Stopping a run is ours to do (the cancel flag).
    solver.parameters.catch_sigint_signal = False
    return solver


def solve(
    problem: Problem,
    *,
    seed: int = 0,
    seconds: float = 30.0,
    workers: int = 2,
    relaxed: frozenset[str] = frozenset(),
    progress: ProgressCallback | None = None,
    explain: bool = True,
    stop: threading.Event | None = None,
    on_first: Callable[[list[Placement]], None] | None = None,
    reproducible: bool = False,
) -> Solution:
    """Find a timetable for ``problem``; explain when impossible.

    With ``reproducible`` the same seed gives the same timetable whatever ``workers`` says: one worker, limited by
    deterministic time (``DETERMINISTIC_PER_SECOND`` of it per second, the wall clock a backstop at
    ``WALL_BACKSTOP`` times ``seconds``: only a machine so slow that the backstop ends the search first can give
    another timetable). Without it ``workers`` race and ``seconds`` is wall-clock time.

    ``progress`` is called from the solver's own thread on each better timetable; setting ``stop`` (from any
    thread) ends the search, keeping the best timetable so far. ``on_first`` gets the first timetable without
    hard violations as soon as it is found (before the soft cost is minimised).
    """
    started = time.perf_counter()
    # Phase 1: any timetable without hard violations: the hard rules alone, no objective (much faster to a first
    # timetable; gap limits, when the problem has them, as violations minimised to zero). A light presolve (no
    # probing, one pass): on fet-data's schools presolve took most of the time to a first timetable.
    # Phase 2: the whole model, minimising the soft cost from that timetable (a hint), in the time that is left.
    # Teachers' gap limits (FET's max gaps): the local search counts their excess as violations to drive to zero.
    gap_limits = bool(problem.teacher_max_gaps_week or problem.teacher_max_gaps_day)
    model = _Model(problem, relaxed=relaxed, with_assumptions=False, gaps_as_cost=gap_limits, soft=False)
    callback = _Progress(progress)

    def stopped() -> bool:
        return stop is not None and stop.is_set()

    def left(spent: float) -> float:
        """The time left of ``seconds``, in the limit's clock (deterministic time when reproducible)."""
        return seconds - (spent / DETERMINISTIC_PER_SECOND if reproducible else time.perf_counter() - started)

    def search(model: _Model, budget: float, *, local_search: bool) -> tuple[cp_model.CpSolver, Any]:
        if model.violations:
            model.m.minimize(_sum(model.violations))
        solver = _phase1_solver(
            seed=seed, seconds=budget, workers=workers, reproducible=reproducible, local_search=local_search
        )
        status = _run(solver, model.m, callback=_UntilZero() if model.violations else None, stop=stop)
        return solver, _checked(model, solver, status)

    # Phase 1a: local search alone (``LOCAL_SEARCH_SHARE`` of the time), which finds most schools' first timetable
    # sooner than the complete search; it cannot prove that none exists (its presolve sometimes can).
    solver: cp_model.CpSolver | None = None
    status, spent = cp_model.UNKNOWN, 0.0
    if LOCAL_SEARCH_SHARE:
        solver, status = search(model, seconds * LOCAL_SEARCH_SHARE, local_search=True)
        spent = solver.deterministic_time
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.INFEASIBLE) and not stopped():
        # Phase 1b: the complete search on the hard model (it proves it when no timetable exists) in the time that is
        # left. Gap limits can keep it from any timetable for the whole run (fet-data's DGS-Pro: none in 60 s): the
        # hard model gets ``HARD_GAPS_SHARE`` of the time, then a timetable without them is repaired.
        if gap_limits:
            model = _Model(problem, relaxed=relaxed, with_assumptions=False, soft=False)
        solver, status = search(model, left(spent) * (HARD_GAPS_SHARE if gap_limits else 1.0), local_search=False)
        spent += solver.deterministic_time
        if gap_limits and status == cp_model.UNKNOWN and not stopped() and left(spent) >= 0.5:
            model, solver, status, used = _gaps_repaired(
                problem,
                relaxed=relaxed,
                seed=seed,
                seconds=left(spent),
                workers=workers,
                reproducible=reproducible,
                stop=stop,
            )
            status = _checked(model, solver, status)
            spent += used
    if status == cp_model.INFEASIBLE:
        core = explain_core(problem, relaxed=relaxed, seed=seed, seconds=max(5.0, seconds)) if explain else []
        return Solution(status="infeasible", seconds=time.perf_counter() - started, core=core)
    if solver is None or status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Solution(status="cancelled" if stopped() else "unknown", seconds=time.perf_counter() - started)
    first, first_seconds = model.placements(solver), time.perf_counter() - started
    if on_first is not None:
        on_first(first)
    # Phase 2's model: the same variables with the soft cost (and gap limits as hard constraints again).
    full = _Model(problem, relaxed=relaxed, with_assumptions=False)
    full.hint_from(model, solver)
    model = full
    # The budget left for phase 2 is counted in the same clock as the limit (deterministic time when reproducible).
    remaining = left(spent)
    if not model.cost or remaining < 0.5 or stopped():
        return Solution(
            status="feasible" if model.cost else "optimal",
            placements=first,
            objective=None if model.cost else 0,
            seconds=time.perf_counter() - started,
            solutions=1,
            first_seconds=first_seconds,
        )
    model.m.minimize(_sum(model.cost))
    solver = _solver(seed=seed, seconds=remaining, workers=workers, reproducible=reproducible)
    status = _run(solver, model.m, callback=callback, stop=stop)
    cancelled = callback.cancelled or (stop is not None and stop.is_set())
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Solution(
            status="cancelled" if cancelled else ("optimal" if status == cp_model.OPTIMAL else "feasible"),
            placements=model.placements(solver),
            objective=int(solver.objective_value),
            bound=int(solver.best_objective_bound),
            seconds=time.perf_counter() - started,
            solutions=1 + callback.count,
            first_seconds=first_seconds,
        )
    return Solution(
        status="cancelled" if cancelled else "feasible",
        placements=first,
        seconds=time.perf_counter() - started,
        solutions=1,
        first_seconds=first_seconds,
    )


def _phase1_solver(
    *, seed: int, seconds: float, workers: int, reproducible: bool, local_search: bool = False
) -> cp_model.CpSolver:
    """A solver for a first timetable: a light presolve (no probing, one pass), which on fet-data's schools took
    most of the time to a first timetable otherwise. With ``local_search`` only CP-SAT's local search workers
    (feasibility jump and violation LS) run."""
    solver = _solver(seed=seed, seconds=seconds, workers=workers, reproducible=reproducible)
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.max_presolve_iterations = 1
    if local_search:
        solver.parameters.use_ls_only = True
        # No symmetry detection: Oradea's first timetable in a median of 0.84 s against 1.06 s (6 seeds), the others
        # the same.
        solver.parameters.symmetry_level = 0
    return solver


def _checked(model: _Model, solver: cp_model.CpSolver, status: Any) -> Any:
    """A phase 1 status with the gap limits as violations counted: a timetable is found only at zero violations;
    optimal above zero means no timetable keeps the limits, else the time ran out."""
    if model.violations and status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value > 0:
        return cp_model.INFEASIBLE if status == cp_model.OPTIMAL else cp_model.UNKNOWN
    return status


def _gaps_repaired(
    problem: Problem,
    *,
    relaxed: frozenset[str],
    seed: int,
    seconds: float,
    workers: int,
    reproducible: bool,
    stop: threading.Event | None,
) -> tuple[_Model, cp_model.CpSolver, Any, float]:
    """A first timetable for a problem with teachers' gap limits, in two steps: a timetable without the limits,
    then from it (a hint) the limits' excess as violations minimised to zero. Return the model with violations, its
    solver and status (as phase 1's) and the deterministic time used by both steps."""
    started = time.perf_counter()
    loose = _Model(
        replace(problem, teacher_max_gaps_week={}, teacher_max_gaps_day={}),
        relaxed=relaxed,
        with_assumptions=False,
        soft=False,
    )
    solver = _phase1_solver(seed=seed, seconds=seconds / 2, workers=workers, reproducible=reproducible)
    status = _run(solver, loose.m, callback=None, stop=stop)
    used = solver.deterministic_time
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return loose, solver, status, used  # infeasible without the limits: so with them; or no time left
    model = _Model(problem, relaxed=relaxed, with_assumptions=False, gaps_as_cost=True, soft=False)
    model.hint_from(loose, solver)
    model.m.minimize(_sum(model.violations))
    left = seconds - (used / DETERMINISTIC_PER_SECOND if reproducible else time.perf_counter() - started)
    repair = _phase1_solver(seed=seed, seconds=max(left, 0.1), workers=workers, reproducible=reproducible)
    status = _run(repair, model.m, callback=_UntilZero(), stop=stop)
    return model, repair, status, used + repair.deterministic_time


def _run(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    *,
    callback: cp_model.CpSolverSolutionCallback | None,
    stop: threading.Event | None,
) -> Any:
    """Solve, stopping the search as soon as ``stop`` is set (from any thread)."""
    done = threading.Event()

    def watch() -> None:
        while stop is not None and not done.wait(0.1):
            if stop.is_set():
                if isinstance(callback, _Progress):
                    callback.cancelled = True
                solver.stop_search()
                return

    if stop is not None:
        threading.Thread(target=watch, daemon=True).start()
    try:
        return solver.solve(model, callback) if callback is not None else solver.solve(model)
    finally:
        done.set()


def _infeasible_with(
    problem: Problem, *, keys: list[str], relaxed: frozenset[str], seed: int, seconds: float
) -> tuple[bool, list[str]]:
    """Solve with only ``keys`` enforced (every other group free); return (infeasible, sufficient subset)."""
    model = _Model(problem, relaxed=relaxed, with_assumptions=True)
    wanted = set(keys)
    literals = [model.assumptions[k] for k in keys if k in model.assumptions]
    for key, literal in model.assumptions.items():
        if key not in wanted:
            model.m.add(literal == 0)
    model.m.add_assumptions(literals)
    solver = _solver(seed=seed, seconds=seconds, workers=1)
    status = solver.solve(model.m)
    if status != cp_model.INFEASIBLE:
        return False, [] if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else [UNKNOWN]
    names = {literal.index: key for key, literal in model.assumptions.items()}
    return True, [names[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in names]


def explain_core(
    problem: Problem, *, relaxed: frozenset[str] = frozenset(), seed: int = 0, seconds: float = 20.0
) -> list[str]:
    """Return a small set of requirement-group keys that together make ``problem`` impossible."""
    deadline = time.perf_counter() + seconds
    every = sorted(_Model(problem, relaxed=relaxed, with_assumptions=True).assumptions)
    infeasible, core = _infeasible_with(problem, keys=every, relaxed=relaxed, seed=seed, seconds=seconds / 2)
    if not infeasible:
        # [] : impossible only through the basic rules (clashes), nothing the user can relax;
        # [UNKNOWN]: the conflicting requirements were not found within the time.
        return core
    core = core or every
    # Shrink by deletion: drop each key in turn and keep it out when the rest is still impossible.
    kept = list(core)
    for key in list(core):
        if key not in kept:
            continue
        left = deadline - time.perf_counter()
        if left <= 0.2:
            break
        trial = [k for k in kept if k != key]
        still, smaller = _infeasible_with(problem, keys=trial, relaxed=relaxed, seed=seed, seconds=min(left, 5.0))
        if still:
            kept = [k for k in trial if not smaller or k in smaller] if smaller else trial
    return sorted(kept)
