"""XHSTT: an instance is read, solved with hard cost 0 and written back as a solution; bad files list problems."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from timetable.solver import solve
from timetable.xhstt import XhsttError, read_instance, solution_xml

TINY = """<HighSchoolTimetableArchive><Instances><Instance Id="tiny">
<Times><TimeGroups><Day Id="Mo"/><Day Id="Tu"/></TimeGroups>
<Time Id="t0"><Day Reference="Mo"/></Time><Time Id="t1"><Day Reference="Mo"/></Time>
<Time Id="t2"><Day Reference="Tu"/></Time><Time Id="t3"><Day Reference="Tu"/></Time></Times>
<Resources><Resource Id="T1"/><Resource Id="C1"/><Resource Id="C2"/></Resources>
<Events>
<Event Id="e1"><Duration>2</Duration><Resources><Resource Reference="T1"/><Resource Reference="C1"/></Resources></Event>
<Event Id="e2"><Duration>2</Duration><Resources><Resource Reference="T1"/><Resource Reference="C2"/></Resources></Event>
</Events>
<Constraints><AvoidClashesConstraint Id="a"/><PreferTimesConstraint Id="p"/></Constraints>
</Instance></Instances></HighSchoolTimetableArchive>"""


def test_an_instance_round_trips_to_a_clash_free_solution(tmp_path: Path) -> None:
    path = tmp_path / "tiny.xml"
    path.write_text(TINY)
    instance = read_instance(path)
    assert (instance.problem.days, instance.problem.periods, len(instance.problem.requirements)) == (2, 2, 2)
    assert instance.ignored_constraints == Counter({"PreferTimesConstraint": 1})
    result = solve(instance.problem, seconds=5, workers=1)
    assert result.status in ("optimal", "feasible")
    group = ET.fromstring(solution_xml(instance=instance, placements=result.placements))  # noqa: S314 - our own output
    events = group.findall("Solution/Events/Event")
    assert Counter(e.get("Reference") for e in events) == {"e1": 2, "e2": 2}
    times = [e.find("Time").get("Reference") for e in events]  # type: ignore[union-attr]
    assert len(set(times)) == 4  # teacher T1 in every event: four different times


def test_a_bad_file_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(
        TINY.replace('Reference="C2"', 'Reference="C9"').replace("<Duration>2</Duration>", "<Duration>x</Duration>", 1)
    )
    with pytest.raises(XhsttError) as info:
        read_instance(path)
    assert any("ukjente ressurser: C9" in p for p in info.value.problems)
    assert any("e1 har ingen gyldig varighet" in p for p in info.value.problems)
    path.write_text("<not-closed>")
    with pytest.raises(XhsttError, match="ikke gyldig XML"):
        read_instance(path)


@pytest.mark.skipif(not Path("/work/shared/xhstt/ArtificialORLibrary-hdtt4.xml").exists(), reason="no XHSTT files")
def test_hdtt4_gets_hard_cost_zero() -> None:
    instance = read_instance("/work/shared/xhstt/ArtificialORLibrary-hdtt4.xml")
    result = solve(instance.problem, seconds=30, workers=2, explain=False)
    assert result.placements
    assert sum(p.length for p in result.placements) == sum(sum(r.lengths) for r in instance.problem.requirements)
