"""XHSTT cost: each constraint type on a tiny hand-made instance, costs worked out by hand; the embedded solutions of
the shared instances score as published."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from timetable.solver import Placement
from timetable.xhstt import placement_periods, read_instance
from timetable.xhstt_cost import (
    PUBLISHED,
    SCORED,
    Cost,
    best_known,
    embedded_scores,
    evaluate,
    evaluate_solution,
    solution_from_times,
)
from timetable.xhstt_cost import read_instance as read_cost_instance

SHARED = Path("/work/shared/xhstt")

# Two days of three times (Mo1 Mo2 Mo3 Tu1 Tu2 Tu3); teacher T, class C, rooms R1 R2 (group Rooms); events:
# A (duration 2, T and C, a room by role), B (duration 1, T), D (duration 1, C), E (duration 1, C).
BASE = """<HighSchoolTimetableArchive><Instances><Instance Id="I">
<Times><TimeGroups><Day Id="Mo"/><Day Id="Tu"/><TimeGroup Id="Early"/></TimeGroups>
<Time Id="Mo1"><Day Reference="Mo"/><TimeGroups><TimeGroup Reference="Early"/></TimeGroups></Time>
<Time Id="Mo2"><Day Reference="Mo"/></Time><Time Id="Mo3"><Day Reference="Mo"/></Time>
<Time Id="Tu1"><Day Reference="Tu"/><TimeGroups><TimeGroup Reference="Early"/></TimeGroups></Time>
<Time Id="Tu2"><Day Reference="Tu"/></Time><Time Id="Tu3"><Day Reference="Tu"/></Time></Times>
<Resources><ResourceTypes><ResourceType Id="Room"/></ResourceTypes>
<ResourceGroups><ResourceGroup Id="Rooms"><ResourceType Reference="Room"/></ResourceGroup></ResourceGroups>
<Resource Id="T"/><Resource Id="C"/>
<Resource Id="R1"><ResourceType Reference="Room"/><ResourceGroups><ResourceGroup Reference="Rooms"/></ResourceGroups></Resource>
<Resource Id="R2"><ResourceType Reference="Room"/></Resource></Resources>
<Events><EventGroups><Course Id="AB"/><EventGroup Id="All"/></EventGroups>
<Event Id="A"><Duration>2</Duration><Course Reference="AB"/>
 <Resources><Resource Reference="T"><Role>t</Role></Resource><Resource Reference="C"><Role>c</Role></Resource>
 <Resource><Role>room</Role><ResourceType Reference="Room"/></Resource></Resources>
 <EventGroups><EventGroup Reference="All"/></EventGroups></Event>
<Event Id="B"><Duration>1</Duration><Course Reference="AB"/><Resources><Resource Reference="T"><Role>t</Role></Resource></Resources>
 <EventGroups><EventGroup Reference="All"/></EventGroups></Event>
<Event Id="D"><Duration>1</Duration><Resources><Resource Reference="C"><Role>c</Role></Resource></Resources>
 <EventGroups><EventGroup Reference="All"/></EventGroups></Event>
<Event Id="E"><Duration>1</Duration><Resources><Resource Reference="C"><Role>c</Role></Resource></Resources>
 <EventGroups><EventGroup Reference="All"/></EventGroups></Event>
</Events>
<Constraints>{constraints}</Constraints>
</Instance></Instances></HighSchoolTimetableArchive>"""


def _c(tag: str, body: str, *, required: bool = False, weight: int = 1, function: str = "Linear") -> str:
    return (
        f'<{tag} Id="x"><Required>{str(required).lower()}</Required><Weight>{weight}</Weight>'
        f"<CostFunction>{function}</CostFunction>{body}</{tag}>"
    )


def _solution(*events: tuple[str, str | None, int | None, str | None]) -> ET.Element:
    """(event, time or None, duration or None, room or None) per solution event."""
    parts = []
    for event, time, duration, room in events:
        inner = f"<Duration>{duration}</Duration>" if duration else ""
        inner += f'<Time Reference="{time}"/>' if time else ""
        inner += f'<Resources><Resource Reference="{room}"><Role>room</Role></Resource></Resources>' if room else ""
        parts.append(f'<Event Reference="{event}">{inner}</Event>')
    return ET.fromstring(f'<Solution Reference="I"><Events>{"".join(parts)}</Events></Solution>')  # noqa: S314


def _cost(constraint: str, solution: ET.Element) -> Cost:
    root = ET.fromstring(BASE.format(constraints=constraint))  # noqa: S314 - our own text
    return evaluate_solution(read_cost_instance(root), solution)


# A at Mo1-Mo2 in R2, B at Mo2 (clash with A for T), D at Tu1, E unassigned.
CLASHING = _solution(("A", "Mo1", None, "R2"), ("B", "Mo2", None, None), ("D", "Tu1", None, None))
EVENTS_ALL = "<AppliesTo><EventGroups><EventGroup Reference='All'/></EventGroups></AppliesTo>"
RES_T_C = "<AppliesTo><Resources><Resource Reference='T'/><Resource Reference='C'/></Resources></AppliesTo>"


@pytest.mark.parametrize(
    ("constraint", "hard", "soft"),
    [
        # E (duration 1) has no time.
        pytest.param(_c("AssignTimeConstraint", EVENTS_ALL, required=True, weight=3), 3, 0, id="assign-time"),
        # A's room is assigned (R2), so nothing; see the next case for an unassigned one.
        pytest.param(
            _c("AssignResourceConstraint", EVENTS_ALL + "<Role>room</Role>", required=True), 0, 0, id="assign-resource"
        ),
        # Allowed start times: Early (Mo1, Tu1). B starts at Mo2: duration 1 off. A at Mo1 and D at Tu1 are fine.
        pytest.param(
            _c(
                "PreferTimesConstraint",
                EVENTS_ALL + "<TimeGroups><TimeGroup Reference='Early'/></TimeGroups>",
                weight=5,
            ),
            0,
            5,
            id="prefer-times",
        ),
        # The same, only for solution events of duration 2: A is fine, B does not count.
        pytest.param(
            _c(
                "PreferTimesConstraint",
                EVENTS_ALL + "<TimeGroups><TimeGroup Reference='Early'/></TimeGroups><Duration>2</Duration>",
            ),
            0,
            0,
            id="prefer-times-duration",
        ),
        # Room must be in group Rooms (R1 only): A has R2 for its duration 2.
        pytest.param(
            _c(
                "PreferResourcesConstraint",
                EVENTS_ALL + "<ResourceGroups><ResourceGroup Reference='Rooms'/></ResourceGroups><Role>room</Role>",
            ),
            0,
            2,
            id="prefer-resources",
        ),
        # T at Mo2 twice: one clash. C: A at Mo1-Mo2, D at Tu1, no clash.
        pytest.param(_c("AvoidClashesConstraint", RES_T_C, required=True), 1, 0, id="avoid-clashes"),
        # T unavailable on Mo2 and Mo3: busy at Mo2 (once, although twice over). C unavailable too: busy Mo2.
        pytest.param(
            _c(
                "AvoidUnavailableTimesConstraint",
                RES_T_C + "<Times><Time Reference='Mo2'/><Time Reference='Mo3'/></Times>",
                weight=2,
            ),
            0,
            4,
            id="avoid-unavailable",
        ),
        # Busy times on Mo at most 1: T has 2 (dev 1), C has 2 (dev 1). Quadratic: 1 + 1.
        pytest.param(
            _c(
                "LimitBusyTimesConstraint",
                RES_T_C
                + "<TimeGroups><TimeGroup Reference='Mo'/></TimeGroups><Minimum>0</Minimum><Maximum>1</Maximum>",
                function="Quadratic",
            ),
            0,
            2,
            id="limit-busy-max",
        ),
        # At least 3 busy times on a day where busy at all: T Mo 2 (dev 1); C Mo 2 (dev 1), Tu 1 (dev 2): per resource
        # the sum, squared: T 1, C 9.
        pytest.param(
            _c(
                "LimitBusyTimesConstraint",
                RES_T_C
                + "<TimeGroups><TimeGroup Reference='Mo'/><TimeGroup Reference='Tu'/></TimeGroups><Minimum>3</Minimum><Maximum>9</Maximum>",
                function="Quadratic",
            ),
            0,
            10,
            id="limit-busy-min",
        ),
        # Busy days at most 1: T busy on Mo only (0), C on Mo and Tu (1).
        pytest.param(
            _c(
                "ClusterBusyTimesConstraint",
                RES_T_C
                + "<TimeGroups><TimeGroup Reference='Mo'/><TimeGroup Reference='Tu'/></TimeGroups><Minimum>0</Minimum><Maximum>1</Maximum>",
                weight=7,
            ),
            0,
            7,
            id="cluster-busy",
        ),
        # Step: any deviation costs the weight once.
        pytest.param(
            _c(
                "ClusterBusyTimesConstraint",
                RES_T_C
                + "<TimeGroups><TimeGroup Reference='Mo'/><TimeGroup Reference='Tu'/></TimeGroups><Minimum>3</Minimum><Maximum>9</Maximum>",
                weight=4,
                function="Step",
            ),
            0,
            8,
            id="cluster-busy-step",
        ),
        # Spread of course AB (A at Mo1, B at Mo2): at most 1 solution event a day -> Mo 2 (dev 1).
        pytest.param(
            _c(
                "SpreadEventsConstraint",
                "<AppliesTo><EventGroups><EventGroup Reference='AB'/></EventGroups></AppliesTo><TimeGroups><TimeGroup Reference='Mo'><Minimum>0</Minimum><Maximum>1</Maximum></TimeGroup><TimeGroup Reference='Tu'><Minimum>1</Minimum><Maximum>1</Maximum></TimeGroup></TimeGroups>",
                required=True,
            ),
            2,
            0,
            id="spread-events",  # Mo over by 1, Tu under by 1
        ),
        # Workload at most 2: T has A (2) + B (1) = 3 (dev 1); C has A (2) + D (1) + E (1, no time but C's) = 4 (dev 2).
        pytest.param(
            _c("LimitWorkloadConstraint", RES_T_C + "<Minimum>0</Minimum><Maximum>2</Maximum>"),
            0,
            3,
            id="limit-workload",
        ),
    ],
)
def test_each_constraint_type_costs_what_was_worked_out_by_hand(constraint: str, hard: int, soft: int) -> None:
    cost = _cost(constraint, CLASHING)
    assert (cost.hard, cost.soft) == (hard, soft)
    assert not cost.not_scored


def test_unassigned_resources_and_missing_events_cost_their_duration() -> None:
    constraint = _c("AssignResourceConstraint", EVENTS_ALL + "<Role>room</Role>", required=True, weight=10)
    # A left out of the solution: one unassigned solution event of duration 2, room unassigned.
    assert _cost(constraint, _solution(("B", "Mo1", None, None))).hard == 20
    assign_time = _c("AssignTimeConstraint", EVENTS_ALL, required=True)
    assert _cost(assign_time, _solution(("B", "Mo1", None, None))).hard == 2 + 1 + 1  # A, D, E


def test_idle_times_count_the_gaps_inside_each_day_and_compare_the_total() -> None:
    idle = _c(
        "LimitIdleTimesConstraint",
        RES_T_C
        + "<TimeGroups><TimeGroup Reference='Mo'/><TimeGroup Reference='Tu'/></TimeGroups><Minimum>0</Minimum><Maximum>0</Maximum>",
        function="Quadratic",
    )
    # C: D at Mo1, E at Mo3 (one idle time Mo2), nothing else; T: B at Tu1, A at Tu2-Tu3 (no gap).
    solution = _solution(
        ("D", "Mo1", None, None), ("E", "Mo3", None, None), ("B", "Tu1", None, None), ("A", "Tu2", None, "R1")
    )
    # C is also in A (Tu2-Tu3): Tu has no gap for C. Total idle C = 1 -> 1; T = 0.
    assert _cost(idle, solution).soft == 1
    # Two gaps on two days for C: D Mo1, E Mo3, A Tu2-Tu3 with nothing at Tu1 is not a gap (before the first busy time).
    solution = _solution(
        ("D", "Tu1", None, None), ("E", "Mo3", None, None), ("A", "Mo1", 1, "R1"), ("A", "Tu3", 1, "R1")
    )
    # C on Mo: Mo1 (A), Mo3 (E): 1 idle; on Tu: Tu1 (D), Tu3 (A): 1 idle. Total 2, squared 4.
    assert _cost(idle, solution).soft == 4


def test_split_and_distribute_split_events() -> None:
    split = _c(
        "SplitEventsConstraint",
        "<AppliesTo><Events><Event Reference='A'/></Events></AppliesTo><MinimumDuration>2</MinimumDuration>"
        "<MaximumDuration>2</MaximumDuration><MinimumAmount>1</MinimumAmount><MaximumAmount>1</MaximumAmount>",
        required=True,
    )
    assert _cost(split, CLASHING).hard == 0
    halves = _solution(("A", "Mo1", 1, "R1"), ("A", "Tu1", 1, "R1"))
    assert _cost(split, halves).hard == 2 + 1  # two sub-events of duration 1, and one too many
    distribute = _c(
        "DistributeSplitEventsConstraint",
        "<AppliesTo><Events><Event Reference='A'/></Events></AppliesTo><Duration>1</Duration><Minimum>0</Minimum><Maximum>1</Maximum>",
        weight=3,
    )
    assert _cost(distribute, halves).soft == 3  # two of duration 1, one allowed


def test_avoid_split_assignments_link_and_order_events() -> None:
    halves_two_rooms = _solution(("A", "Mo1", 1, "R1"), ("A", "Tu1", 1, "R2"), ("B", "Mo1", None, None))
    avoid_split = _c(
        "AvoidSplitAssignmentsConstraint",
        "<AppliesTo><EventGroups><EventGroup Reference='AB'/></EventGroups></AppliesTo><Role>room</Role>",
    )
    assert _cost(avoid_split, halves_two_rooms).soft == 1  # R1 and R2: one resource too many
    link = _c(
        "LinkEventsConstraint",
        "<AppliesTo><EventGroups><EventGroup Reference='AB'/></EventGroups></AppliesTo>",
        weight=2,
    )
    # A at Mo1 and Tu1, B at Mo1: Tu1 has A but not B.
    assert _cost(link, halves_two_rooms).soft == 2
    order = _c(
        "OrderEventsConstraint",
        "<AppliesTo><EventPairs><EventPair><FirstEvent Reference='D'/><SecondEvent Reference='E'/>"
        "<MinSeparation>1</MinSeparation><MaxSeparation>2</MaxSeparation></EventPair></EventPairs></AppliesTo>",
    )
    # D ends after Mo1 (index 1), E starts at Mo2 (index 1): separation 0, one short of 1.
    assert _cost(order, _solution(("D", "Mo1", None, None), ("E", "Mo2", None, None))).soft == 1
    assert _cost(order, _solution(("D", "Mo1", None, None), ("E", "Mo3", None, None))).soft == 0
    # E (Mo1, index 0) before D (Mo3, ends at index 3): separation -3, four short of 1.
    assert _cost(order, _solution(("D", "Mo3", None, None), ("E", "Mo1", None, None))).soft == 4


def test_an_unknown_constraint_is_reported_not_scored_as_zero() -> None:
    cost = _cost(_c("LimitActiveIntervalsConstraint", RES_T_C, required=True), CLASHING)
    assert cost.not_scored == {"LimitActiveIntervalsConstraint": 1}
    assert "LimitActiveIntervalsConstraint" not in SCORED


def test_periods_at_consecutive_times_of_a_day_become_one_solution_event() -> None:
    split = _c(
        "SplitEventsConstraint",
        "<AppliesTo><Events><Event Reference='A'/></Events></AppliesTo><MinimumAmount>1</MinimumAmount><MaximumAmount>1</MaximumAmount>",
        required=True,
    )
    instance = read_cost_instance(ET.fromstring(BASE.format(constraints=split)))  # noqa: S314
    together = solution_from_times(instance, [("A", "Mo2"), ("A", "Mo3"), ("B", "Tu1")])
    assert [(s.event, s.duration, s.time) for s in together if s.event in "AB"] == [("A", 2, 1), ("B", 1, 3)]
    assert evaluate(instance, together).hard == 0
    # Mo3 and Tu1 are consecutive in the list of times but on two days: two solution events, one too many.
    apart = solution_from_times(instance, [("A", "Mo3"), ("A", "Tu1")])
    assert evaluate(instance, apart).hard == 1


@pytest.mark.skipif(not SHARED.exists(), reason="no XHSTT files")
def test_embedded_solutions_score_as_published() -> None:
    for name, published in PUBLISHED.items():
        _, scores = embedded_scores(SHARED / f"{name}.xml")
        scored = {s.group: (s.hard, s.soft) for s in scores}
        for group, value in published.items():
            assert scored[group] == value, (name, group)
        for s in scores:
            assert s.reported is None or s.reported == (s.hard, s.soft)
    assert best_known(SHARED / "FinlandElementarySchool.xml") == (0, 3, "GOAL")


@pytest.mark.skipif(not (SHARED / "ArtificialORLibrary-hdtt4.xml").exists(), reason="no XHSTT files")
def test_oas_placements_map_back_to_xhstt_events_and_times() -> None:
    path = SHARED / "ArtificialORLibrary-hdtt4.xml"
    oas = read_instance(path)
    instance = read_cost_instance(ET.parse(path).getroot())  # noqa: S314
    # Every event at the first time of the first day: all of them clash, no event unassigned.
    placements = [Placement(requirement=n, day=0, period=0, length=1) for n in oas.event_ids]
    periods = placement_periods(instance=oas, placements=placements)
    assert {e for e, _ in periods} == set(instance.events)
    cost = evaluate(instance, solution_from_times(instance, periods))
    assert cost.hard > 0
    assert cost.by_constraint and not cost.not_scored
