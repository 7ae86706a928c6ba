"""The shared "active on a day" filters agree with the rule written out (inclusive end, open end runs on)."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest

from oas.people.models import Placement
from oas.periods import DATED, active_on, overlapping
from tests.factories import PlacementFactory

pytestmark = pytest.mark.django_db

D = dt.date(2026, 3, 10)


def test_active_on_and_overlapping() -> None:
    ended = cast(Placement, PlacementFactory(start_date=dt.date(2026, 1, 1), end_date=D))
    future = cast(Placement, PlacementFactory(start_date=D + dt.timedelta(days=1), end_date=None))
    open_ = cast(Placement, PlacementFactory(start_date=dt.date(2025, 8, 1), end_date=None))
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
