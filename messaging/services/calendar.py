"""Calendar: events for a unit/group or the municipality, parent-meeting slots, private ICS feeds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from messaging.models import CalendarFeedToken, Event, EventSlot
from oas import clock
from oas.access.evaluation import has_action
from oas.audit.services import audit_record
from oas.errors import Conflict, NotFound, PermissionDenied, ValidationError
from oas.organisation.models import OrgUnit

EVENT_MANAGE = "messaging.event.manage"


def event_create(
    *,
    user: Any,
    unit_id: int,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    description: str = "",
    location: str = "",
    slot_minutes: int | None = None,
) -> Event:
    """Create an event for a unit or group; with ``slot_minutes`` it becomes a parent meeting with slots."""
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None or not has_action(user=user, action=EVENT_MANAGE, target=unit):
        raise PermissionDenied("Du kan ikke legge inn hendelser for denne enheten.")
    if starts_at >= ends_at:
        raise ValidationError("Slutt må være etter start.", fields={"ends_at": ["Må være etter start."]})
    with transaction.atomic():
        event = Event(
            title=(title or "").strip()[:200],
            description=description,
            unit=unit,
            starts_at=starts_at,
            ends_at=ends_at,
            location=location,
            bookable=bool(slot_minutes),
            created_at=clock.now(),
        )
        event.full_clean()
        event.save()
        if slot_minutes:
            if slot_minutes < 5:
                raise ValidationError("Timene må vare minst 5 minutter.")
            step = dt.timedelta(minutes=slot_minutes)
            at = starts_at
            slots = []
            while at + step <= ends_at:
                slots.append(EventSlot(event=event, starts_at=at, ends_at=at + step))
                at += step
            EventSlot.objects.bulk_create(slots)
        audit_record(
            action="create",
            event="messaging.event.create",
            object_type="messaging.event",
            object_id=event.pk,
            user_id=user.pk,
        )
    return event


def slot_book(*, user: Any, slot_id: int, child_id: int) -> EventSlot:
    """Book a parent-meeting slot for one's child (one slot per child per meeting)."""
    from messaging.selectors import guardian_children_units

    units = guardian_children_units(user=user)
    with transaction.atomic():
        slot = (
            EventSlot.objects.select_for_update(of=("self",)).select_related("event__unit").filter(pk=slot_id).first()
        )
        if slot is None or slot.event.unit is None:
            raise NotFound("Fant ikke timen.")
        paths = units.get(child_id, [])
        if not any(p.startswith(slot.event.unit.path) for p in paths):
            raise NotFound("Fant ikke timen.")
        if slot.child_id is not None:
            raise Conflict("Timen er allerede tatt.")
        from oas.access.principal import principal_for

        slot.booked_by_id = principal_for(user).person_id
        slot.child_id = child_id
        try:
            with transaction.atomic():
                slot.save(update_fields=["booked_by", "child"])
        except IntegrityError:
            raise Conflict("Du har allerede bestilt en time til dette møtet.") from None
    return slot


def feed_token_create(*, user: Any) -> CalendarFeedToken:
    """Revoke the user's current ICS token (if any) and issue a new one."""
    with transaction.atomic():
        CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=clock.now())
        return CalendarFeedToken.objects.create(user=user, created_at=clock.now())


def feed_token_revoke(*, user: Any) -> None:
    """Revoke the user's ICS token: the subscription URL answers 404 from now on."""
    CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=clock.now())
