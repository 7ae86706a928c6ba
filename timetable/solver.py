"""The timetable generator on OR-Tools CP-SAT, free of Django: a ``Problem`` in, a ``Solution`` out.

The model is time-indexed: for each requirement and lesson length a boolean per (day, start period) says a lesson
of that length starts there; lessons of one requirement are interchangeable, so counting starts removes the
symmetry of numbering them. A requirement *occupies* a period when one of its lessons covers it.

Hard constraints: a teacher, a class (its pupils) and a requirement are in at most one place a period; teachers'
unavailable times; rooms of each type per period; exactly the hours a week; at most N periods of a subject a day;
parallel blocks at the same time; double lessons are two consecutive periods of one day; no free period inside a
pupil's day for the classes that need it (grades 1–7); fixed (locked) lessons. Soft, weighted: teachers' free
periods between lessons, the same subject twice on one day, late periods, a teacher's preferred free day.

Explaining infeasibility: every group of requirements (a requirement's hours, its daily maximum, a teacher's
unavailable times, a class's no-gap rule, a room type's capacity, a parallel block, a fixed lesson) hangs on an
assumption literal; CP-SAT returns a sufficient subset of the assumptions (``SufficientAssumptionsForInfeasibility``),
which is shrunk by deletion to a small core the user can read and relax.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
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
    # Optional, off by default: at most this many lessons (starts, whatever their length) a day.
    max_lessons_per_day: int | None = None
    # Optional, off by default: (length, allowed (day, start) slots) — lessons of that length start only there.
    allowed_starts: tuple[tuple[int, frozenset[Slot]], ...] = ()
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
    def __init__(self, problem: Problem, *, relaxed: frozenset[str], with_assumptions: bool) -> None:
        self.p = problem
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
        return sum(terms) if terms else 0

    def _build(self) -> None:  # noqa: PLR0912, PLR0915 - one model, read top to bottom
        p, m = self.p, self.m
        days, periods = range(p.days), range(p.periods)
        self._by_req: dict[int, list[tuple[tuple[int, int], dict[Slot, cp_model.IntVar]]]] = defaultdict(list)
        for req in p.requirements:
            counts: dict[int, int] = defaultdict(int)
            for length in req.lengths:
                counts[length] += 1
            allowed_by_length = dict(req.allowed_starts)
            covered = []
            for length, count in sorted(counts.items()):
                allowed = allowed_by_length.get(length)
                by_slot = {
                    (d, s): m.new_bool_var(f"y{req.id}_{length}_{d}_{s}")
                    for d in days
                    for s in range(p.periods - length + 1)
                    if allowed is None or (d, s) in allowed
                }
                self.starts[(req.id, length)] = by_slot
                self._by_req[req.id].append(((req.id, length), by_slot))
                total = sum(by_slot.values())
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
                    self._guard(f"maxday:{req.id}", m.add(sum(occ[(req.id, d, s)] for s in periods) <= req.max_per_day))
                    if req.max_lessons_per_day is not None:
                        starts_today = [
                            v for _key, by_slot in self._by_req[req.id] for (dd, _s), v in by_slot.items() if dd == d
                        ]
                        self._guard(f"maxday:{req.id}", m.add(_sum(starts_today) <= req.max_lessons_per_day))
        # Teachers: no clash, unavailable times.
        by_teacher: dict[int, list[int]] = defaultdict(list)
        for req in p.requirements:
            for teacher in req.teachers:
                by_teacher[teacher].append(req.id)
        for teacher, reqs in by_teacher.items():
            unavailable = p.teacher_unavailable.get(teacher, set())
            for d in days:
                for s in periods:
                    load = sum(occ[(r, d, s)] for r in reqs)
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
                    m.add(busy <= sum(occ[(member, d, s)] for member in members))
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
                    # At most one stretch of lessons a day: count where a stretch begins.
                    begins = []
                    for s in periods:
                        begin = m.new_bool_var(f"cb{klass}_{d}_{s}")
                        previous = busy_by_period[s - 1] if s else 0
                        m.add(begin >= busy_by_period[s] - previous)
                        begins.append(begin)
                    self._guard(f"gaps:{klass}", m.add(sum(begins) <= 1))
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
                    self._guard(f"rooms:{kind}", m.add(sum(occ[(r, d, s)] for r in reqs) <= capacity.get((d, s), 0)))
        # Fixed lessons.
        for index, (rid, d, s, length) in enumerate(p.fixed):
            var = self.starts.get((rid, length), {}).get((d, s))
            if not self._wanted(f"fixed:{index}"):
                continue
            if var is None:
                self._guard(f"fixed:{index}", m.add(False))
            else:
                self._guard(f"fixed:{index}", m.add(var == 1))
        if self.with_assumptions:
            return  # explaining: feasibility only
        # Soft: teachers' free periods (stretches beyond the first), preferred free day.
        for teacher, reqs in by_teacher.items():
            free_day = p.preferred_free_day.get(teacher)
            for d in days:
                loads = [_sum([occ[(r, d, s)] for r in reqs]) for s in periods]
                if p.weight_teacher_gaps and (p.gap_teachers is None or teacher in p.gap_teachers):
                    begins = []
                    for s in periods:
                        begin = m.new_bool_var(f"tb{teacher}_{d}_{s}")
                        m.add(begin >= loads[s] - (loads[s - 1] if s else 0))
                        begins.append(begin)
                    extra = m.new_int_var(0, p.periods, f"tg{teacher}_{d}")
                    m.add(extra >= sum(begins) - 1)
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
                if p.weight_spread:
                    lessons_today = sum(
                        var for (_key, by_slot) in self._by_req[req.id] for (dd, _s), var in by_slot.items() if dd == d
                    )
                    extra = m.new_int_var(0, p.periods, f"sp{req.id}_{d}")
                    m.add(extra >= lessons_today - 1)
                    self.cost.append(p.weight_spread * extra)
                if p.weight_late:
                    self.cost.extend(p.weight_late * occ[(req.id, d, s)] for s in p.late_periods if s < p.periods)
        if p.weight_room_overflow:
            for kind, capacity in p.soft_room_capacity.items():
                members = [r.id for r in p.requirements if r.room_kind == kind]
                for d in days:
                    for s in periods:
                        over = m.new_int_var(0, len(members), f"ro{kind}_{d}_{s}")
                        m.add(over >= sum(occ[(r, d, s)] for r in members) - capacity.get((d, s), 0))
                        self.cost.append(p.weight_room_overflow * over)
        if self.cost:
            m.minimize(sum(self.cost))

    def placements(self, solver: cp_model.CpSolver) -> list[Placement]:
        out = []
        for (rid, length), by_slot in self.starts.items():
            for (d, s), var in by_slot.items():
                if solver.value(var):
                    out.append(Placement(requirement=rid, day=d, period=s, length=length))
        return sorted(out, key=lambda x: (x.day, x.period, x.requirement))


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
WALL_BACKSTOP = 3.0


def _solver(*, seed: int, seconds: float, workers: int, reproducible: bool = False) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = seed
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
    model = _Model(problem, relaxed=relaxed, with_assumptions=False)
    callback = _Progress(progress)
    # Phase 1: any timetable without hard violations (no objective: much faster to a first timetable).
    # Phase 2: minimise the soft cost from that timetable (a hint), in the time that is left.
    if model.cost:
        model.m.clear_objective()
    solver = _solver(seed=seed, seconds=seconds, workers=workers, reproducible=reproducible)
    status = _run(solver, model.m, callback=None, stop=stop)
    if status == cp_model.INFEASIBLE:
        core = explain_core(problem, relaxed=relaxed, seed=seed, seconds=max(5.0, seconds)) if explain else []
        return Solution(status="infeasible", seconds=time.perf_counter() - started, core=core)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        cancelled = stop is not None and stop.is_set()
        return Solution(status="cancelled" if cancelled else "unknown", seconds=time.perf_counter() - started)
    first = model.placements(solver)
    first_seconds = time.perf_counter() - started
    if on_first is not None:
        on_first(first)
    # The budget left for phase 2 is counted in the same clock as the limit (deterministic time when reproducible).
    left = seconds - (solver.deterministic_time / DETERMINISTIC_PER_SECOND if reproducible else first_seconds)
    if not model.cost or left < 0.5 or (stop is not None and stop.is_set()):
        return Solution(
            status="feasible" if model.cost else "optimal",
            placements=first,
            objective=None if model.cost else 0,
            seconds=time.perf_counter() - started,
            solutions=1,
            first_seconds=first_seconds,
        )
    for by_slot in model.starts.values():
        for var in by_slot.values():
            model.m.add_hint(var, solver.value(var))
    model.m.minimize(_sum(model.cost))
    solver = _solver(seed=seed, seconds=left, workers=workers, reproducible=reproducible)
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


def _run(
    solver: cp_model.CpSolver, model: cp_model.CpModel, *, callback: _Progress | None, stop: threading.Event | None
) -> Any:
    """Solve, stopping the search as soon as ``stop`` is set (from any thread)."""
    done = threading.Event()

    def watch() -> None:
        while stop is not None and not done.wait(0.1):
            if stop.is_set():
                if callback is not None:
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
