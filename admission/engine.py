"""Applicant-proposing deferred acceptance (Gale–Shapley) with locked seats and a nearest-place guarantee.

Programmes are (unit, age group) pairs with a capacity. Each applicant ranks units; the applicant's age group
turns each unit into a programme. Each programme ranks the applicants who listed its unit (the caller builds
that order from the unit's priority rules and breaks ties with the recorded lottery). The result is stable
among the applicants that are not locked: nobody prefers a programme that has room for them or that admitted
someone it ranks lower.

Afterwards, every applicant with a right to a place (barnehageloven § 16) who got none of their choices is
given the nearest programme of their age group that still has room (``kind="guarantee"``). When no programme
of the age group has room, the municipality's guarantee goes before applicants without the right: the nearest
municipal programme that admitted an applicant without the right gives up a seat to the child with the right
(the municipality cannot force a private kindergarten; there only seats left over are used). The seat is
reserved and deferred acceptance runs again, so the applicant without the right who lost it moves on down
their own list; this repeats until no applicant with the right is left without a place that could be
freed. The caller ranks children with the right first in municipal programmes (after § 18), so the seat
given up is always one held by a child without the right. The result is stable except that a guarantee seat
of a child with the right outranks every applicant without it.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext as _

from admission.geo import LatLon, distance_km

KIND_CHOICE = "choice"
KIND_GUARANTEE = "guarantee"
KIND_NONE = "none"


def programme_id(unit: str, age_group: str) -> str:
    """Return the id of the programme for ``unit`` and ``age_group`` (``"12:0-2"``)."""
    return f"{unit}:{age_group}"


@dataclass(frozen=True, slots=True)
class Programme:
    id: str
    unit: str
    unit_name: str
    age_group: str
    capacity: int
    position: LatLon | None = None
    # A municipal kindergarten: the municipality's guarantee may take seats here from applicants without the
    # right (barnehageloven § 16); a private one only gives the guarantee seats left over.
    municipal: bool = False


@dataclass(frozen=True, slots=True)
class Applicant:
    id: str
    age_group: str
    choices: tuple[str, ...]  # unit ids, best first
    right_to_place: bool = False
    position: LatLon | None = None


@dataclass(frozen=True)
class RoundInput:
    programmes: Sequence[Programme]
    applicants: Sequence[Applicant]  # in lottery order: it decides who is guaranteed a place first
    priority: Mapping[str, Sequence[str]]  # programme id → applicant ids, best first, ties broken
    # programme id → applicant id → the highest priority criterion the applicant meets there, in words
    # ("søsken i barnehagen"); only used to explain results.
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # applicant id → programme id fixed by staff, or None for "no place in this round".
    locks: Mapping[str, str | None] = field(default_factory=dict)
    unit_names: Mapping[str, str] = field(default_factory=dict)  # for units that have no programme


@dataclass(slots=True)
class Assignment:
    programme: str | None
    kind: str
    choice_rank: int | None  # 0-based index into the applicant's choices, None when not a choice
    locked: bool = False
    explanation: str = ""


@dataclass
class MatchResult:
    assignments: dict[str, Assignment]
    remaining: dict[str, int]  # programme id → free seats after matching
    waiting: dict[str, list[str]]  # programme id → applicants who prefer it to what they got, best first

    def affected_by(self, other: MatchResult) -> list[str]:
        """Return the applicants whose programme differs between ``other`` and this result."""
        ids = set(self.assignments) | set(other.assignments)
        return sorted(
            a
            for a in ids
            if (self.assignments[a].programme if a in self.assignments else None)
            != (other.assignments[a].programme if a in other.assignments else None)
        )


class MatchingInputError(ValueError):
    """The input is inconsistent (an unknown programme, a priority list that misses an applicant)."""


def match(data: RoundInput) -> MatchResult:
    """Match applicants to programmes; see the module docstring for the guarantees."""
    programmes = {p.id: p for p in data.programmes}
    rank: dict[str, dict[str, float]] = {pid: {} for pid in programmes}
    for pid, order in data.priority.items():
        if pid not in programmes:
            raise MatchingInputError(f"priority for unknown programme {pid}")
        rank[pid] = {aid: i for i, aid in enumerate(order)}

    free = {pid: p.capacity for pid, p in programmes.items()}
    locked = _apply_locks(data, programmes, free)
    # The guarantee adds programmes to the end of an applicant's list, ranked there after every applicant with
    # the right who listed it and (in municipal programmes) before every applicant without it; deferred
    # acceptance then runs again. Each round of this adds at least one new (applicant, programme) pair, so it
    # ends.
    extra: dict[str, list[str]] = {}
    displaced: set[str] = set()  # applicants whose guarantee seat was taken from an applicant without the right
    by_id = {a.id: a for a in data.applicants}
    while True:
        applicants = [replace(a, choices=(*a.choices, *extra[a.id])) if a.id in extra else a for a in data.applicants]
        assignments = dict(locked)
        held = _deferred_acceptance(replace(data, applicants=applicants), programmes, rank, free, assignments)
        remaining = {pid: free[pid] - len(held[pid]) for pid in programmes}
        new = _guarantee(data, programmes, assignments, remaining, held, extra)
        if not new:
            break
        for aid, (pid, took) in new.items():
            extra.setdefault(aid, []).append(programmes[pid].unit)
            rank[pid][aid] = _guarantee_rank(programmes[pid], rank[pid], by_id)
            if took:
                displaced.add(aid)
    for applicant in data.applicants:
        asg = assignments.get(applicant.id)
        if asg is None:
            assignments[applicant.id] = Assignment(programme=None, kind=KIND_NONE, choice_rank=None)
        elif asg.choice_rank is not None and asg.choice_rank >= len(applicant.choices):
            assignments[applicant.id] = Assignment(programme=asg.programme, kind=KIND_GUARANTEE, choice_rank=None)
    for aid in list(displaced):
        if assignments[aid].kind != KIND_GUARANTEE:
            displaced.discard(aid)
    waiting = _waiting_lists(data, programmes, assignments, rank)
    _explain(data, programmes, assignments, held, displaced)
    return MatchResult(assignments=assignments, remaining=remaining, waiting=waiting)


def _guarantee_rank(programme: Programme, ranks: Mapping[str, float], by_id: Mapping[str, Applicant]) -> float:
    """Rank a guarantee applicant after everyone in a private programme, or after the children with the right
    (and earlier guarantee applicants) but before those without it in a municipal one."""
    if not programme.municipal:
        return max(ranks.values(), default=-1) + 1
    boundary = min((r for aid, r in ranks.items() if not by_id[aid].right_to_place), default=None)
    with_right = [r for aid, r in ranks.items() if by_id[aid].right_to_place and (boundary is None or r < boundary)]
    low = max(with_right, default=-1.0)
    high = boundary if boundary is not None else low + 2
    return (low + high) / 2


def _apply_locks(data: RoundInput, programmes: Mapping[str, Programme], free: dict[str, int]) -> dict[str, Assignment]:
    """Seat the applicants staff have locked; their seats are taken out of the free capacity."""
    applicants = {a.id: a for a in data.applicants}
    assignments: dict[str, Assignment] = {}
    for aid, pid in data.locks.items():
        if aid not in applicants:
            raise MatchingInputError(f"lock for unknown applicant {aid}")
        applicant = applicants[aid]
        if pid is None:
            assignments[aid] = Assignment(programme=None, kind=KIND_NONE, choice_rank=None, locked=True)
            continue
        if pid not in programmes:
            raise MatchingInputError(f"lock to unknown programme {pid}")
        free[pid] -= 1
        unit = programmes[pid].unit
        in_choices = unit in applicant.choices
        assignments[aid] = Assignment(
            programme=pid,
            kind=KIND_CHOICE if in_choices else KIND_GUARANTEE,
            choice_rank=applicant.choices.index(unit) if in_choices else None,
            locked=True,
        )
    over = [pid for pid, n in free.items() if n < 0]
    if over:
        raise MatchingInputError(f"more locked applicants than capacity in {', '.join(sorted(over))}")
    return assignments


def _deferred_acceptance(
    data: RoundInput,
    programmes: Mapping[str, Programme],
    rank: Mapping[str, Mapping[str, float]],
    free: Mapping[str, int],
    assignments: dict[str, Assignment],
) -> dict[str, list[tuple[float, str]]]:
    """Run deferred acceptance for the unlocked applicants; return each programme's admitted heap."""
    # ``held`` is a max-heap on priority rank (stored negated): the worst held applicant is on top and can be
    # bumped in O(log n).
    held: dict[str, list[tuple[float, str]]] = {pid: [] for pid in programmes}
    next_choice: dict[str, int] = {}
    holding: dict[str, int] = {}
    by_id = {a.id: a for a in data.applicants}
    stack = [a.id for a in reversed(data.applicants) if a.id not in assignments]
    while stack:
        aid = stack.pop()
        applicant = by_id[aid]
        choices = applicant.choices
        i = next_choice.get(aid, 0)
        while i < len(choices):
            pid = programme_id(choices[i], applicant.age_group)
            i += 1
            if pid not in programmes or free[pid] <= 0:
                continue
            r = rank[pid].get(aid)
            if r is None:
                raise MatchingInputError(f"priority for {pid} does not rank applicant {aid}")
            heap = held[pid]
            if len(heap) < free[pid]:
                heapq.heappush(heap, (-r, aid))
                holding[aid] = i - 1
                break
            worst_rank, worst = heap[0]
            if -worst_rank > r:
                heapq.heapreplace(heap, (-r, aid))
                holding[aid] = i - 1
                del holding[worst]
                stack.append(worst)
                break
        next_choice[aid] = i

    for aid, choice_index in holding.items():
        applicant = by_id[aid]
        pid = programme_id(applicant.choices[choice_index], applicant.age_group)
        assignments[aid] = Assignment(programme=pid, kind=KIND_CHOICE, choice_rank=choice_index)
    return held


def _guarantee(
    data: RoundInput,
    programmes: Mapping[str, Programme],
    assignments: Mapping[str, Assignment],
    remaining: dict[str, int],
    held: Mapping[str, list[tuple[float, str]]],
    extra: Mapping[str, list[str]],
) -> dict[str, tuple[str, bool]]:
    """Find a programme for each applicant with a right and no place, in lottery order.

    Return applicant → (programme, whether the seat is taken from an applicant without the right). The nearest
    programme with room comes first; failing that, the nearest municipal programme holding an applicant without
    the right. Programmes the applicant already tried are skipped.
    """
    by_id = {a.id: a for a in data.applicants}
    without_right = {pid: sum(1 for _r, aid in heap if not by_id[aid].right_to_place) for pid, heap in held.items()}
    by_age: dict[str, list[Programme]] = {}
    for p in data.programmes:
        by_age.setdefault(p.age_group, []).append(p)
    out: dict[str, tuple[str, bool]] = {}
    for applicant in data.applicants:
        if applicant.id in assignments or not applicant.right_to_place:
            continue
        tried = {*applicant.choices, *extra.get(applicant.id, ())}
        candidates = [p for p in by_age.get(applicant.age_group, []) if p.unit not in tried]
        best = _nearest_with_room(applicant, candidates, remaining)
        if best is not None:
            remaining[best.id] -= 1
            out[applicant.id] = (best.id, False)
            continue
        best = _nearest_with_room(applicant, [p for p in candidates if p.municipal], without_right)
        if best is not None:
            without_right[best.id] -= 1
            out[applicant.id] = (best.id, True)
    return out


def _nearest_with_room(
    applicant: Applicant, candidates: Sequence[Programme], remaining: Mapping[str, int]
) -> Programme | None:
    def key(p: Programme) -> tuple[float, str]:
        if applicant.position is None or p.position is None:
            return (float("inf"), p.id)
        return (distance_km(applicant.position, p.position), p.id)

    with_room = [p for p in candidates if remaining[p.id] > 0]
    return min(with_room, key=key) if with_room else None


def _better_programmes(applicant: Applicant, assignment: Assignment, programmes: Mapping[str, Programme]) -> list[str]:
    """Programmes of the applicant's choices ranked above the one they got (all of them if none)."""
    limit = assignment.choice_rank if assignment.choice_rank is not None else len(applicant.choices)
    out = []
    for unit in applicant.choices[:limit]:
        pid = programme_id(unit, applicant.age_group)
        if pid in programmes:
            out.append(pid)
    return out


def _waiting_lists(
    data: RoundInput,
    programmes: Mapping[str, Programme],
    assignments: Mapping[str, Assignment],
    rank: Mapping[str, Mapping[str, float]],
) -> dict[str, list[str]]:
    waiting: dict[str, list[str]] = {pid: [] for pid in programmes}
    for applicant in data.applicants:
        assignment = assignments[applicant.id]
        if assignment.locked:
            continue
        for pid in _better_programmes(applicant, assignment, programmes):
            waiting[pid].append(applicant.id)
    for pid, ids in waiting.items():
        ids.sort(key=lambda a, pid=pid: rank[pid].get(a, len(rank[pid])))  # type: ignore[misc]
    return waiting


def _explain(
    data: RoundInput,
    programmes: Mapping[str, Programme],
    assignments: Mapping[str, Assignment],
    held: Mapping[str, list[tuple[float, str]]],
    displaced: Collection[str] = (),
) -> None:
    """Write a plain-language explanation, in the active language, on every assignment."""
    # The last applicant a programme admitted through matching is where its priority line was drawn.
    cutoff = {pid: max(heap)[1] for pid, heap in held.items() if heap}
    for applicant in data.applicants:
        assignment = assignments[applicant.id]
        if assignment.locked:
            if assignment.programme is None:
                assignment.explanation = _("Opptakskontoret har bestemt at barnet ikke får plass i dette opptaket.")
            else:
                name = programmes[assignment.programme].unit_name
                # Translators: %(unit)s is the name of a kindergarten.
                assignment.explanation = _("Opptakskontoret har tildelt plass i %(unit)s manuelt.") % {"unit": name}
            continue
        sentences: list[str] = []
        if assignment.kind == KIND_CHOICE and assignment.programme is not None:
            name = programmes[assignment.programme].unit_name
            sentences.append(
                # Translators: %(unit)s is the name of a kindergarten; %(rank)s is the number of the
                # applicant's choice it was (1 for the first choice).
                _("Barnet har fått plass i %(unit)s (%(rank)s. ønske).")
                % {"unit": name, "rank": (assignment.choice_rank or 0) + 1}
            )
        limit = assignment.choice_rank if assignment.choice_rank is not None else len(applicant.choices)
        sentences.extend(_why_not(data, programmes, cutoff, applicant, unit) for unit in applicant.choices[:limit])
        if assignment.kind == KIND_GUARANTEE and assignment.programme is not None and applicant.id in displaced:
            name = programmes[assignment.programme].unit_name
            sentences.append(
                # Translators: %(unit)s is the name of a municipal kindergarten.
                _(
                    "Barnet har rett til plass, og kommunen oppfyller retten med plass i %(unit)s, som er nærmeste "
                    "kommunale barnehage. Barn med rett til plass går foran barn uten rett."
                )
                % {"unit": name}
            )
        elif assignment.kind == KIND_GUARANTEE and assignment.programme is not None:
            name = programmes[assignment.programme].unit_name
            sentences.append(
                # Translators: %(unit)s is the name of a kindergarten.
                _("Barnet har rett til plass, og får derfor tilbud i %(unit)s, som er nærmeste enhet med ledig plass.")
                % {"unit": name}
            )
        elif assignment.kind == KIND_NONE:
            if applicant.right_to_place:
                sentences.append(_("Det var ingen ledige plasser for barnets aldersgruppe i kommunen."))
            sentences.append(_("Barnet står på venteliste for ønskene sine."))
        assignment.explanation = " ".join(sentences)


def _why_not(
    data: RoundInput,
    programmes: Mapping[str, Programme],
    cutoff: Mapping[str, str],
    applicant: Applicant,
    unit: str,
) -> str:
    """Explain in one sentence why the applicant did not get ``unit``."""
    pid = programme_id(unit, applicant.age_group)
    programme = programmes.get(pid)
    if programme is None:
        # Translators: %(unit)s is the id of a unit whose name is not known.
        unit_name = data.unit_names[unit] if unit in data.unit_names else _("Enhet %(unit)s") % {"unit": unit}
        # Translators: %(unit)s is the name of a kindergarten; %(age)s is an age group such as "0-2" or "3-5".
        return _("%(unit)s har ingen plasser for aldersgruppen %(age)s år i dette opptaket.") % {
            "unit": unit_name,
            "age": applicant.age_group,
        }
    last = cutoff.get(pid)
    if last is None:
        # Translators: %(unit)s is the name of a kindergarten; %(age)s is an age group such as "0-2" or "3-5".
        return _("%(unit)s hadde ingen ledige plasser for aldersgruppen %(age)s år.") % {
            "unit": programme.unit_name,
            "age": applicant.age_group,
        }
    labels = data.labels.get(pid, {})
    mine, theirs = labels.get(applicant.id, ""), labels.get(last, "")
    if theirs and theirs != mine:
        # Translators: %(unit)s is the name of a kindergarten; %(label)s is an admission criterion such as
        # "søsken" or "barn av ansatte".
        return _("%(unit)s var full, og barn med høyere prioritet (%(label)s) fikk plassene.") % {
            "unit": programme.unit_name,
            "label": theirs,
        }
    # Translators: %(unit)s is the name of a kindergarten.
    return _(
        "%(unit)s var full. Barna som fikk plass hadde samme prioritet som ditt barn, "
        "og alder og loddtrekning avgjorde rekkefølgen."
    ) % {"unit": programme.unit_name}


def export(*, round_id: str, data: RoundInput, result: MatchResult) -> dict[str, Any]:
    """Return the round in the published JSON shape, so anyone can check the result independently."""
    programmes = {p.id for p in data.programmes}
    listed: dict[str, set[str]] = {pid: set() for pid in programmes}
    for a in data.applicants:
        for unit in a.choices:
            pid = programme_id(unit, a.age_group)
            if pid in listed:
                listed[pid].add(a.id)
    priority = {p.id: [aid for aid in data.priority.get(p.id, ()) if aid in listed[p.id]] for p in data.programmes}
    return {
        "round": round_id,
        "programs": [
            {"id": p.id, "unit": p.unit, "age_group": p.age_group, "capacity": p.capacity} for p in data.programmes
        ],
        "applicants": [
            {"id": a.id, "age_group": a.age_group, "right_to_place": a.right_to_place, "choices": list(a.choices)}
            for a in data.applicants
        ],
        "priority": priority,
        "assignment": {
            aid: {
                "program": asg.programme if asg.programme in programmes else None,
                "kind": asg.kind,
            }
            for aid, asg in result.assignments.items()
        },
    }
