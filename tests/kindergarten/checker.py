"""An independent checker of an admission export: capacity and stability from the JSON alone.

Deliberately shares no code with ``admission``: it only reads the published export shape.
"""

from __future__ import annotations

from typing import Any


def check_export(data: dict[str, Any]) -> list[str]:
    """Return the violations found (an empty list means capacity and stability hold)."""
    programs = {p["id"]: p for p in data["programs"]}
    assigned: dict[str, list[str]] = {pid: [] for pid in programs}
    problems: list[str] = []
    for aid, asg in data["assignment"].items():
        if asg["program"] is not None:
            assigned[asg["program"]].append(aid)
        if (asg["program"] is None) != (asg["kind"] == "none"):
            problems.append(f"{aid}: kind {asg['kind']} does not fit program {asg['program']}")
    problems += [
        f"{pid}: {len(ids)} assigned, capacity {programs[pid]['capacity']}"
        for pid, ids in assigned.items()
        if len(ids) > programs[pid]["capacity"]
    ]
    ranks = {pid: {b: i for i, b in enumerate(order)} for pid, order in data["priority"].items()}
    for applicant in data["applicants"]:
        problems += _blocking_pairs(data, programs, assigned, ranks, applicant)
    return problems


def _blocking_pairs(
    data: dict[str, Any],
    programs: dict[str, Any],
    assigned: dict[str, list[str]],
    ranks: dict[str, dict[str, int]],
    applicant: dict[str, Any],
) -> list[str]:
    by_unit_age = {(p["unit"], p["age_group"]): p["id"] for p in data["programs"]}
    aid = applicant["id"]
    got = data["assignment"][aid]["program"]
    right = {a["id"]: a["right_to_place"] for a in data["applicants"]}

    def guaranteed(b: str) -> bool:
        return bool(right.get(b)) and data["assignment"][b]["kind"] == "guarantee"

    problems = []
    for unit in applicant["choices"]:
        pid = by_unit_age.get((unit, applicant["age_group"]))
        if pid == got:
            break  # every choice below the one obtained is irrelevant
        if pid is None:
            continue
        if len(assigned[pid]) < programs[pid]["capacity"]:
            problems.append(f"{aid} prefers {pid}, which has room")
            continue
        rank = ranks[pid]
        # The municipality's guarantee (barnehageloven § 16) goes before every applicant without the right.
        worse = [
            b
            for b in assigned[pid]
            if rank.get(b, len(rank)) > rank[aid] and not (guaranteed(b) and not applicant["right_to_place"])
        ]
        if worse:
            problems.append(f"{aid} prefers {pid}, which admitted lower-ranked {worse[0]}")
    if applicant["right_to_place"] and got is None:
        room = [
            pid
            for pid, p in programs.items()
            if p["age_group"] == applicant["age_group"] and len(assigned[pid]) < p["capacity"]
        ]
        if room:
            problems.append(f"{aid} has a right to a place but got none while {room[0]} has room")
    return problems
