"""The interface other apps may use (plain dataclasses; never models)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from attendance import selectors
from attendance.occupancy import (  # noqa: F401 - kindergarten registers its readers
    ApprovedPlacesReader,
    OccupancyReader,
    approved_places_reader_register,
    occupancy_reader_register,
)
from attendance.occupancy import approved_places as _approved_places


@dataclass(frozen=True)
class AbsenceDay:
    child_id: int
    kind: str
    until: dt.date | None
    report_id: int = 0


def absent_children_on(*, child_ids: list[int], day: dt.date) -> list[AbsenceDay]:
    """Return the children among ``child_ids`` reported absent on ``day``."""
    found = selectors.absences_covering(child_ids=child_ids, day=day)
    return [AbsenceDay(child_id=cid, kind=r.kind, until=r.end_date, report_id=r.pk) for cid, r in sorted(found.items())]


def is_expected_day(day: dt.date) -> bool:
    """Return whether pupils and children may be expected on ``day``: a weekday that is not a public holiday."""
    return selectors.is_expected_day(day)


def approved_places(*, unit_ids: list[int]) -> dict[int, int]:
    """Return the approved places (godkjente plasser) of the given units that have them registered, by unit id.

    The figures are the kindergarten's own (``KindergartenUnitDetail``), in places: a child under 3 takes two, as in
    the occupancy calculation, so approved places = 2 × places 0–2 år + places 3–5 år.
    """
    return _approved_places(unit_ids=unit_ids)
