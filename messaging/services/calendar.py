"""Calendar: events for a unit/group or the municipality, parent-meeting slots, private ICS feeds."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from messaging.models import CalendarFeedToken, Event, EventSlot
from oas import clock
from oas.access.evaluation import has_action
from oas.access.getters import AccessNotFound
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import Conflict, NotFound, PermissionDenied, ValidationError
from oas.organisation.models import Municipality, OrgUnit

if TYPE_CHECKING:
    from oas.access.principal import Actor

EVENT_MANAGE = "messaging.event.manage"
MIN_SLOT_MINUTES = 5
MAX_SLOT_MINUTES = 240
MAX_SLOTS = 100


def _event_target(*, user: Actor, unit_id: int | None, municipality_id: int | None) -> tuple[OrgUnit | None, Any]:
    """Resolve and authorise the event's audience: one unit/group, or the whole municipality (sector roles)."""
    if (unit_id is None) == (municipality_id is None):
        raise ValidationError(_("Velg enten en enhet eller hele kommunen."), fields={"unit": [_("Velg mottakere.")]})
    if municipality_id is not None:
        municipality = Municipality.objects.filter(pk=municipality_id).first()
        top = OrgUnit.objects.filter(municipality_id=municipality_id, parent__isnull=True).first()
        if municipality is None or top is None or not has_action(user=user, action=EVENT_MANAGE, target=top):
            raise PermissionDenied(_("Du kan ikke legge inn hendelser for hele kommunen."))
        return None, municipality
    unit = OrgUnit.objects.filter(pk=unit_id or 0).first()
    if unit is None or not has_action(user=user, action=EVENT_MANAGE, target=unit):
        raise PermissionDenied(_("Du kan ikke legge inn hendelser for denne enheten."))
    return unit, None


def _slots(*, event: Event, slot_minutes: int, slot_count: int | None) -> list[EventSlot]:
    if slot_minutes < MIN_SLOT_MINUTES or slot_minutes > MAX_SLOT_MINUTES:
        raise ValidationError(
            _("Timene må vare 5–240 minutter."), fields={"slot_minutes": [_("Velg mellom 5 og 240 minutter.")]}
        )
    step = dt.timedelta(minutes=slot_minutes)
    slots: list[EventSlot] = []
    at = event.starts_at
    while at + step <= event.ends_at and (slot_count is None or len(slots) < slot_count):
        slots.append(EventSlot(event=event, starts_at=at, ends_at=at + step))
        at += step
    if not slots:
        raise ValidationError(_("Møtet er for kort for én time."), fields={"slot_minutes": [_("For lange timer.")]})
    return slots


def event_create(
    *,
    user: Actor,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    unit_id: int | None = None,
    municipality_id: int | None = None,
    description: str = "",
    location: str = "",
    slot_minutes: int | None = None,
    slot_count: int | None = None,
) -> Event:
    """Create an event for a unit/group or (sector roles) the municipality.

    With ``slot_minutes`` it becomes a parent meeting with bookable slots; with ``slot_count`` too, exactly N
    slots of M minutes are generated from ``starts_at`` (and ``ends_at`` follows from them).
    """
    unit, municipality = _event_target(user=user, unit_id=unit_id, municipality_id=municipality_id)
    if slot_count is not None:
        if not slot_minutes or slot_count < 1 or slot_count > MAX_SLOTS:
            raise ValidationError(_("Velg 1–100 timer med lengde."), fields={"slot_count": [_("Ugyldig antall.")]})
        ends_at = starts_at + dt.timedelta(minutes=slot_minutes * slot_count)
    if ends_at is None or starts_at >= ends_at:
        raise ValidationError(_("Slutt må være etter start."), fields={"ends_at": [_("Må være etter start.")]})
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationError(_("Tittelen må ha 1–200 tegn."), fields={"title": [_("Ugyldig tittel.")]})
    with transaction.atomic():
        event = Event(
            title=title,
            description=description,
            unit=unit,
            municipality=municipality,
            starts_at=starts_at,
            ends_at=ends_at,
            location=location,
            bookable=bool(slot_minutes),
            created_at=clock.now(),
        )
        event.full_clean()
        event.save()
        if slot_minutes:
            EventSlot.objects.bulk_create(_slots(event=event, slot_minutes=slot_minutes, slot_count=slot_count))
        audit_record(
            action="create",
            event="messaging.event.create",
            object_type="messaging.event",
            object_id=event.pk,
            user_id=user.pk,
        )
    return event


def event_may_manage(*, user: Actor, event: Event) -> bool:
    """Whether the user may edit or cancel the event (same rule as creating it for that audience)."""
    if event.unit_id is not None:
        return has_action(user=user, action=EVENT_MANAGE, target=event.unit)
    top = OrgUnit.objects.filter(municipality_id=event.municipality_id or 0, parent__isnull=True).first()
    return top is not None and has_action(user=user, action=EVENT_MANAGE, target=top)


def access_event(*, user: Actor, id: int, lock: bool = False) -> Event:
    """Return a live event the user may edit or cancel (locked when ``lock``); else ``AccessNotFound`` (logged)."""
    events = Event.objects.select_for_update(of=("self",)) if lock else Event.objects.all()
    event = events.select_related("unit").filter(pk=id, cancelled_at__isnull=True).first()
    if event is None or not event_may_manage(user=user, event=event):
        audit_record(
            action=AuditAction.DENIED,
            event=f"{EVENT_MANAGE}.denied",
            object_type="messaging.event",
            object_id=id,
            details={"action": EVENT_MANAGE, "exists": event is not None},
            user_id=getattr(user, "pk", None),
        )
        raise AccessNotFound(_("Fant ikke hendelsen."))
    return event


def _touch(event: Event) -> None:
    """Mark a change for subscribed calendars: iCalendar SEQUENCE + 1 and a new LAST-MODIFIED/DTSTAMP."""
    event.sequence += 1
    event.updated_at = clock.now()


def event_update(
    *,
    user: Actor,
    event_id: int,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    description: str = "",
    location: str = "",
) -> Event:
    """Change an event's text and time; a booked parent meeting keeps its times (slots are not moved)."""
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationError(_("Tittelen må ha 1–200 tegn."), fields={"title": [_("Ugyldig tittel.")]})
    if starts_at >= ends_at:
        raise ValidationError(_("Slutt må være etter start."), fields={"ends_at": [_("Må være etter start.")]})
    with transaction.atomic():
        event = access_event(user=user, id=event_id, lock=True)
        if event.bookable and (starts_at, ends_at) != (event.starts_at, event.ends_at):
            if event.slots.filter(child__isnull=False).exists():
                raise Conflict(_("Tidene kan ikke endres når foresatte har bestilt timer. Avlys og lag et nytt møte."))
            first, last = event.slots.order_by("starts_at").first(), event.slots.order_by("ends_at").last()
            if first is not None and last is not None:
                minutes = int((first.ends_at - first.starts_at).total_seconds() // 60)
                event.slots.all().delete()
                event.starts_at, event.ends_at = starts_at, ends_at
                EventSlot.objects.bulk_create(_slots(event=event, slot_minutes=minutes, slot_count=None))
        changed = (event.title, event.description, event.location, event.starts_at, event.ends_at) != (
            title,
            description,
            location,
            starts_at,
            ends_at,
        )
        event.title, event.description, event.location = title, description, location
        event.starts_at, event.ends_at = starts_at, ends_at
        if changed:
            _touch(event)
        event.full_clean()
        event.save()
        audit_record(
            action="update",
            event="messaging.event.update",
            object_type="messaging.event",
            object_id=event.pk,
            user_id=user.pk,
        )
    return event


def event_cancel(*, user: Actor, event_id: int) -> list[int]:
    """Cancel an event and notify the guardians who had booked a slot; return their ids.

    The event is kept, marked cancelled with a higher SEQUENCE: the ICS feed then carries it with
    STATUS:CANCELLED, which is the only way Outlook, Google and Apple calendars learn that a subscribed event
    is off (an event that merely disappears from a feed often stays in them). Pages and booking ignore it.
    The notifications are written in the same transaction, so a cancelled meeting is never left unannounced.
    """
    from messaging.services.notifications import notify_persons

    with transaction.atomic():
        event = access_event(user=user, id=event_id, lock=True)
        booked = [
            int(pid) for pid in event.slots.filter(booked_by__isnull=False).values_list("booked_by_id", flat=True)
        ]
        event.cancelled_at = clock.now()
        _touch(event)
        event.save(update_fields=["cancelled_at", "sequence", "updated_at"])
        audit_record(
            action="update",
            event="messaging.event.cancel",
            object_type="messaging.event",
            object_id=event.pk,
            user_id=user.pk,
        )
        if booked:
            notify_persons(
                person_ids=booked,
                key=f"event-cancel-{event.pk}",
                title=_("En foreldresamtale du hadde bestilt er avlyst"),
                url=reverse("messaging:calendar"),
            )
    return booked


def calendar_act(*, user: Actor, op: str, slot: str = "", child: str = "") -> None:
    """Carry out one calendar form action: a new or no feed link, book or cancel a parent-meeting slot."""
    if op == "ny-lenke":
        feed_token_create(user=user)
    elif op == "slett-lenke":
        feed_token_revoke(user=user)
    elif op in ("bestill", "avbestill"):
        if not slot.isdigit() or (op == "bestill" and not child.isdigit()):
            raise ValidationError(_("Ugyldig skjema."), code="form")
        if op == "bestill":
            slot_book(user=user, slot_id=int(slot), child_id=int(child))
        else:
            slot_cancel(user=user, slot_id=int(slot))


def slot_book(*, user: Actor, slot_id: int, child_id: int) -> EventSlot:
    """Book a parent-meeting slot for one's child (one slot per child per meeting)."""
    from messaging.selectors import guardian_children_units

    units = guardian_children_units(user=user)
    with transaction.atomic():
        slot = (
            EventSlot.objects.select_for_update(of=("self",)).select_related("event__unit").filter(pk=slot_id).first()
        )
        if slot is None or slot.event.unit is None or slot.event.cancelled_at is not None:
            raise NotFound(_("Fant ikke timen."))
        paths = units.get(child_id, [])
        if not any(p.startswith(slot.event.unit.path) for p in paths):
            raise NotFound(_("Fant ikke timen."))
        if slot.child_id is not None:
            raise Conflict(_("Timen er allerede tatt."))
        from oas.access.principal import principal_for

        slot.booked_by_id = principal_for(user).person_id
        slot.child_id = child_id
        try:
            with transaction.atomic():
                slot.save(update_fields=["booked_by", "child"])
        except IntegrityError:
            raise Conflict(_("Du har allerede bestilt en time til dette møtet.")) from None
    return slot


def slot_cancel(*, user: Actor, slot_id: int) -> EventSlot:
    """Cancel one's own booking (the slot is free again); someone else's booking is not found."""
    from oas.access.principal import principal_for

    person_id = principal_for(user).person_id
    with transaction.atomic():
        slot = EventSlot.objects.select_for_update().filter(pk=slot_id).first()
        if slot is None or person_id is None or slot.booked_by_id != person_id:
            raise NotFound(_("Fant ikke timen."))
        slot.booked_by = None
        slot.child = None
        slot.save(update_fields=["booked_by", "child"])
    return slot


def feed_token_create(*, user: Actor) -> CalendarFeedToken:
    """Revoke the user's current ICS token (if any) and issue a new one."""
    with transaction.atomic():
        CalendarFeedToken.objects.filter(user_id=user.pk, revoked_at__isnull=True).update(revoked_at=clock.now())
        return CalendarFeedToken.objects.create(user_id=user.pk, created_at=clock.now())


def feed_token_revoke(*, user: Actor) -> None:
    """Revoke the user's ICS token: the subscription URL answers 404 from now on."""
    CalendarFeedToken.objects.filter(user_id=user.pk, revoked_at__isnull=True).update(revoked_at=clock.now())
