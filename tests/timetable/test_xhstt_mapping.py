"""XHSTT import: the instance's constraints become OAS's own (lesson lengths, unavailable times, allowed starts,
lessons a day, rooms), are counted as mapped or not, and OAS's timetable scores hard cost 0 against them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from timetable.solver import Problem, SReq, solve
from timetable.xhstt import XhsttInstance, read_instance, solution_xml
from timetable.xhstt_cost import Cost, evaluate_solution
from timetable.xhstt_cost import read_instance as read_cost_instance

DAYS = ("Mo", "Tu", "We")
PERIODS = 4


def _archive(*, resources: str, events: str, constraints: str, groups: str = "") -> str:
    times = "".join(
        f'<Time Id="{d}_{p}"><Day Reference="{d}"/><TimeGroups><TimeGroup Reference="early"/></TimeGroups></Time>'
        if p < 2
        else f'<Time Id="{d}_{p}"><Day Reference="{d}"/></Time>'
        for d in DAYS
        for p in range(1, PERIODS + 1)
    )
    day_groups = "".join(f'<Day Id="{d}"/>' for d in DAYS)
    return (
        '<HighSchoolTimetableArchive><Instances><Instance Id="t">'
        f'<Times><TimeGroups>{day_groups}<TimeGroup Id="early"/></TimeGroups>{times}</Times>'
        f'<Resources><ResourceTypes><ResourceType Id="Room"/></ResourceTypes>{resources}</Resources>'
        f'<Events><EventGroups><EventGroup Id="all"/>{groups}</EventGroups>{events}</Events>'
        f"<Constraints>{constraints}</Constraints>"
        "</Instance></Instances></HighSchoolTimetableArchive>"
    )


def _event(eid: str, duration: int, *refs: str, extra: str = "", groups: tuple[str, ...] = ("all",)) -> str:
    resources = "".join(f'<Resource Reference="{r}"/>' for r in refs) + extra
    member = "".join(f'<EventGroup Reference="{g}"/>' for g in groups)
    return (
        f'<Event Id="{eid}"><Duration>{duration}</Duration><Resources>{resources}</Resources>'
        f"<EventGroups>{member}</EventGroups></Event>"
    )


def _constraint(tag: str, body: str, *, required: bool = True, applies: str = '<EventGroup Reference="all"/>') -> str:
    wrap = "EventGroups" if "EventGroup" in applies else "Resources" if "<Resource " in applies else "ResourceGroups"
    return (
        f'<{tag} Id="{tag}_{abs(hash(body)) % 10000}"><Required>{str(required).lower()}</Required><Weight>1</Weight>'
        f"<CostFunction>Linear</CostFunction><AppliesTo><{wrap}>{applies}</{wrap}></AppliesTo>{body}</{tag}>"
    )


CLASH = (
    '<AvoidClashesConstraint Id="clash"><Required>true</Required><Weight>1</Weight><CostFunction>Linear</CostFunction>'
    '<AppliesTo><ResourceGroups><ResourceGroup Reference="people"/></ResourceGroups></AppliesTo></AvoidClashesConstraint>'
)
PEOPLE = "".join(
    f'<Resource Id="{r}"><ResourceGroups><ResourceGroup Reference="people"/></ResourceGroups></Resource>'
    for r in ("T1", "T2", "C1", "C2")
)
NO_SPLIT = _constraint(
    "SplitEventsConstraint",
    "<MinimumDuration>1</MinimumDuration><MaximumDuration>9</MaximumDuration>"
    "<MinimumAmount>1</MinimumAmount><MaximumAmount>1</MaximumAmount>",
)


def _ref(el: ET.Element, path: str) -> str:
    found = el.find(path)
    return found.get("Reference", "") if found is not None else ""


def _solve(tmp_path: Path, text: str) -> tuple[XhsttInstance, Cost, ET.Element]:
    path = tmp_path / "t.xml"
    path.write_text(text)
    instance = read_instance(path)
    result = solve(instance.problem, seconds=10, workers=1, explain=False)
    assert result.placements, result.status
    group = ET.fromstring(solution_xml(instance=instance, placements=result.placements))  # noqa: S314 - our own
    solution = group.find("Solution")
    assert solution is not None
    cost = evaluate_solution(read_cost_instance(ET.parse(path).getroot()), solution)  # noqa: S314 - our own
    return instance, cost, solution


def test_a_no_split_rule_makes_one_lesson_of_the_whole_event(tmp_path: Path) -> None:
    text = _archive(
        resources=PEOPLE,
        events=_event("e1", 3, "T1", "C1") + _event("e2", 2, "T1", "C2"),
        constraints=CLASH + NO_SPLIT,
    )
    instance, cost, solution = _solve(tmp_path, text)
    assert sorted(r.lengths for r in instance.problem.requirements) == [(2,), (3,)]  # not (1, 1, 1) and (1, 1)
    assert Counter(e.get("Reference") for e in solution.findall("Events/Event")) == {"e1": 1, "e2": 1}
    assert (cost.hard, cost.hard_by_type["SplitEventsConstraint"]) == (0, 0)
    assert instance.mapped_constraints == Counter({"AvoidClashesConstraint": 1, "SplitEventsConstraint": 1})
    assert not instance.ignored_constraints


def test_unavailable_times_are_kept_and_a_soft_one_is_listed_as_not_mapped(tmp_path: Path) -> None:
    monday = "".join(f'<Time Reference="Mo_{p}"/>' for p in range(1, PERIODS + 1))
    tuesday = "".join(f'<Time Reference="Tu_{p}"/>' for p in range(1, PERIODS + 1))
    text = _archive(
        resources=PEOPLE,
        events=_event("e1", 4, "T1", "C1") + _event("e2", 4, "T1", "C2"),
        constraints=CLASH
        + _constraint(
            "AvoidUnavailableTimesConstraint", f"<Times>{monday}</Times>", applies='<Resource Reference="T1"/>'
        )
        + _constraint(
            "AvoidUnavailableTimesConstraint",
            f"<Times>{tuesday}</Times>",
            required=False,
            applies='<Resource Reference="C1"/>',
        ),
    )
    instance, cost, solution = _solve(tmp_path, text)
    assert not any(_ref(e, "Time").startswith("Mo") for e in solution.findall("Events/Event"))
    assert cost.hard == 0
    assert instance.mapped_constraints["AvoidUnavailableTimesConstraint"] == 1
    assert instance.ignored_constraints == Counter({"AvoidUnavailableTimesConstraint": 1})


def test_prefer_times_with_a_duration_limits_only_lessons_of_that_length(tmp_path: Path) -> None:
    split = _constraint(
        "SplitEventsConstraint",
        "<MinimumDuration>1</MinimumDuration><MaximumDuration>2</MaximumDuration>"
        "<MinimumAmount>1</MinimumAmount><MaximumAmount>9</MaximumAmount>",
    )
    doubles = _constraint(
        "DistributeSplitEventsConstraint", "<Duration>2</Duration><Minimum>1</Minimum><Maximum>1</Maximum>"
    )
    early = _constraint(
        "PreferTimesConstraint", '<TimeGroups><TimeGroup Reference="early"/></TimeGroups><Duration>2</Duration>'
    )
    text = _archive(resources=PEOPLE, events=_event("e1", 3, "T1", "C1"), constraints=CLASH + split + doubles + early)
    instance, cost, solution = _solve(tmp_path, text)
    (req,) = instance.problem.requirements
    assert req.lengths == (2, 1)  # a required double: the lengths are fixed
    assert dict(req.allowed_starts_by_length) == {2: frozenset({(0, 0), (1, 0), (2, 0)})}  # "early" = periods 1 and 2
    placed = {int(e.findtext("Duration") or 0): _ref(e, "Time") for e in solution.findall("Events/Event")}
    assert placed[2] in {"Mo_1", "Tu_1", "We_1"}
    assert cost.hard == 0


def test_a_soft_split_wish_lets_the_solver_choose_the_lengths(tmp_path: Path) -> None:
    split = _constraint(
        "SplitEventsConstraint",
        "<MinimumDuration>1</MinimumDuration><MaximumDuration>2</MaximumDuration>"
        "<MinimumAmount>1</MinimumAmount><MaximumAmount>9</MaximumAmount>",
    )
    doubles = _constraint(
        "DistributeSplitEventsConstraint",
        "<Duration>2</Duration><Minimum>1</Minimum><Maximum>1</Maximum>",
        required=False,
    )
    text = _archive(resources=PEOPLE, events=_event("e1", 4, "T1", "C1"), constraints=CLASH + split + doubles)
    instance, cost, solution = _solve(tmp_path, text)
    (req,) = instance.problem.requirements
    assert (req.flexible_total, req.lengths, req.preferred_counts) == (4, (2, 2, 1, 1, 1, 1), ((2, 1, 1),))
    durations = sorted(int(e.findtext("Duration") or 0) for e in solution.findall("Events/Event"))
    assert sum(durations) == 4
    assert durations.count(2) == 1  # the soft wish met: one double
    assert (cost.hard, cost.soft) == (0, 0)


def test_a_spread_group_becomes_one_requirement_with_a_lesson_a_day(tmp_path: Path) -> None:
    spread = _constraint(
        "SpreadEventsConstraint",
        "<TimeGroups>"
        + "".join(f'<TimeGroup Reference="{d}"><Minimum>0</Minimum><Maximum>1</Maximum></TimeGroup>' for d in DAYS)
        + "</TimeGroups>",
        applies='<EventGroup Reference="course"/>',
    )
    # Two events of one course with different allowed times (a regression: each keeps its own).
    only_mo = _constraint(
        "PreferTimesConstraint", '<Times><Time Reference="Mo_3"/></Times>', applies='<EventGroup Reference="first"/>'
    )
    text = _archive(
        resources=PEOPLE,
        groups='<EventGroup Id="course"/><EventGroup Id="first"/>',
        events=_event("a", 2, "T1", "C1", groups=("all", "course", "first"))
        + _event("b", 1, "T1", "C1", groups=("all", "course"))
        + _event("c", 1, "T1", "C1", groups=("all", "course")),
        constraints=CLASH + NO_SPLIT + spread + only_mo,
    )
    instance, cost, solution = _solve(tmp_path, text)
    (req,) = instance.problem.requirements
    assert (sorted(req.lengths), req.max_lessons_per_day) == ([1, 1, 2], 1)
    assert dict(req.allowed_starts_by_length) == {2: frozenset({(0, 2)})}
    days = [_ref(e, "Time")[:2] for e in solution.findall("Events/Event")]
    assert sorted(days) == sorted(DAYS)
    assert cost.hard == 0


def test_a_room_to_assign_is_a_room_kind_and_the_solution_names_the_room(tmp_path: Path) -> None:
    rooms = (
        "".join(
            f'<Resource Id="{r}"><ResourceType Reference="Room"/>'
            '<ResourceGroups><ResourceGroup Reference="labs"/></ResourceGroups></Resource>'
            for r in ("R1",)
        )
        + '<Resource Id="R2"><ResourceType Reference="Room"/></Resource>'
    )
    need = '<Resource><Role>lab</Role><ResourceType Reference="Room"/></Resource>'
    assign = _constraint("AssignResourceConstraint", "<Role>lab</Role>")
    prefer = _constraint(
        "PreferResourcesConstraint",
        '<ResourceGroups><ResourceGroup Reference="labs"/></ResourceGroups><Role>lab</Role>',
    )
    text = _archive(
        resources=PEOPLE + rooms,
        events=_event("e1", 4, "T1", "C1", extra=need) + _event("e2", 4, "T2", "C2", extra=need),
        constraints=CLASH + NO_SPLIT + assign + prefer,
    )
    instance, cost, solution = _solve(tmp_path, text)
    assert {r.room_kind for r in instance.problem.requirements} == {"lab:R1"}
    assert set(instance.problem.room_capacity["lab:R1"].values()) == {1}
    rooms_given = [_ref(e, "Resources/Resource") for e in solution.findall("Events/Event")]
    assert rooms_given == ["R1", "R1"]
    times = [_ref(e, "Time")[:2] for e in solution.findall("Events/Event")]
    assert len(set(times)) == 2  # one lab: the two four-period lessons on different days
    assert cost.hard == 0
    assert instance.mapped_constraints["AssignResourceConstraint"] == 1


def test_the_solver_options_are_off_by_default() -> None:
    problem = Problem(days=2, periods=3, requirements=[SReq(id=1, lengths=(1, 1, 1), max_per_day=3)])
    assert solve(problem, seconds=5, workers=1).placements
    limited = Problem(
        days=2, periods=3, requirements=[SReq(id=1, lengths=(1, 1, 1), max_per_day=3, max_lessons_per_day=1)]
    )
    assert solve(limited, seconds=5, workers=1, explain=False).status == "infeasible"  # three lessons, two days


def test_a_room_kind_without_slack_is_a_soft_limit_unless_asked(tmp_path: Path) -> None:
    rooms = '<Resource Id="R1"><ResourceType Reference="Room"/></Resource>'
    need = '<Resource><Role>lab</Role><ResourceType Reference="Room"/></Resource>'
    text = _archive(
        resources=PEOPLE + rooms,
        events="".join(_event(f"e{i}", 4, "T1", "C1", extra=need) for i in range(3)),  # 12 periods, one room
        constraints=CLASH + NO_SPLIT + _constraint("AssignResourceConstraint", "<Role>lab</Role>"),
    )
    path = tmp_path / "t.xml"
    path.write_text(text)
    instance = read_instance(path)
    assert instance.problem.room_capacity == {}
    assert set(instance.problem.soft_room_capacity) == {"lab:R1"}
    assert instance.problem.weight_room_overflow > 0
    label = "AssignResourceConstraint (room kind full: a soft limit, rooms given after solving)"
    assert instance.mapped_constraints[label] == 1
    assert set(read_instance(path, full_rooms=True).problem.room_capacity) == {"lab:R1"}
    result = solve(instance.problem, seconds=5, workers=1, explain=False)
    group = ET.fromstring(solution_xml(instance=instance, placements=result.placements))  # noqa: S314 - our own
    assert [_ref(e, "Resources/Resource") for e in group.findall("Solution/Events/Event")] == ["R1"] * 3


def test_no_idle_times_for_some_resources_costs_their_gaps_only(tmp_path: Path) -> None:
    idle = _constraint(
        "LimitIdleTimesConstraint",
        "<TimeGroups>"
        + "".join(f'<TimeGroup Reference="{d}"/>' for d in DAYS)
        + "</TimeGroups><Minimum>0</Minimum><Maximum>0</Maximum>",
        required=False,
        applies='<Resource Reference="C1"/>',
    )
    # C1's two lessons: without the rule nothing keeps them next to each other on one day.
    text = _archive(
        resources=PEOPLE,
        events=_event("e1", 1, "T1", "C1") + _event("e2", 1, "T2", "C1"),
        constraints=CLASH + idle,
    )
    instance, cost, _solution = _solve(tmp_path, text)
    assert instance.problem.weight_teacher_gaps == 1
    assert instance.problem.gap_teachers == frozenset({sorted(["T1", "T2", "C1", "C2"]).index("C1")})
    assert instance.mapped_constraints["LimitIdleTimesConstraint (approximately: stretches, not idle periods)"] == 1
    assert (cost.hard, cost.soft) == (0, 0)
