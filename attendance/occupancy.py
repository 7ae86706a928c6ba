"""A kindergarten's occupancy, staffing norms and approved places, read from ``kindergarten``: attendance shows
them on the unit's occupancy page and in the leader's snapshot.

Attendance is a capability below the domain apps (pyproject.toml, import-linter layers), so it cannot import
``kindergarten``; kindergarten registers its readers in ``AppConfig.ready`` through
``attendance.public.occupancy_reader_register`` and ``attendance.public.approved_places_reader_register``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

# (unit_id=..., day=...) -> ``kindergarten.public.OccupancyReport`` (unit_id, name, day, total, departments)
OccupancyReader = Callable[..., Any]

_reader: list[OccupancyReader] = []


def occupancy_reader_register(reader: OccupancyReader) -> None:
    """Register the reader of a kindergarten's occupancy (kindergarten's ``AppConfig.ready``)."""
    _reader[:] = [reader]


def kindergarten_occupancy(*, unit_id: int, day: dt.date) -> Any:
    """Return a kindergarten's occupancy per department (under 3 = two places) with norms and gaps."""
    if not _reader:
        raise LookupError("No kindergarten occupancy reader is registered (kindergarten is not installed).")
    return _reader[0](unit_id=unit_id, day=day)


# (unit_ids=...) -> {unit_id: approved places}, in places (a child under 3 takes two), for the units that have them
ApprovedPlacesReader = Callable[..., dict[int, int]]

_places_reader: list[ApprovedPlacesReader] = []


def approved_places_reader_register(reader: ApprovedPlacesReader) -> None:
    """Register the reader of kindergartens' approved places (kindergarten's ``AppConfig.ready``)."""
    _places_reader[:] = [reader]


def approved_places(*, unit_ids: list[int]) -> dict[int, int]:
    """Return the approved places (godkjente plasser, under 3 = two places) of the units that have them registered."""
    if not _places_reader or not unit_ids:
        return {}
    return _places_reader[0](unit_ids=unit_ids)
