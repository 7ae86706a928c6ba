"""Celery tasks of Kommunikasjon med hjemmet (thin: the rules live in services)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from integrations.public import broker_connection
from messaging.services import delivery, notices, notifications


@shared_task(
    name="messaging.deliveries_dispatch", acks_late=True, ignore_result=True, time_limit=120, soft_time_limit=100
)
def deliveries_dispatch() -> int:
    """Queue the due deliveries in batches (never one task per person); beat runs it, so nothing due is missed.

    Nothing is claimed here: each batch task claims its rows when it starts (a lease that starts while the batch
    still waits in the queue would run out under it). A batch queued twice is harmless: the second claim finds
    nothing.
    """
    batches = notifications.deliveries_dispatch_batches()
    if batches:
        send: Any = deliver_batch  # celery-types does not know apply_async(connection=...)
        with broker_connection() as conn:
            for ids in batches:
                send.apply_async(args=(ids,), retry=False, connection=conn)
    return len(batches)


@shared_task(
    name="messaging.deliver_batch",
    acks_late=True,
    ignore_result=True,
    time_limit=300,
    soft_time_limit=280,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
)
def deliver_batch(ids: list[int]) -> dict[str, int]:
    """Send one batch of deliveries (idempotent: only rows this worker claims are sent)."""
    return delivery.deliveries_send(ids=ids)


@shared_task(name="messaging.notices_send_due", acks_late=True, ignore_result=True, time_limit=300, soft_time_limit=280)
def notices_send_due() -> int:
    """Send scheduled notices whose time has come."""
    return notices.notices_send_due()


@shared_task(name="messaging.digests_send", acks_late=True, ignore_result=True, time_limit=300, soft_time_limit=280)
def digests_send() -> int:
    """Send staff who chose a daily digest one e-mail with how many notifications wait (hourly; once a day)."""
    return notifications.digests_send()
