"""The interface other apps may use (plain dataclasses; never models)."""

from __future__ import annotations

from collections.abc import Iterable

from messaging.services.notifications import notify_persons


def notify(
    *,
    person_ids: Iterable[int],
    key: str,
    title: str,
    url: str,
    urgent: bool = False,
    staff: bool = False,
    unit_id: int | None = None,
) -> int:
    """Notify persons through their channels (idempotent per key).

    Staff notifications wait for working hours; guardians' non-urgent ones from a unit (``unit_id``) wait out
    the municipality's quiet hours.
    """
    return notify_persons(
        person_ids=person_ids, key=key, title=title, url=url, urgent=urgent, staff=staff, unit_id=unit_id
    )
