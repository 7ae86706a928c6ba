"""Memberships beyond the kernel's ``Placement`` that put a child in a group (e.g. school teaching groups).

A child is in a class through their placement (``Placement.group``); a pupil is also a member of teaching groups
(undervisningsgrupper) that cross classes, which the school app keeps. A group role (group staff, contact teacher)
on such a group must reach exactly its members, so the app registers a *member source*: given org-unit path
prefixes and a day, it returns a ``values("child_id")``-shaped queryset of the children who are members of a group
in those subtrees on or after that day. ``oas.access.evaluation`` ORs these with the placements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet

MemberSource = Callable[[Sequence[str], dt.date], QuerySet[Any, Any]]

_sources: list[MemberSource] = []


def register_member_source(source: MemberSource) -> None:
    """Register a source of group members (idempotent: app reloads register once)."""
    if source not in _sources:
        _sources.append(source)


def member_sources() -> tuple[MemberSource, ...]:
    """Return the registered member sources."""
    return tuple(_sources)
