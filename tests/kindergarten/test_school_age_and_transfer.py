"""Kindergarten admission is for kindergarten children (issue 13 point 11), on the demo municipality.

A child of school age (from 1 August of the year it turns six) or with a school placement is refused, in the
application, in matching and when accepting; a child who already has a kindergarten place applies for a
transfer (bytte), and accepting ends the old place the day before the new one starts.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest

from kindergarten import services
from kindergarten.models import Application, ApplicationStatus, Assignment, DecisionLetter, Offer, RoundState
from oas import clock
from oas.errors import ValidationError
from oas.organisation.models import OrgUnit
from oas.people.models import Person, Placement, Service
from tests.factories import PlacementFactory
from tests.kindergarten.demo import START, demo_round
from tests.kindergarten.factories import family

pytestmark = pytest.mark.django_db

ON_TIME = dt.date(2027, 2, 1)


def _apply(rnd, child: Person, guardian: Person, units, **kw):
    kw.setdefault("wanted_start_date", START)
    with clock.freeze(ON_TIME):
        return services.application_submit(admission_round=rnd, child=child, applicant=guardian, choices=units, **kw)


def _school(municipality) -> OrgUnit:
    return OrgUnit.objects.filter(kind="school", municipality=municipality).order_by("pk")[0]


def _publish(rnd) -> None:
    with clock.freeze(ON_TIME + dt.timedelta(days=40)):
        services.admission_round_set_state(admission_round=rnd, state=RoundState.CLOSED)
        services.admission_round_match(admission_round=rnd)
        services.admission_round_publish(admission_round=rnd)


@pytest.mark.parametrize(
    ("birth_date", "refused"),
    [
        (dt.date(2021, 3, 1), True),  # turns six in 2027: school from 1 August 2027
        (dt.date(2021, 12, 31), True),  # still six in 2027, though only five on the start date
        (dt.date(2022, 1, 1), False),  # turns six in 2028: kindergarten until July 2028
    ],
)
def test_a_child_of_school_age_is_refused_with_a_clear_message_and_nothing_is_written(
    demo_municipality, birth_date, refused
) -> None:
    rnd, units = demo_round(demo_municipality, capacity={"Demo barnehage": 2})
    fam = family(birth_date=birth_date)
    if not refused:
        assert _apply(rnd, fam.child, fam.guardian, [units["Demo barnehage"]]).pk
        return
    with pytest.raises(ValidationError) as exc:
        _apply(rnd, fam.child, fam.guardian, [units["Demo barnehage"]])
    assert exc.value.code == "school_age"
    assert "begynner på skolen 01.08.2027" in exc.value.message
    assert not Application.objects.filter(child=fam.child).exists()


def test_a_school_pupil_is_refused_and_a_pupil_who_got_a_school_place_later_gets_no_offer(demo_municipality) -> None:
    rnd, units = demo_round(demo_municipality, capacity={"Demo barnehage": 2, "Frogner barnehage": 1})
    school = _school(demo_municipality)
    pupil = family(birth_date=dt.date(2022, 2, 1))  # early school start
    PlacementFactory(child=pupil.child, service=Service.SCHOOL, unit=school, start_date=dt.date(2027, 8, 1))
    with pytest.raises(ValidationError) as exc:
        _apply(rnd, pupil.child, pupil.guardian, [units["Demo barnehage"]])
    assert exc.value.code == "school_pupil"
    assert school.name in exc.value.message

    later = family(birth_date=dt.date(2022, 3, 1))
    other = family(birth_date=dt.date(2023, 3, 1))
    app = _apply(rnd, later.child, later.guardian, [units["Demo barnehage"]])
    other_app = _apply(rnd, other.child, other.guardian, [units["Demo barnehage"]])
    # After applying, the child was given a school place (early school start): matching leaves it out.
    PlacementFactory(child=later.child, service=Service.SCHOOL, unit=school, start_date=dt.date(2027, 8, 1))
    _publish(rnd)
    asg = Assignment.objects.get(application=app)
    assert (asg.programme, asg.kind) == (None, "none")
    assert "er elev ved" in asg.explanation
    assert not Offer.objects.filter(application=app).exists()
    assert Offer.objects.filter(application=other_app).exists()
    app.refresh_from_db()
    assert app.status == ApplicationStatus.REFUSED
    letter = DecisionLetter.objects.get(application=app)
    assert "kan ikke få barnehageplass" in letter.body["paragraphs"][0]


def test_accepting_is_refused_when_the_child_has_become_a_pupil(demo_municipality) -> None:
    rnd, units = demo_round(demo_municipality, capacity={"Demo barnehage": 1})
    fam = family(birth_date=dt.date(2022, 2, 1))
    app = _apply(rnd, fam.child, fam.guardian, [units["Demo barnehage"]])
    _publish(rnd)
    offer = Offer.objects.get(application=app)
    PlacementFactory(child=fam.child, service=Service.SCHOOL, unit=_school(demo_municipality), start_date=START)
    with clock.freeze(offer.deadline), pytest.raises(ValidationError) as exc:
        services.offer_accept(offer=offer, guardian=fam.guardian)
    assert exc.value.code == "school_pupil"
    assert not Placement.objects.filter(child=fam.child, service=Service.KINDERGARTEN).exists()


def test_a_child_with_a_place_applies_for_a_transfer_and_does_not_go_before_a_child_with_the_right(
    demo_municipality,
) -> None:
    rnd, units = demo_round(demo_municipality, capacity={"Demo barnehage": 1, "Frogner barnehage": 1})
    demo, frogner = units["Demo barnehage"], units["Frogner barnehage"]
    fam = family(birth_date=dt.date(2023, 1, 10))
    cast(
        Placement,
        PlacementFactory(child=fam.child, service=Service.KINDERGARTEN, unit=demo, start_date=dt.date(2024, 8, 1)),
    )
    with pytest.raises(ValidationError) as exc:
        _apply(rnd, fam.child, fam.guardian, [demo])
    assert exc.value.code == "already_placed_there"

    app = _apply(rnd, fam.child, fam.guardian, [frogner])
    assert app.transfer_from == demo
    competitor = family(birth_date=dt.date(2023, 6, 1))  # younger, but with the right to a place
    competitor_app = _apply(rnd, competitor.child, competitor.guardian, [frogner])
    _publish(rnd)
    # The transfer's right is fulfilled by the place it has: the child with the right goes first at Frogner.
    won = Assignment.objects.get(application=competitor_app).programme
    assert won is not None and won.unit_id == frogner.pk
    transfer = Assignment.objects.get(application=app)
    assert not transfer.right_to_place
    assert transfer.programme is None
    assert f"Barnet beholder plassen i {demo.name}" in transfer.explanation


def test_accepting_a_transfer_ends_the_old_place_the_day_before_the_new_one(demo_municipality) -> None:
    rnd, units = demo_round(demo_municipality, capacity={"Frogner barnehage": 1})
    demo, frogner = units["Demo barnehage"], units["Frogner barnehage"]
    fam = family(birth_date=dt.date(2023, 1, 10))
    old = cast(
        Placement,
        PlacementFactory(child=fam.child, service=Service.KINDERGARTEN, unit=demo, start_date=dt.date(2024, 8, 1)),
    )
    app = _apply(rnd, fam.child, fam.guardian, [frogner], wanted_start_date=dt.date(2027, 9, 1))
    _publish(rnd)
    offer = Offer.objects.get(application=app)
    with clock.freeze(offer.deadline):
        new = services.offer_accept(offer=offer, guardian=fam.guardian)
    old.refresh_from_db()
    assert old.end_date == dt.date(2027, 8, 31)
    assert (new.unit_id, new.start_date, new.end_date) == (frogner.pk, dt.date(2027, 9, 1), None)
    current = Placement.objects.filter(child=fam.child, service=Service.KINDERGARTEN, end_date__isnull=True)
    assert list(current) == [new]
    assert new.kindergarten_detail.size_value == 100


def test_a_kindergarten_whose_age_range_does_not_fit_the_child_at_the_start_is_refused(demo_municipality) -> None:
    rnd, units = demo_round(demo_municipality, capacity={"Demo barnehage": 1}, small=1)
    assert units["Demo barnehage"].min_age == 1
    fam = family(birth_date=dt.date(2026, 10, 15))  # not one until 15 October 2027
    with pytest.raises(ValidationError) as exc:
        _apply(rnd, fam.child, fam.guardian, [units["Demo barnehage"]])
    assert exc.value.code == "age_out_of_range"
    assert not Application.objects.filter(child=fam.child).exists()
    app = _apply(rnd, fam.child, fam.guardian, [units["Demo barnehage"]], wanted_start_date=dt.date(2027, 10, 15))
    assert app.wanted_start_date == dt.date(2027, 10, 15)
