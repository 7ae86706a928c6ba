"""The interface other apps may use (plain dataclasses; never models)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class BookedMeetingSlot:
    """A booked time in a parent meeting (foreldresamtale) of the calendar: who it is about and when."""

    slot_id: int
    event_id: int
    title: str
    unit_id: int | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    child_id: int
    booked_by_id: int | None


def booked_meeting_slots(*, child_ids: list[int], since: dt.datetime) -> list[BookedMeetingSlot]:
    """Return the booked slots of live parent meetings for these children from ``since``, by time (one query)."""
    from messaging.models import EventSlot

    rows = (
        EventSlot.objects.filter(
            child_id__in=child_ids, ends_at__gte=since, event__bookable=True, event__cancelled_at__isnull=True
        )
        .select_related("event")
        .order_by("starts_at")
    )
    return [
        BookedMeetingSlot(
            slot_id=s.pk,
            event_id=s.event_id,
            title=s.event.title,
            unit_id=s.event.unit_id,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            child_id=s.child_id,
            booked_by_id=s.booked_by_id,
        )
        for s in rows
        if s.child_id is not None
    ]
