"""XHSTT (2014) instances as solver problems, and solutions back as XHSTT ``Solution`` XML.

The subset read here: times grouped into days (``Day`` time groups), resources, and events with a duration and
preassigned resources (every preassigned resource — teacher, class, room — may be in one place at a time: the
``AvoidClashesConstraint``). An event's duration is split into single periods (XHSTT allows any split unless a
``SplitEventsConstraint`` says otherwise). Events without preassigned time get one from the solver
(``AssignTimeConstraint``). Other constraints are listed as not modelled, so a result is never presented as
scored against constraints it ignored. Files that are not well-formed or refer to unknown times or resources
are refused with every problem listed, and nothing is built.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from timetable.solver import Placement, Problem, SReq

MODELLED = {"AssignTimeConstraint", "AvoidClashesConstraint"}


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


def read_instance(path: Path | str) -> XhsttInstance:  # noqa: PLR0915 - one pass over the file
    """Read the first instance of an XHSTT archive as a ``Problem`` (raises ``XhsttError`` listing every problem)."""
    try:
        root = ET.parse(path).getroot()  # noqa: S314 - see the import
    except ET.ParseError as exc:
        raise XhsttError([f"Filen er ikke gyldig XML: {exc}"]) from exc
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
    reqs: list[SReq] = []
    event_ids: dict[int, str] = {}
    fixed: list[tuple[int, int, int, int]] = []
    events = instance.findall("Events/Event")
    for number, event in enumerate(events, start=1):
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
            day, period = slots[time_ref.get("Reference", "")]
            fixed.append((number, day, period, 1))
        event_ids[number] = event_id
        # Every preassigned resource is a "teacher" to the solver: it can be in one place at a time.
        reqs.append(
            SReq(
                id=number,
                lengths=(1,) * duration,
                teachers=tuple(sorted(resource_index[r] for r in refs)),
                max_per_day=duration,
            )
        )
    if problems:
        raise XhsttError(problems)
    periods = max(per_day.values(), default=0)
    # Days shorter than the longest: their missing periods are unavailable to every resource.
    missing = {(d, p) for d in range(len(days)) for p in range(per_day[d], periods)}
    ignored: Counter[str] = Counter(c.tag for c in instance.findall("Constraints/*") if c.tag not in MODELLED)
    problem = Problem(
        days=len(days),
        periods=periods,
        requirements=reqs,
        teacher_unavailable={i: set(missing) for i in resource_index.values()} if missing else {},
        fixed=fixed,
        weight_teacher_gaps=0,
        weight_spread=0,
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
    )


def solution_xml(*, instance: XhsttInstance, placements: list[Placement], description: str = "OAS CP-SAT") -> str:
    """Return an XHSTT ``SolutionGroup`` for ``placements`` (one solution event per placed period)."""
    group = ET.Element("SolutionGroup", Id="OAS")
    meta = ET.SubElement(group, "MetaData")
    ET.SubElement(meta, "Contributor").text = "OAS"
    ET.SubElement(meta, "Description").text = description
    solution = ET.SubElement(group, "Solution", Reference=instance.id)
    events = ET.SubElement(solution, "Events")
    for placement in placements:
        for offset in range(placement.length):
            event = ET.SubElement(events, "Event", Reference=instance.event_ids[placement.requirement])
            ET.SubElement(event, "Duration").text = "1"
            ET.SubElement(event, "Time", Reference=instance.slot_time[(placement.day, placement.period + offset)])
    return ET.tostring(group, encoding="unicode")


def placement_periods(*, instance: XhsttInstance, placements: list[Placement]) -> list[tuple[str, str]]:
    """(XHSTT event id, time id) for every period of ``placements``: OAS's result in the instance's own terms."""
    return [
        (instance.event_ids[p.requirement], instance.slot_time[(p.day, p.period + offset)])
        for p in placements
        for offset in range(p.length)
    ]
