"""FET's constraints in the solver: each rule OAS imports from a FET file holds (each case is impossible with the
rule and possible without it), and ``read_fet`` says which constraints it imported and which not."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from timetable.fetproblem import activity_starts, fet_soft_min_days, read_fet
from timetable.solver import Problem, SReq, solve

A = frozenset({(0, 0)})  # starts at the first period of the first day


def _one_day(**rules: Any) -> Problem:
    """Teacher 7 teaches class 1 at period 0 and class 2 at period 3 of a 4-period day (fixed by allowed starts)."""
    reqs = [SReq(1, (1,), teachers=(7,), classes=(1,)), SReq(2, (1,), teachers=(7,), classes=(2,))]
    return Problem(days=1, periods=4, requirements=reqs, allowed_starts={1: A, 2: frozenset({(0, 3)})}, **rules)


CASES: dict[str, tuple[Problem, dict[str, Any]]] = {
    # (a problem that breaks the rule, the rule); without the rule the problem has a timetable.
    "teacher max gaps a day": (_one_day(), {"teacher_max_gaps_day": {7: 1}}),
    "teacher max gaps a week": (_one_day(), {"teacher_max_gaps_week": {7: 1}}),
    "teacher max hours a day": (_one_day(), {"teacher_max_hours_day": {7: 1}}),
    "teacher min hours a day": (_one_day(), {"teacher_min_hours_day": {7: 3}}),
    "teacher interval max days": (_one_day(), {"teacher_interval_max_days": [(7, 3, 4, 0)]}),
    "class min hours a day": (_one_day(), {"class_min_hours_day": {1: 2}}),
    "class max gaps a week": (
        replace(_one_day(), requirements=[SReq(1, (1,), teachers=(7,), classes=(1,)), SReq(2, (1,), classes=(1,))]),
        {"class_max_gaps_week": {1: 1}},
    ),
    "class no gaps": (
        replace(_one_day(), requirements=[SReq(1, (1,), teachers=(7,), classes=(1,)), SReq(2, (1,), classes=(1,))]),
        {"class_max_gaps_week": {1: 0}},
    ),
    "class late beginning": (
        Problem(days=1, periods=3, requirements=[SReq(1, (1,), classes=(1,))], allowed_starts={1: frozenset({(0, 1)})}),
        {"class_max_second_start": {1: 0}},
    ),
    "teacher max days": (
        Problem(
            days=2,
            periods=1,
            requirements=[SReq(1, (1,), teachers=(7,), classes=(1,)), SReq(2, (1,), teachers=(7,), classes=(1,))],
        ),
        {"teacher_max_days": {7: 1}},
    ),
    "min days between": (
        Problem(days=2, periods=2, requirements=[SReq(1, (1,), classes=(1,)), SReq(2, (1,), classes=(2,))]),
        {"min_days": [((1, 2), 2, 0)]},
    ),
    "consecutive if same day: next to each other": (
        Problem(
            days=1,
            periods=3,
            requirements=[SReq(1, (1, 1), classes=(1,))],
            allowed_starts={1: frozenset({(0, 0), (0, 2)})},
        ),
        {"consecutive_same_day": [(1,)]},
    ),
    "consecutive if same day: never three": (
        Problem(days=1, periods=3, requirements=[SReq(1, (1, 1, 1), classes=(1,), max_per_day=3)]),
        {"consecutive_same_day": [(1,)]},
    ),
    "at most one lesson a day": (
        Problem(days=1, periods=2, requirements=[SReq(1, (1, 1), classes=(1,))]),
        {"requirements": [SReq(1, (1, 1), classes=(1,), max_lessons_per_day=1)]},
    ),
    "not overlapping": (
        Problem(days=1, periods=1, requirements=[SReq(1, (1,), classes=(1,)), SReq(2, (1,), classes=(2,))]),
        {"not_overlapping": [(1, 2)]},
    ),
    "same start": (
        Problem(
            days=1,
            periods=2,
            requirements=[SReq(1, (1,), classes=(1,)), SReq(2, (1,), classes=(2,))],
            allowed_starts={1: A, 2: frozenset({(0, 1)})},
        ),
        {"same_start": [(1, 2)]},
    ),
    "forbidden slots": (
        Problem(days=1, periods=1, requirements=[SReq(1, (1,), classes=(1,))]),
        {"forbidden": {1: A}},
    ),
    "rooms shared by two types": (
        Problem(
            days=1,
            periods=1,
            requirements=[SReq(1, (1,), classes=(1,), room_kind="a"), SReq(2, (1,), classes=(2,), room_kind="b")],
            room_capacity={"a": {(0, 0): 1}, "b": {(0, 0): 1}},
        ),
        {"room_unions": [(("a", "b"), {(0, 0): 1})]},
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_fet_rule_holds(name: str) -> None:
    problem, rule = CASES[name]
    assert solve(problem, seconds=10, explain=False).placements, "possible without the rule"
    assert solve(replace(problem, **rule), seconds=10, explain=False).status == "infeasible"


FILE = """<fet version="6.8.5">
<Days_List><Day><Name>Man</Name></Day><Day><Name>Tir</Name></Day><Day><Name>Ons</Name></Day></Days_List>
<Hours_List><Hour><Name>1</Name></Hour><Hour><Name>2</Name></Hour><Hour><Name>3</Name></Hour><Hour><Name>4</Name></Hour>
</Hours_List>
<Subjects_List><Subject><Name>Mat</Name></Subject><Subject><Name>Eng</Name></Subject></Subjects_List>
<Teachers_List><Teacher><Name>Kari</Name></Teacher><Teacher><Name>Ola</Name></Teacher></Teachers_List>
<Students_List><Year><Name>8A</Name></Year></Students_List>
<Activities_List>
%(activities)s
<Activity><Teacher>Ola</Teacher><Subject>Eng</Subject><Students>8A</Students><Duration>1</Duration><Id>4</Id>
<Activity_Group_Id>0</Activity_Group_Id><Active>true</Active></Activity>
</Activities_List>
<Rooms_List><Room><Name>Gymsal</Name></Room></Rooms_List>
<Time_Constraints_List>
<ConstraintBasicCompulsoryTime><Weight_Percentage>100</Weight_Percentage><Active>true</Active></ConstraintBasicCompulsoryTime>
<ConstraintMinDaysBetweenActivities><Weight_Percentage>100</Weight_Percentage><Number_of_Activities>3</Number_of_Activities>
%(ids)s<MinDays>1</MinDays><Active>true</Active>
</ConstraintMinDaysBetweenActivities>
<ConstraintActivityPreferredTimeSlots><Weight_Percentage>100</Weight_Percentage><Activity_Id>4</Activity_Id>
<Preferred_Time_Slot><Preferred_Day>Ons</Preferred_Day><Preferred_Hour>4</Preferred_Hour></Preferred_Time_Slot>
<Active>true</Active></ConstraintActivityPreferredTimeSlots>
<ConstraintStudentsSetNotAvailableTimes><Weight_Percentage>100</Weight_Percentage><Students>8A</Students>
<Not_Available_Time><Day>Man</Day><Hour>1</Hour></Not_Available_Time><Active>true</Active>
</ConstraintStudentsSetNotAvailableTimes>
<ConstraintBreakTimes><Weight_Percentage>100</Weight_Percentage>
<Break_Time><Day>Tir</Day><Hour>2</Hour></Break_Time><Active>true</Active></ConstraintBreakTimes>
<ConstraintActivityPreferredStartingTimes><Weight_Percentage>80</Weight_Percentage><Activity_Id>1</Activity_Id>
<Preferred_Starting_Time><Preferred_Starting_Day>Man</Preferred_Starting_Day><Preferred_Starting_Hour>2</Preferred_Starting_Hour>
</Preferred_Starting_Time><Active>true</Active></ConstraintActivityPreferredStartingTimes>
<ConstraintTeacherMaxSpanPerDay><Weight_Percentage>100</Weight_Percentage><Teacher_Name>Kari</Teacher_Name>
<Max_Span>3</Max_Span><Active>true</Active></ConstraintTeacherMaxSpanPerDay>
<ConstraintTeacherMaxDaysPerWeek><Weight_Percentage>100</Weight_Percentage><Teacher_Name>Kari</Teacher_Name>
<Max_Days_Per_Week>2</Max_Days_Per_Week><Active>false</Active></ConstraintTeacherMaxDaysPerWeek>
</Time_Constraints_List>
<Space_Constraints_List>
<ConstraintSubjectPreferredRoom><Weight_Percentage>100</Weight_Percentage><Subject>Eng</Subject><Room>Gymsal</Room>
<Active>true</Active></ConstraintSubjectPreferredRoom>
</Space_Constraints_List>
</fet>
"""


def _file(maths: tuple[str, ...]) -> str:
    """The file with Kari's maths as one split activity of ``maths`` (activity ids), at least a day apart."""
    activities = "\n".join(
        f"<Activity><Teacher>Kari</Teacher><Subject>Mat</Subject><Students>8A</Students><Duration>1</Duration>"
        f"<Id>{i}</Id><Activity_Group_Id>1</Activity_Group_Id><Active>true</Active></Activity>"
        for i in maths
    )
    return FILE % {"activities": activities, "ids": "".join(f"<Activity_Id>{i}</Activity_Id>" for i in maths)}


def test_a_fet_file_brings_its_constraints_and_says_which_it_left_out(tmp_path: Path) -> None:
    path = tmp_path / "school.fet"
    path.write_text(_file(("1", "2", "3")))
    instance = read_fet(path)
    assert dict(instance.imported) == {
        "ConstraintBasicCompulsoryTime": 1,
        "ConstraintMinDaysBetweenActivities": 1,
        "ConstraintActivityPreferredTimeSlots": 1,
        "ConstraintStudentsSetNotAvailableTimes": 1,
        "ConstraintBreakTimes": 1,
        "ConstraintSubjectPreferredRoom": 1,
    }
    assert dict(instance.not_imported) == {
        "ConstraintActivityPreferredStartingTimes (soft, 80 %)": 1,
        "ConstraintTeacherMaxSpanPerDay (no OAS equivalent)": 1,
    }  # the inactive one is neither
    assert instance.hard_not_imported == 1  # the max span: OAS's problem is easier than FET's by one hard rule
    # The split activity is one requirement of three lessons, at most one a day.
    assert instance.activities == 4 and len(instance.problem.requirements) == 2
    assert instance.problem.room_capacity == {"rom:Gymsal": {(d, h): 1 for d in range(3) for h in range(4)}}
    result = solve(instance.problem, seconds=10, explain=False)
    maths = [(p.day, p.period) for p in result.placements if p.requirement == 1]
    english = [(p.day, p.period) for p in result.placements if p.requirement == 2]
    assert sorted(d for d, _h in maths) == [0, 1, 2]  # min 1 day between
    assert english == [(2, 3)]  # its only preferred slot
    assert (0, 0) not in maths and (1, 1) not in maths  # 8A not available, the break


def test_a_fet_file_whose_constraints_cannot_hold_has_no_timetable(tmp_path: Path) -> None:
    """Four maths lessons, at least a day apart, in a three-day week: impossible (and possible without the rule)."""
    path = tmp_path / "school.fet"
    path.write_text(_file(("1", "2", "3", "5")))
    instance = read_fet(path)
    assert solve(instance.problem, seconds=10, explain=False).status == "infeasible"
    loose = replace(
        instance.problem, requirements=[replace(r, max_lessons_per_day=0) for r in instance.problem.requirements]
    )
    assert solve(loose, seconds=10, explain=False).placements


def test_a_problem_with_gap_limits_the_hard_model_cannot_solve_in_its_share_is_repaired(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no time for the local search and the hard model (their shares set to zero), the timetable comes from the
    repair: one without the teacher's gap limits, then its gaps driven to zero. The limits hold; an impossible limit
    stays impossible."""
    from timetable import solver

    monkeypatch.setattr(solver, "LOCAL_SEARCH_SHARE", 0.0)
    monkeypatch.setattr(solver, "HARD_GAPS_SHARE", 0.0)
    repairs: list[int] = []
    repaired = solver._gaps_repaired

    def counted(*args: Any, **kwargs: Any) -> Any:
        repairs.append(1)
        return repaired(*args, **kwargs)

    monkeypatch.setattr(solver, "_gaps_repaired", counted)
    reqs = [SReq(1, (1,), teachers=(7,), classes=(1,)), SReq(2, (1,), teachers=(7,), classes=(2,))]
    free = Problem(days=1, periods=6, requirements=reqs, teacher_max_gaps_week={7: 0}, teacher_max_gaps_day={7: 0})
    found = solve(free, seconds=10, explain=False)
    assert found.placements and found.first_seconds is not None
    periods = sorted(p.period for p in found.placements)
    assert periods[1] - periods[0] == 1  # no free period between the teacher's two lessons
    assert repairs == [1]
    fixed = replace(free, allowed_starts={1: A, 2: frozenset({(0, 3)})})
    assert solve(fixed, seconds=10, explain=False).status == "infeasible"


def test_the_first_timetable_comes_from_local_search_with_gap_limits_as_violations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Phase 1 begins with CP-SAT's local search alone, the teacher's gap limits as violations driven to zero: the
    first timetable comes from it (one solver, no complete search) and keeps the limits. Where local search cannot
    tell that no timetable exists, the complete search after it proves it."""
    from timetable import solver

    kinds: list[bool] = []
    made = solver._phase1_solver

    def recorded(**kwargs: Any) -> Any:
        kinds.append(kwargs.get("local_search", False))
        return made(**kwargs)

    monkeypatch.setattr(solver, "_phase1_solver", recorded)
    reqs = [SReq(1, (1,), teachers=(7,), classes=(1,)), SReq(2, (1,), teachers=(7,), classes=(2,))]
    free = Problem(days=1, periods=6, requirements=reqs, teacher_max_gaps_week={7: 0}, teacher_max_gaps_day={7: 0})
    found = solve(free, seconds=10, explain=False)
    assert kinds == [True]
    periods = sorted(p.period for p in found.placements)
    assert periods[1] - periods[0] == 1  # no free period between the teacher's two lessons
    kinds.clear()
    # Three lessons of the teacher, each at the first, third or fifth period: a clash or a free period.
    apart = frozenset({(0, 0), (0, 2), (0, 4)})
    reqs = [SReq(r, (1,), teachers=(7,), classes=(r,)) for r in (1, 2, 3)]
    spread = replace(free, requirements=reqs, allowed_starts=dict.fromkeys((1, 2, 3), apart))
    assert solve(spread, seconds=4, explain=False).status == "infeasible"
    assert kinds == [True, False]  # local search could not tell; the complete search could


def test_a_soft_min_days_consecutive_if_same_day_keeps_two_lessons_on_a_day_together(tmp_path: Path) -> None:
    """FET keeps "consecutive if same day" even where it breaks the soft min days: three maths lessons in a week of
    two days must share a day, and then next to each other (English is fixed in between otherwise)."""
    text = (
        _file(("1", "2", "3"))
        .replace(
            "<ConstraintMinDaysBetweenActivities><Weight_Percentage>100</Weight_Percentage>",
            "<ConstraintMinDaysBetweenActivities><Weight_Percentage>95</Weight_Percentage>"
            "<Consecutive_If_Same_Day>true</Consecutive_If_Same_Day>",
        )
        .replace("<Day><Name>Ons</Name></Day>", "")
        .replace(
            "<Preferred_Day>Ons</Preferred_Day><Preferred_Hour>4</Preferred_Hour>",
            "<Preferred_Day>Tir</Preferred_Day><Preferred_Hour>3</Preferred_Hour>",
        )
    )
    path = tmp_path / "school.fet"
    path.write_text(text)
    instance = read_fet(path)
    assert instance.imported["ConstraintMinDaysBetweenActivities (soft)"] == 1
    assert instance.problem.consecutive_same_day == [(1,)]
    result = solve(instance.problem, seconds=10, explain=False)
    maths = sorted((p.day, p.period) for p in result.placements if p.requirement == 1)
    assert len(maths) == 3 and result.objective == 2  # one day with two: one pair too close, cost 2
    # On FET's own scale: one pair a day too close at 95 %, as fet-cl would report it.
    assert fet_soft_min_days(instance, result.placements) == 0.95
    assert sorted(activity_starts(instance, result.placements)) == ["1", "2", "3", "4"]
    for day in {d for d, _h in maths}:
        periods = [h for d, h in maths if d == day]
        assert len(periods) <= 2 and (len(periods) == 1 or abs(periods[0] - periods[1]) == 1)
