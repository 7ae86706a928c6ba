"""The interface other apps may use (plain dataclasses; never models)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from kindergarten.models import KindergartenPlacementDetail, KindergartenUnitDetail
from kindergarten.placements import NormFigures, OccupancyReport
from kindergarten.placements import kindergarten_occupancy as _occupancy
from oas.organisation.models import OrgUnit

__all__ = [
    "NormFigures",
    "OccupancyReport",
    "PlaceSize",
    "approved_places",
    "kindergarten_occupancy",
    "placement_size",
    "placement_sizes",
]


@dataclass(frozen=True)
class PlaceSize:
    """The size of a kindergarten place: a percentage of full time, or days per week."""

    kind: str  # "percent" | "days"
    value: int
    weekly_hours: Decimal | None = None


def placement_size(*, placement_id: int) -> PlaceSize | None:
    """Return the size of a kernel kindergarten placement, or None if it has no kindergarten details."""
    row = (
        KindergartenPlacementDetail.objects.filter(placement_id=placement_id)
        .values_list("size_kind", "size_value")
        .first()
    )
    return PlaceSize(kind=row[0], value=row[1]) if row else None


def kindergarten_occupancy(*, unit_id: int, day: dt.date) -> OccupancyReport:
    """Return a kindergarten's occupancy per department (under 3 = two places) with norms and gaps."""
    return _occupancy(unit=OrgUnit.objects.get(pk=unit_id), day=day)


def approved_places(*, unit_ids: Iterable[int]) -> dict[int, int]:
    """Return the approved places of the kindergartens that have them registered, by unit id, in places.

    A child under 3 takes two places in the occupancy calculation (``NormFigures.places``), so the approved places
    are 2 × places 0–2 år + places 3–5 år.
    """
    rows = KindergartenUnitDetail.objects.filter(unit_id__in=list(unit_ids)).values_list(
        "unit_id", "registered_places_small", "registered_places_big"
    )
    return {unit_id: 2 * small + big for unit_id, small, big in rows}


def placement_sizes(*, placement_ids: Iterable[int] | QuerySet[Any]) -> dict[int, PlaceSize]:
    """Return the size (and agreed weekly hours) of many kernel placements in one query."""
    rows = KindergartenPlacementDetail.objects.filter(placement_id__in=placement_ids).values_list(
        "placement_id", "size_kind", "size_value", "weekly_hours"
    )
    return {pid: PlaceSize(kind=kind, value=value, weekly_hours=hours) for pid, kind, value, hours in rows}
