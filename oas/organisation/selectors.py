"""Reads of the organisation tree."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from oas.organisation.models import OrgUnit
from oas.periods import active_on


def orgunit_subtree(*, unit: OrgUnit, include_self: bool = True) -> QuerySet[OrgUnit]:
    """Return the unit and everything under it (one indexed prefix query)."""
    qs = OrgUnit.objects.filter(path__startswith=unit.path)
    return qs if include_self else qs.exclude(pk=unit.pk)


def orgunit_ancestor_ids(*, unit: OrgUnit) -> list[int]:
    """Return the ids on the path from the root to ``unit`` (inclusive)."""
    return [int(part) for part in unit.path.strip("/").split("/") if part]


def orgunits_active(*, on: dt.date) -> QuerySet[OrgUnit]:
    """Return units valid on ``on``."""
    return OrgUnit.objects.filter(active_on(on))
