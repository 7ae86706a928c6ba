""" "Active on a day" and "overlapping a period", written once.

Kernel tables carry their validity in one of two shapes:

- ``VALID``: ``valid_from`` / ``valid_to`` (relations, employments, roles, org units, group memberships, rates);
- ``DATED``: ``start_date`` / ``end_date`` (placements, absence reports, closing days).

The end is inclusive and empty means "until further notice". Use these instead of writing the filter by hand::

    Placement.objects.filter(active_on(today, fields=DATED), unit=unit)
    PersonRelation.objects.filter(active_on(day), child=child)
    Placement.objects.filter(overlapping(first, last, fields=DATED, prefix="group_placements__"))
    Placement.objects.filter(current_or_future(today, fields=DATED), child=child)
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

VALID = ("valid_from", "valid_to")
DATED = ("start_date", "end_date")


def active_on(day: dt.date, *, fields: tuple[str, str] = VALID, prefix: str = "") -> Q:
    """Return a filter for rows whose period contains ``day`` (an open end runs on)."""
    start, end = fields
    return Q(**{f"{prefix}{start}__lte": day}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": day})
    )


def overlapping(first: dt.date, last: dt.date, *, fields: tuple[str, str] = VALID, prefix: str = "") -> Q:
    """Return a filter for rows whose period shares at least one day with ``first``..``last`` (inclusive)."""
    start, end = fields
    return Q(**{f"{prefix}{start}__lte": last}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": first})
    )


def current_or_future(day: dt.date, *, fields: tuple[str, str] = VALID, prefix: str = "") -> Q:
    """Return a filter for rows whose period has not ended before ``day``: active on it, or starting later."""
    _start, end = fields
    return Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": day})
