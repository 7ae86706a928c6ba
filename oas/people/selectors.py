"""Reads from the people kernel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q

from oas import clock
from oas.people.models import Adressebeskyttelse, Person, Placement
from oas.periods import DATED, active_on


def person_ids_by_national_id(*, national_ids: Iterable[str]) -> dict[str, int]:
    """Return the ids of the persons we hold among ``national_ids`` (unknown numbers are left out)."""
    wanted = list(set(national_ids))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start : start + 5000]
        found.update(
            (nid, pk)
            for nid, pk in Person.objects.filter(national_id__in=chunk).values_list("national_id", "id")
            if nid is not None
        )
    return found


def person_national_ids_born_from(*, year: int, municipality_number: str) -> list[str]:
    """Return the national ids of persons born in ``year`` or later whom we hold as living in the municipality.

    Strengt fortrolig persons have no municipality with us; they are included (their municipality is unknown).
    """
    return [
        nid
        for nid in Person.objects.filter(birth_date__year__gte=year, national_id__isnull=False)
        .filter(Q(municipality_number=municipality_number) | Q(adressebeskyttelse=Adressebeskyttelse.STRENGT_FORTROLIG))
        .values_list("national_id", flat=True)
        if nid is not None
    ]


def placements_current_for_children(
    *, child_ids: Iterable[int], on: dt.date | None = None
) -> dict[int, list[Placement]]:
    """Return each child's placements that are valid on ``on`` (default today), with their unit."""
    day = on or clock.today()
    result: dict[int, list[Placement]] = {}
    for placement in Placement.objects.filter(
        active_on(day, fields=DATED), child_id__in=list(child_ids)
    ).select_related("unit"):
        result.setdefault(placement.child_id, []).append(placement)
    return result
