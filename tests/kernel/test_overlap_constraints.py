"""Overlap validation compares the child (and adult) with themselves, not with every other child (issue 13.1).

The exclusion constraints once used ``int8range(child_id, child_id)``, which Django's ``validate_constraints``
cannot bind to the instance: ``full_clean()`` then refused any placement or relation while another child had an
overlapping row, i.e. always in a real municipality. These tests run among the demo municipality and hundreds of
further overlapping placements and relations of other children.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction

from kindergarten.services import placement_terminate
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Foreldreansvar, Person, PersonRelation, Placement, RelationKind, Service
from tests import factories as f

pytestmark = pytest.mark.django_db

START = dt.date(2026, 8, 1)
OTHERS = 300


@pytest.fixture
def crowded(demo_municipality, frozen_today):
    """The demo municipality plus 300 other children with open kindergarten, SFO and guardian rows from START."""
    unit = OrgUnit.objects.filter(kind=OrgUnitKind.KINDERGARTEN, municipality=demo_municipality).first()
    sfo = OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL, municipality=demo_municipality).first()
    assert unit is not None and sfo is not None
    children = Person.objects.bulk_create(
        f.ChildFactory.build(national_id=f.synthetic_national_id(dt.date(2021, 1, 1) + dt.timedelta(days=i)))
        for i in range(OTHERS)
    )
    adult: Any = f.PersonFactory()
    Placement.objects.bulk_create(
        [Placement(child=c, service=Service.KINDERGARTEN, unit=unit, start_date=START) for c in children]
        + [Placement(child=c, service=Service.SFO, unit=sfo, start_date=START) for c in children]
    )
    # One adult related to all of them: the adult's own rows overlap too, only the child differs.
    PersonRelation.objects.bulk_create(
        PersonRelation(
            adult=adult,
            child=c,
            kind=RelationKind.GUARDIAN,
            foreldreansvar=Foreldreansvar.FELLES,
            valid_from=START,
        )
        for c in children
    )
    assert Placement.objects.filter(start_date__lte=frozen_today, end_date__isnull=True).count() > 2 * OTHERS
    return {"unit": unit, "sfo": sfo, "adult": adult}


def test_a_new_kindergarten_and_sfo_placement_validate_while_hundreds_of_other_children_have_places(crowded):
    child: Any = f.ChildFactory()
    for service, unit in ((Service.KINDERGARTEN, crowded["unit"]), (Service.SFO, crowded["sfo"])):
        placement = Placement(child=child, service=service, unit=unit, start_date=START)
        placement.full_clean()
        placement.save()
    assert Placement.objects.filter(child=child).count() == 2


def test_ending_a_place_validates_while_hundreds_of_other_children_have_places(crowded):
    child: Any = f.ChildFactory()
    placement = Placement.objects.create(
        child=child, service=Service.KINDERGARTEN, unit=crowded["unit"], start_date=START
    )
    placement.end_date = dt.date(2027, 1, 31)
    placement.full_clean()
    placement.save(update_fields=["end_date"])


def test_guardian_terminates_a_place_while_other_children_attend_the_same_kindergarten(crowded, frozen_today):
    child: Any = f.ChildFactory()
    guardian: Any = f.PersonFactory()
    f.RelationFactory(adult=guardian, child=child, foreldreansvar=Foreldreansvar.FELLES)
    placement = Placement.objects.create(
        child=child, service=Service.KINDERGARTEN, unit=crowded["unit"], start_date=START
    )
    ended = placement_terminate(placement=placement, guardian=guardian)
    assert ended.end_date is not None and ended.end_date > frozen_today


def test_a_relation_validates_while_the_same_adult_and_other_children_have_overlapping_relations(crowded):
    child: Any = f.ChildFactory()
    other: Any = f.PersonFactory()
    for adult in (crowded["adult"], other):
        relation = PersonRelation(
            adult=adult,
            child=child,
            kind=RelationKind.GUARDIAN,
            foreldreansvar=Foreldreansvar.FELLES,
            valid_from=START,
        )
        relation.full_clean()
        relation.save()


def test_an_overlapping_placement_for_the_same_child_is_refused_with_a_clear_error(crowded):
    child: Any = f.ChildFactory()
    Placement.objects.create(
        child=child, service=Service.KINDERGARTEN, unit=crowded["unit"], start_date=START, end_date=dt.date(2027, 7, 31)
    )
    second = Placement(child=child, service=Service.KINDERGARTEN, unit=crowded["unit"], start_date=dt.date(2027, 1, 1))
    with pytest.raises(DjangoValidationError) as exc:
        second.full_clean()
    assert exc.value.messages == ["Barnet har allerede en plass i denne tjenesten i perioden."]
    assert exc.value.error_dict["__all__"][0].code == "placement_overlap"
    # The database refuses it as well, and a later, adjoining place is accepted.
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()
    later = Placement(child=child, service=Service.KINDERGARTEN, unit=crowded["unit"], start_date=dt.date(2027, 8, 1))
    later.full_clean()


def test_an_overlapping_relation_of_the_same_kind_is_refused_with_a_clear_error(crowded):
    child: Any = f.ChildFactory()
    f.RelationFactory(adult=crowded["adult"], child=child, valid_from=START)
    again = PersonRelation(
        adult=crowded["adult"],
        child=child,
        kind=RelationKind.GUARDIAN,
        foreldreansvar=Foreldreansvar.FELLES,
        valid_from=dt.date(2026, 9, 1),
    )
    with pytest.raises(DjangoValidationError) as exc:
        again.full_clean()
    assert exc.value.messages == ["Den voksne har allerede denne relasjonen til barnet i perioden."]
    assert exc.value.error_dict["__all__"][0].code == "relation_overlap"
