"""The interface other apps may use (plain dataclasses; never models)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from sfo.models import SfoPlacementDetail


@dataclass(frozen=True)
class SfoPlace:
    """The type of an SFO place: full, part or hours (with hours per week)."""

    place_type: str  # "full" | "part" | "hours"
    hours_per_week: int | None


def sfo_place(*, placement_id: int) -> SfoPlace | None:
    """Return the type of a kernel SFO placement, or None if it has no SFO details."""
    row = (
        SfoPlacementDetail.objects.filter(placement_id=placement_id).values_list("place_type", "hours_per_week").first()
    )
    return SfoPlace(place_type=row[0], hours_per_week=row[1]) if row else None


def sfo_places(*, placement_ids: Iterable[int] | QuerySet[Any]) -> dict[int, SfoPlace]:
    """Return the type of many kernel SFO placements in one query."""
    rows = SfoPlacementDetail.objects.filter(placement_id__in=placement_ids).values_list(
        "placement_id", "place_type", "hours_per_week"
    )
    return {pid: SfoPlace(place_type=kind, hours_per_week=hours) for pid, kind, hours in rows}
