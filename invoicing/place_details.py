"""Place details invoicing prices by, read by the domain app that owns them.

Invoicing is a capability below the domain apps (pyproject.toml, import-linter layers), so it cannot import
``kindergarten`` or ``sfo``. Each of them registers its reader in ``AppConfig.ready`` through
``invoicing.public.place_details_register``; the calculation asks here, one query per service and month.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.db.models import QuerySet

from oas.people.models import Service

# (placement_ids=...) -> {placement_id: details}; kindergarten: ``kindergarten.public.PlaceSize`` (kind, value,
# weekly_hours), SFO: ``sfo.public.SfoPlace`` (place_type, hours_per_week).
PlaceDetailsReader = Callable[..., Mapping[int, Any]]

_readers: dict[str, PlaceDetailsReader] = {}


def place_details_register(*, service: str, reader: PlaceDetailsReader) -> None:
    """Register the reader of one service's place details (the domain app's ``AppConfig.ready``)."""
    _readers[service] = reader


def place_details(*, service: str, placement_ids: Iterable[int] | QuerySet[Any]) -> dict[int, Any]:
    """Return the details of many kernel placements of one service, by placement id."""
    reader = _readers.get(service)
    if reader is None:
        raise LookupError(f"No place-details reader is registered for the service {service!r}.")
    return dict(reader(placement_ids=placement_ids))


def placement_sizes(*, placement_ids: Iterable[int] | QuerySet[Any]) -> dict[int, Any]:
    """The size (and agreed weekly hours) of many kindergarten placements (``kindergarten.public.PlaceSize``)."""
    return place_details(service=Service.KINDERGARTEN, placement_ids=placement_ids)


def sfo_places(*, placement_ids: Iterable[int] | QuerySet[Any]) -> dict[int, Any]:
    """The place type (and hours per week) of many SFO placements (``sfo.public.SfoPlace``)."""
    return place_details(service=Service.SFO, placement_ids=placement_ids)
