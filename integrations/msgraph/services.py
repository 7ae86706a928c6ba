"""Outbox handlers that write calendar events through the Graph port, and the calls that enqueue them.

Kinds: ``msgraph.event.put`` (create or update one event to the given revision), ``msgraph.event.delete`` and
``msgraph.occurrence`` (cancel or change one day of a series). Each handler is idempotent: a delivery whose revision
is not newer than the one applied does nothing, a create carries ``transactionId`` = the event's key (a retried
create after a crash returns the same event), a delete of something already gone is done.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from integrations.common.errors import PermanentError, TransientError
from integrations.models import GraphEvent
from integrations.msgraph.port import get_calendar_port
from integrations.outbox.registry import Delivery
from integrations.outbox.services import outbox_enqueue

PUT_KIND = "msgraph.event.put"
DELETE_KIND = "msgraph.event.delete"
OCCURRENCE_KIND = "msgraph.occurrence"


def office365_event_put(*, key: str, user: str, revision: int, event: dict[str, Any]) -> None:
    """Queue: the event ``key`` in ``user``'s calendar should look like ``event`` (call in the business transaction)."""
    outbox_enqueue(
        kind=PUT_KIND,
        payload={"key": key, "user": user, "revision": revision, "event": event},
        idempotency_key=f"msgraph:{key}:r{revision}",
    )


def office365_event_delete(*, key: str, user: str, revision: int) -> None:
    """Queue: the event ``key`` should no longer be in ``user``'s calendar."""
    outbox_enqueue(
        kind=DELETE_KIND,
        payload={"key": key, "user": user, "revision": revision},
        idempotency_key=f"msgraph:{key}:r{revision}",
    )


def office365_occurrence_change(
    *, series_key: str, user: str, day: dt.date, change_key: str, cancel: bool, changes: dict[str, Any] | None = None
) -> None:
    """Queue: on ``day`` the series ``series_key`` is cancelled (``cancel``) or changed (``changes``, e.g. location)."""
    outbox_enqueue(
        kind=OCCURRENCE_KIND,
        payload={
            "series_key": series_key,
            "user": user,
            "day": day.isoformat(),
            "cancel": cancel,
            "changes": changes or {},
        },
        idempotency_key=f"msgraph:occ:{change_key}",
    )


def _payload_int(delivery: Delivery, name: str) -> int:
    try:
        return int(delivery.payload[name])
    except (KeyError, TypeError, ValueError) as exc:
        raise PermanentError(f"msgraph: ugyldig innhold ({name})", system="msgraph") from exc


def event_put_deliver(delivery: Delivery) -> dict[str, Any]:
    """Create or update the event; the row lock serialises deliveries of one key."""
    key, user = str(delivery.payload["key"]), str(delivery.payload["user"])
    revision, event = _payload_int(delivery, "revision"), dict(delivery.payload["event"])
    port = get_calendar_port()
    try:
        with transaction.atomic():
            row, _created = GraphEvent.objects.select_for_update().get_or_create(key=key, defaults={"user": user})
            if row.deleted:
                # Deleted by a newer revision before this create arrived. If an earlier attempt of the create
                # reached Graph, the transactionId finds that event: remove it too.
                if not row.event_id:
                    ref = port.event_create(user=user, event=event, transaction_id=key)
                    port.event_delete(user=user, event_id=ref.id)
                return {"skipped": "deleted"}
            if row.revision >= revision and row.event_id:
                return {"skipped": "stale", "event_id": row.event_id}
            if row.event_id:
                try:
                    port.event_update(user=row.user, event_id=row.event_id, changes=event)
                    action = "updated"
                except PermanentError as exc:
                    if exc.status != 404:
                        raise
                    # Someone deleted it in Outlook: create it again (a fresh transactionId for this revision).
                    ref = port.event_create(user=user, event=event, transaction_id=f"{key}:r{revision}")
                    row.event_id, action = ref.id, "recreated"
            else:
                ref = port.event_create(user=user, event=event, transaction_id=key)
                row.event_id, action = ref.id, "created"
            row.user, row.revision = user, revision
            row.save(update_fields=["user", "revision", "event_id", "updated_at"])
            return {"action": action, "event_id": row.event_id}
    finally:
        port.close()


def event_delete_deliver(delivery: Delivery) -> dict[str, Any]:
    key, user = str(delivery.payload["key"]), str(delivery.payload["user"])
    revision = _payload_int(delivery, "revision")
    port = get_calendar_port()
    try:
        with transaction.atomic():
            row, _created = GraphEvent.objects.select_for_update().get_or_create(key=key, defaults={"user": user})
            if row.deleted and row.revision >= revision:
                return {"skipped": "already deleted"}
            gone = False
            if row.event_id:
                gone = port.event_delete(user=row.user, event_id=row.event_id)
            row.deleted, row.revision = True, max(row.revision, revision)
            row.save(update_fields=["deleted", "revision", "updated_at"])
            return {"action": "deleted" if gone else "absent", "event_id": row.event_id}
    finally:
        port.close()


def occurrence_deliver(delivery: Delivery) -> dict[str, Any]:
    """Cancel or change one day of a series; waits (transient) until the series itself has been created."""
    series_key = str(delivery.payload["series_key"])
    day = dt.date.fromisoformat(str(delivery.payload["day"]))
    row = GraphEvent.objects.filter(key=series_key).first()
    if row is not None and row.deleted:
        return {"skipped": "series deleted"}
    if row is None or not row.event_id:
        raise TransientError(f"msgraph: serien {series_key} er ikke opprettet ennå", system="msgraph", retry_after=30)
    port = get_calendar_port()
    try:
        found = port.occurrences(user=row.user, series_id=row.event_id, day=day)
        if not found:
            return {"action": "no occurrence"}
        ids = [str(o["id"]) for o in found]
        for occurrence_id in ids:
            if delivery.payload.get("cancel"):
                port.event_delete(user=row.user, event_id=occurrence_id)
            else:
                port.event_update(user=row.user, event_id=occurrence_id, changes=dict(delivery.payload["changes"]))
        return {"action": "cancelled" if delivery.payload.get("cancel") else "changed", "occurrences": ids}
    finally:
        port.close()


def register() -> None:
    """Register the handlers and the simulator (from IntegrationsConfig.ready)."""
    from integrations.common.simulators import register_simulator
    from integrations.msgraph.simulator import make_msgraph_simulator
    from integrations.outbox import register_handler

    register_handler(PUT_KIND, event_put_deliver)
    register_handler(DELETE_KIND, event_delete_deliver)
    register_handler(OCCURRENCE_KIND, occurrence_deliver)
    register_simulator("msgraph", factory=make_msgraph_simulator, order=45)
