"""The matching engine on its own: stability and capacity (hypothesis), locks, the guarantee, determinism."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from admission import engine
from admission.engine import Applicant, Programme, RoundInput, programme_id
from kindergarten.models import CriterionKind
from kindergarten.rules import RightToPlace
from kindergarten.selectors import ApplicantFacts, priority_order
from tests.kindergarten.checker import check_export

AGE_GROUPS = ("0-2", "3-5")


def random_round(seed: int, *, units: int, applicants: int, max_capacity: int, rights: float = 0.5) -> RoundInput:
    rng = random.Random(seed)
    programmes = [
        Programme(
            id=programme_id(str(u), ag),
            unit=str(u),
            unit_name=f"Barnehage {u}",
            age_group=ag,
            capacity=rng.randint(0, max_capacity),
            position=(59.9 + rng.random() / 10, 11.0 + rng.random() / 10),
        )
        for u in range(units)
        for ag in AGE_GROUPS
    ]
    people = [
        Applicant(
            id=f"a{i}",
            age_group=rng.choice(AGE_GROUPS),
            choices=tuple(str(u) for u in rng.sample(range(units), rng.randint(0, min(5, units)))),
            right_to_place=rng.random() < rights,
            position=(59.9 + rng.random() / 10, 11.0 + rng.random() / 10),
        )
        for i in range(applicants)
    ]
    priority = {}
    for p in programmes:
        listed = [a.id for a in people if p.unit in a.choices and a.age_group == p.age_group]
        rng.shuffle(listed)
        priority[p.id] = listed
    return RoundInput(programmes=programmes, applicants=people, priority=priority)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(min_value=0, max_value=10**9),
    units=st.integers(min_value=1, max_value=8),
    applicants=st.integers(min_value=0, max_value=60),
    max_capacity=st.integers(min_value=0, max_value=6),
)
def test_matching_is_stable_and_respects_capacity_on_random_rounds(
    seed: int, units: int, applicants: int, max_capacity: int
) -> None:
    data = random_round(seed, units=units, applicants=applicants, max_capacity=max_capacity)
    result = engine.match(data)
    assert check_export(engine.export(round_id="r", data=data, result=result)) == []


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**9))
def test_every_applicant_with_a_right_gets_a_place_while_any_of_their_age_group_is_free(seed: int) -> None:
    data = random_round(seed, units=5, applicants=40, max_capacity=4, rights=1.0)
    result = engine.match(data)
    for a in data.applicants:
        if result.assignments[a.id].programme is None:
            assert all(result.remaining[p.id] == 0 for p in data.programmes if p.age_group == a.age_group), a.id


def test_the_same_input_gives_the_same_result() -> None:
    data = random_round(7, units=10, applicants=200, max_capacity=10)
    first, second = engine.match(data), engine.match(data)
    assert {k: v.programme for k, v in first.assignments.items()} == {
        k: v.programme for k, v in second.assignments.items()
    }


def _two_unit_round(*, locks: dict[str, str | None] | None = None) -> RoundInput:
    programmes = [
        Programme(
            id="A:3-5", unit="A", unit_name="Solsikken barnehage", age_group="3-5", capacity=1, position=(60.0, 11.0)
        ),
        Programme(
            id="B:3-5", unit="B", unit_name="Blåbær barnehage", age_group="3-5", capacity=1, position=(60.0, 11.2)
        ),
        Programme(
            id="C:3-5", unit="C", unit_name="Furulund barnehage", age_group="3-5", capacity=1, position=(60.0, 11.01)
        ),
    ]
    applicants = [
        Applicant(id="x", age_group="3-5", choices=("A", "B"), right_to_place=True, position=(60.0, 11.0)),
        Applicant(id="y", age_group="3-5", choices=("A",), right_to_place=True, position=(60.0, 11.0)),
        Applicant(id="z", age_group="3-5", choices=("A", "B"), right_to_place=False, position=(60.0, 11.0)),
    ]
    priority = {"A:3-5": ["y", "x", "z"], "B:3-5": ["z", "x"], "C:3-5": []}
    labels = {"A:3-5": {"y": "søsken"}, "B:3-5": {}}
    return RoundInput(programmes=programmes, applicants=applicants, priority=priority, labels=labels, locks=locks or {})


def test_an_applicant_with_a_right_who_got_no_choice_is_offered_the_nearest_unit_with_room() -> None:
    result = engine.match(_two_unit_round())
    assert result.assignments["y"].programme == "A:3-5"
    assert result.assignments["z"].programme == "B:3-5"
    x = result.assignments["x"]
    assert (x.programme, x.kind) == ("C:3-5", "guarantee")
    assert "Solsikken barnehage var full, og barn med høyere prioritet (søsken) fikk plassene." in x.explanation
    assert "nærmeste enhet med ledig plass" in x.explanation


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nn",
            "Solsikken barnehage var full, og barn med høgare prioritet (søsken) fekk plassane. "
            "Blåbær barnehage var full. Barna som fekk plass, hadde same prioritet som barnet ditt, og alder og "
            "loddtrekning avgjorde rekkjefølgja. Barnet har rett til plass, og får difor tilbod i Furulund "
            "barnehage, som er nærmaste eining med ledig plass.",
        ),
        (
            "en",
            "Solsikken barnehage was full, and children with higher priority (søsken) got the places. "
            "Blåbær barnehage was full. The children who got a place had the same priority as your child, and age "
            "and the lottery decided the order. The child has a right to a place and is therefore offered a place "
            "at Furulund barnehage, the nearest unit with a vacant place.",
        ),
    ],
)
def test_explanations_are_written_in_the_active_language(language: str, expected: str) -> None:
    with translation.override(language):
        result = engine.match(_two_unit_round())
    assert result.assignments["x"].explanation == expected


@pytest.mark.parametrize(("language", "expected"), [("nb", "søsken"), ("nn", "sysken"), ("en", "siblings")])
def test_the_priority_label_is_the_criterion_in_the_active_language(language: str, expected: str) -> None:
    def facts(application_id: int, *, sibling_units: frozenset[int]) -> ApplicantFacts:
        right = RightToPlace(has_right=True, from_date=None, reason="")
        return ApplicantFacts(
            application_id=application_id,
            child_id=application_id,
            birth_date=dt.date(2022, 5, 1),
            age_group="3-5",
            right=right,
            lottery=application_id,
            checked_grounds=frozenset(),
            sibling_units=sibling_units,
            staff_units=frozenset(),
            choices=(1,),
        )

    applicants = [facts(1, sibling_units=frozenset()), facts(2, sibling_units=frozenset({1}))]
    with translation.override(language):
        order, labels = priority_order(unit_id=1, criteria=[CriterionKind.SIBLING], applicants=applicants)
    assert order == ["2", "1"]
    assert labels == {"2": expected, "1": ""}
    assert type(labels["2"]) is str  # rendered, not a lazy proxy: it is stored with the explanation


def test_locking_an_applicant_recomputes_around_the_lock_and_reports_who_is_affected() -> None:
    before = engine.match(_two_unit_round())
    after = engine.match(_two_unit_round(locks={"x": "A:3-5"}))
    assert after.assignments["x"].programme == "A:3-5"
    assert after.assignments["x"].locked
    assert after.assignments["y"].programme == "C:3-5"  # y has a right: guaranteed the nearest free unit
    assert after.affected_by(before) == ["x", "y"]


def test_a_lock_beyond_capacity_is_refused() -> None:
    data = _two_unit_round(locks={"x": "A:3-5", "y": "A:3-5"})
    with pytest.raises(engine.MatchingInputError):
        engine.match(data)


def test_applicants_wait_for_the_choices_above_the_one_they_got_in_priority_order() -> None:
    result = engine.match(_two_unit_round())
    assert result.waiting["A:3-5"] == ["x", "z"]  # x got a guarantee place: waits for A and B
    assert result.waiting["B:3-5"] == ["x"]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**9), locks=st.integers(min_value=1, max_value=5))
def test_with_locked_places_capacity_holds_and_the_unlocked_applicants_are_stable(seed: int, locks: int) -> None:
    data = random_round(seed, units=4, applicants=40, max_capacity=5)
    rng = random.Random(seed)
    free = {p.id: p.capacity for p in data.programmes}
    chosen: dict[str, str | None] = {}
    for a in rng.sample(list(data.applicants), min(locks, len(data.applicants))):
        options = [pid for pid, n in free.items() if n > 0]
        pid = rng.choice([*options, None]) if options else None
        if pid is not None:
            free[pid] -= 1
        chosen[a.id] = pid
    locked = RoundInput(programmes=data.programmes, applicants=data.applicants, priority=data.priority, locks=chosen)
    result = engine.match(locked)
    assert all(result.assignments[a].locked and result.assignments[a].programme == p for a, p in chosen.items())
    # Treat locked seats as gone: the rest must be a stable matching of the unlocked applicants.
    reduced = RoundInput(
        programmes=[
            Programme(id=p.id, unit=p.unit, unit_name=p.unit_name, age_group=p.age_group, capacity=free[p.id])
            for p in data.programmes
        ],
        applicants=[a for a in data.applicants if a.id not in chosen],
        priority={pid: [a for a in order if a not in chosen] for pid, order in data.priority.items()},
    )
    unlocked = engine.MatchResult(
        assignments={a: v for a, v in result.assignments.items() if a not in chosen},
        remaining=result.remaining,
        waiting=result.waiting,
    )
    assert check_export(engine.export(round_id="r", data=reduced, result=unlocked)) == []


def _municipal_round(seed: int) -> RoundInput:
    """A random round where about half the units are municipal and rank children with the right first."""
    data = random_round(seed, units=5, applicants=50, max_capacity=4)
    rng = random.Random(seed + 1)
    by_id = {a.id: a for a in data.applicants}
    programmes = [
        Programme(
            id=p.id,
            unit=p.unit,
            unit_name=p.unit_name,
            age_group=p.age_group,
            capacity=p.capacity,
            position=p.position,
            municipal=int(p.unit) % 2 == 0 or rng.random() < 0.3,
        )
        for p in data.programmes
    ]
    municipal = {p.id for p in programmes if p.municipal}
    priority = {
        pid: sorted(order, key=lambda a: not by_id[a].right_to_place) if pid in municipal else list(order)
        for pid, order in data.priority.items()
    }
    return RoundInput(programmes=programmes, applicants=data.applicants, priority=priority)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(min_value=0, max_value=10**9))
def test_no_child_with_a_right_is_left_without_a_place_while_a_municipal_seat_went_to_a_child_without(
    seed: int,
) -> None:
    data = _municipal_round(seed)
    result = engine.match(data)
    assert check_export(engine.export(round_id="r", data=data, result=result)) == []
    right = {a.id: a.right_to_place for a in data.applicants}
    age = {a.id: a.age_group for a in data.applicants}
    municipal = {p.id: p.age_group for p in data.programmes if p.municipal}
    held_by_others = {
        municipal[asg.programme]
        for aid, asg in result.assignments.items()
        if asg.programme in municipal and not right[aid]
    }
    for aid, asg in result.assignments.items():
        if right[aid] and asg.programme is None:
            assert age[aid] not in held_by_others, aid


def test_the_guarantee_takes_the_seat_of_a_child_without_the_right_in_the_nearest_municipal_unit() -> None:
    programmes = [
        Programme(id="A:3-5", unit="A", unit_name="Solsikken", age_group="3-5", capacity=1, position=(60.0, 11.0)),
        Programme(
            id="B:3-5",
            unit="B",
            unit_name="Blåbær",
            age_group="3-5",
            capacity=1,
            position=(60.0, 11.05),
            municipal=True,
        ),
        Programme(
            id="C:3-5",
            unit="C",
            unit_name="Furulund",
            age_group="3-5",
            capacity=1,
            position=(60.0, 11.5),
            municipal=True,
        ),
    ]
    applicants = [
        Applicant(id="first", age_group="3-5", choices=("A",), right_to_place=True, position=(60.0, 11.0)),
        Applicant(id="right", age_group="3-5", choices=("A",), right_to_place=True, position=(60.0, 11.0)),
        Applicant(id="late", age_group="3-5", choices=("B", "C"), right_to_place=False, position=(60.0, 11.0)),
        Applicant(id="late2", age_group="3-5", choices=("C",), right_to_place=False, position=(60.0, 11.0)),
    ]
    priority = {"A:3-5": ["first", "right"], "B:3-5": ["late"], "C:3-5": ["late", "late2"]}
    result = engine.match(RoundInput(programmes=programmes, applicants=applicants, priority=priority))
    got = {aid: (a.programme, a.kind) for aid, a in result.assignments.items()}
    # A is private and full; B is the nearest municipal unit: "late" gives up B and moves on to C.
    assert got == {
        "first": ("A:3-5", "choice"),
        "right": ("B:3-5", "guarantee"),
        "late": ("C:3-5", "choice"),
        "late2": (None, "none"),
    }
    assert "nærmeste kommunale barnehage" in result.assignments["right"].explanation
    assert result.waiting["B:3-5"] == ["late"]
