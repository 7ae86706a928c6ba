"""The interface other apps may use (plain dataclasses; never models)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from attendance import selectors
from attendance.models import UnitCapacity
from attendance.occupancy import OccupancyReader, occupancy_reader_register  # noqa: F401 - kindergarten registers


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
    """Return the approved places (godkjente plasser) of the given units that have them registered, by unit id."""
    return dict(UnitCapacity.objects.filter(unit_id__in=unit_ids).values_list("unit_id", "approved_places"))
