"""The shared "active on a day" filters agree with the rule written out (inclusive end, open end runs on)."""

from __future__ import annotations

import datetime as dt

import pytest

from oas.people.models import Person, PersonRelation, Placement
from oas.periods import DATED, active_on, current_or_future, overlapping
from tests.factories import PlacementFactory, RelationFactory

pytestmark = pytest.mark.django_db

D = dt.date(2026, 3, 10)


def test_active_on_and_overlapping() -> None:
    ended = PlacementFactory.create(start_date=dt.date(2026, 1, 1), end_date=D)
    future = PlacementFactory.create(start_date=D + dt.timedelta(days=1), end_date=None)
    open_ = PlacementFactory.create(start_date=dt.date(2025, 8, 1), end_date=None)
    on_day = set(Placement.objects.filter(active_on(D, fields=DATED)).values_list("pk", flat=True))
    assert {ended.pk, open_.pk} <= on_day and future.pk not in on_day
    after = set(
        Placement.objects.filter(active_on(D + dt.timedelta(days=1), fields=DATED)).values_list("pk", flat=True)
    )
    assert ended.pk not in after and {future.pk, open_.pk} <= after
    march = set(
        Placement.objects.filter(overlapping(dt.date(2026, 3, 11), dt.date(2026, 3, 31), fields=DATED)).values_list(
            "pk", flat=True
        )
    )
    assert ended.pk not in march and {future.pk, open_.pk} <= march


def test_current_or_future_keeps_what_has_not_ended_before_the_day() -> None:
    ended_before = PlacementFactory.create(start_date=dt.date(2026, 1, 1), end_date=D - dt.timedelta(days=1))
    ends_on_day = PlacementFactory.create(start_date=dt.date(2026, 1, 1), end_date=D)
    future = PlacementFactory.create(start_date=D + dt.timedelta(days=30), end_date=None)
    open_ = PlacementFactory.create(start_date=dt.date(2025, 8, 1), end_date=None)
    kept = set(Placement.objects.filter(current_or_future(D, fields=DATED)).values_list("pk", flat=True))
    assert {ends_on_day.pk, future.pk, open_.pk} <= kept
    assert ended_before.pk not in kept
    # A future row is not active on the day: the one difference from ``active_on``.
    assert future.pk not in set(Placement.objects.filter(active_on(D, fields=DATED)).values_list("pk", flat=True))
    # VALID periods and a prefix, as a filter across a relation.
    old = RelationFactory.create(valid_from=dt.date(2020, 1, 1), valid_to=D - dt.timedelta(days=1))
    later = RelationFactory.create(valid_from=D + dt.timedelta(days=5), valid_to=None)
    current = set(PersonRelation.objects.filter(current_or_future(D)).values_list("pk", flat=True))
    assert later.pk in current and old.pk not in current
    # With a prefix, across a relation: the children whose relation has not ended.
    children = set(
        Person.objects.filter(
            current_or_future(D, prefix="relations_as_child__"), pk__in=[old.child_id, later.child_id]
        ).values_list("pk", flat=True)
    )
    assert children == {later.child_id}
