"""Barnehageloven § 16 in municipal kindergartens (issue 13 point 8), on the demo municipality.

Children with the right to a place go before every child without it in municipal kindergartens, and the
municipality's guarantee is fulfilled before any municipal seat goes to a child without the right.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest

from kindergarten import services
from kindergarten.models import Assignment, RoundState, WaitingListEntry
from oas import clock
from oas.people.models import Person
from tests.factories import ChildFactory, PlacementFactory, RelationFactory
from tests.kindergarten.demo import START, demo_round
from tests.kindergarten.factories import Family, family

pytestmark = pytest.mark.django_db

ON_TIME = dt.date(2027, 2, 1)
LATE = dt.date(2027, 4, 15)  # after the 1 March deadline: no right to a place in the main admission


def _apply(rnd, fam: Family, units, *, on: dt.date):
    with clock.freeze(on):
        return services.application_submit(
            admission_round=rnd, child=fam.child, applicant=fam.guardian, choices=units, wanted_start_date=START
        )


def _late_sibling_family(unit, *, address_id: str) -> Family:
    """A family whose older child already attends ``unit`` (same address, same guardian)."""
    fam = family(birth_date=dt.date(2023, 3, 1), address_id=address_id)
    older = cast(Person, ChildFactory(birth_date=dt.date(2021, 4, 1), address_id=address_id))
    RelationFactory(adult=fam.guardian, child=older)
    PlacementFactory(child=older, unit=unit, start_date=dt.date(2024, 8, 1))
    return fam


def _match(rnd) -> None:
    with clock.freeze(LATE):
        services.admission_round_set_state(admission_round=rnd, state=RoundState.CLOSED)
        services.admission_round_match(admission_round=rnd)


def _got(app) -> tuple[str | None, str]:
    asg = Assignment.objects.select_related("programme__unit").get(application=app)
    return (asg.programme.unit.name if asg.programme else None, asg.kind)


def test_a_late_applicant_with_a_sibling_does_not_take_the_last_seat_from_a_child_with_the_right(
    demo_municipality,
) -> None:
    rnd, units = demo_round(
        demo_municipality, capacity={"Demo barnehage": 1, "Frogner barnehage": 1, "Dalen private barnehage": 1}
    )
    demo, frogner, dalen = units["Demo barnehage"], units["Frogner barnehage"], units["Dalen private barnehage"]
    # Other applicants fill the other kindergartens.
    others = [
        _apply(rnd, family(birth_date=dt.date(2022, 9, 1)), [frogner], on=ON_TIME),
        _apply(rnd, family(birth_date=dt.date(2022, 10, 1)), [dalen], on=ON_TIME),
    ]
    right = _apply(rnd, family(birth_date=dt.date(2023, 6, 1)), [demo], on=ON_TIME)
    late = _apply(rnd, _late_sibling_family(demo, address_id="demo-sosken-1"), [demo], on=LATE)
    assert late.sibling_unit_ids == [demo.pk]
    _match(rnd)

    assert _got(right) == ("Demo barnehage", "choice")
    assert _got(late) == (None, "none")
    assert [_got(o)[0] for o in others] == ["Frogner barnehage", "Dalen private barnehage"]
    asg = Assignment.objects.get(application=late)
    assert not asg.right_to_place
    assert "høyere prioritet (rett til plass)" in asg.explanation


def test_the_guarantee_takes_a_municipal_seat_from_a_child_without_the_right_before_leaving_one_without(
    demo_municipality,
) -> None:
    rnd, units = demo_round(
        demo_municipality, capacity={"Demo barnehage": 1, "Frogner barnehage": 1, "Dalen private barnehage": 1}
    )
    demo, frogner, dalen = units["Demo barnehage"], units["Frogner barnehage"], units["Dalen private barnehage"]
    older = _apply(rnd, family(birth_date=dt.date(2022, 9, 1)), [demo], on=ON_TIME)
    private = _apply(rnd, family(birth_date=dt.date(2022, 10, 1)), [dalen], on=ON_TIME)
    right = _apply(rnd, family(birth_date=dt.date(2023, 6, 1)), [demo], on=ON_TIME)  # younger: loses Demo
    late = _apply(rnd, _late_sibling_family(frogner, address_id="demo-sosken-2"), [frogner], on=LATE)
    _match(rnd)

    assert _got(older) == ("Demo barnehage", "choice")
    assert _got(private) == ("Dalen private barnehage", "choice")
    # Every seat is taken; Frogner's went to a late applicant without the right, so the guarantee takes it.
    assert _got(right) == ("Frogner barnehage", "guarantee")
    assert _got(late) == (None, "none")
    assert "nærmeste kommunale barnehage" in Assignment.objects.get(application=right).explanation

    with clock.freeze(LATE):
        services.assignments_approve(unit=dalen)  # the private kindergarten approves its applicant first
        services.admission_round_publish(admission_round=rnd)
    entry = WaitingListEntry.objects.get(application=late)
    assert (entry.programme.unit_id, entry.position) == (frogner.pk, 1)


def test_a_private_kindergarten_keeps_its_own_order_and_its_seats(demo_municipality) -> None:
    rnd, units = demo_round(demo_municipality, capacity={"Demo barnehage": 0, "Dalen private barnehage": 1})
    dalen = units["Dalen private barnehage"]
    services.unit_criteria_set(unit=dalen, kinds=["sibling"])
    late = _apply(rnd, _late_sibling_family(dalen, address_id="demo-sosken-3"), [dalen], on=LATE)
    right = _apply(rnd, family(birth_date=dt.date(2023, 6, 1)), [dalen], on=ON_TIME)
    _match(rnd)
    assert _got(late) == ("Dalen private barnehage", "choice")
    assert _got(right) == (None, "none")  # no municipal seat to take: the municipality must find one
