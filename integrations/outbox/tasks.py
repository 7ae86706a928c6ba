"""Celery tasks of the outbox: thin, IDs in, state re-read, idempotent (house style rule 8)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from celery import shared_task

from integrations.common.errors import IntegrationError
from integrations.models import OutboxMessage, OutboxStatus
from integrations.outbox import services
from integrations.outbox.registry import Delivery, get_handler
from integrations.outbox.services import Claim, outbox_mark_delivered, outbox_mark_failed

logger = logging.getLogger(__name__)


@shared_task(
    name="integrations.outbox.claim_due", ignore_result=True, acks_late=True, time_limit=60, soft_time_limit=50
)
def outbox_claim_due_task() -> int:
    """Claim due rows and hand each to a delivery task; release a claim when the broker refuses it."""
    claims = services.outbox_claim_due()
    published = 0
    try:
        if claims:
            deliver: Any = outbox_deliver  # celery-types does not know apply_async(connection=...)
            with services.broker_connection() as conn:
                for claim in claims:
                    deliver.apply_async(args=(claim.message_id, claim.claim_token), retry=False, connection=conn)
                    published += 1
    except Exception as exc:  # broker gone: give the rest back, beat tries again
        logger.warning("outbox: could not queue %d deliveries (%s); releasing", len(claims) - published, exc)
        for claim in claims[published:]:
            services.outbox_release(claim=claim)
    return len(claims)


@shared_task(
    name="integrations.outbox.deliver",
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=300,
    soft_time_limit=240,
    max_retries=0,
)
def outbox_deliver(message_id: int, claim_token: str) -> str:
    """Deliver one claimed row through its handler; a stale claim or vanished row is a no-op."""
    return outbox_deliver_now(message_id=message_id, claim_token=claim_token)


def outbox_deliver_now(*, message_id: int, claim_token: str) -> str:  # noqa: PLR0911 - one outcome per branch
    """Run the handler for a claimed row and record the outcome (also used directly by tests and commands)."""
    message = OutboxMessage.objects.filter(id=message_id).first()
    if message is None:
        return "vanished"
    if message.status != OutboxStatus.IN_PROGRESS or str(message.claim_token) != str(uuid.UUID(claim_token)):
        return "stale"
    claim = Claim(message_id=message_id, claim_token=claim_token)
    handler = get_handler(message.kind)
    if handler is None:
        return outbox_mark_failed(
            claim=claim, error=f"Ingen mottaker er registrert for typen «{message.kind}».", permanent=True
        )
    delivery = Delivery(
        message_id=message.id,
        kind=message.kind,
        payload=message.payload,
        idempotency_key=message.idempotency_key,
        attempt=message.attempts,
    )
    try:
        result = handler(delivery)
    except IntegrationError as exc:
        return outbox_mark_failed(
            claim=claim,
            error=exc.message,
            permanent=not exc.transient,
            retry_after=getattr(exc, "retry_after", None),
        )
    except Exception as exc:  # a bug in a handler: retry (bounded), the dead letter shows it
        logger.exception("outbox: handler for %s crashed", message.kind)
        return outbox_mark_failed(claim=claim, error=f"{type(exc).__name__}: {exc}", permanent=False)
    if not outbox_mark_delivered(claim=claim, result=result):
        logger.warning("outbox: %s delivered but the claim was lost meanwhile", message_id)
        return "lost"
    return OutboxStatus.DELIVERED
