"""Writes to the outbox: enqueue, claim (``lease.py``, shared with messaging's deliveries), complete, retry.

Delivery itself happens in ``tasks.py``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from integrations.models import OutboxMessage, OutboxStatus
from integrations.outbox.lease import Leased, backoff_seconds, lease_bury_abandoned, lease_claim
from oas import clock
from oas.errors import Conflict, ValidationError

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True)
class Claim:
    message_id: int
    claim_token: str


@contextlib.contextmanager
def broker_connection() -> Iterator[Any]:
    """A broker connection that fails within about a second if Redis is unreachable.

    kombu's default is to retry the connection for several seconds, which would stall the request that
    committed the business transaction; the outbox row is safe in PostgreSQL, so failing fast is right.
    """
    from oas.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=1)
        yield conn


def publish_or_raise(task: Any, *, args: tuple[Any, ...] = ()) -> None:
    """Queue ``task`` on the broker or raise quickly (see ``broker_connection``)."""
    with broker_connection() as conn:
        task.apply_async(args=args, retry=False, connection=conn)


def _kick_claimer() -> None:
    """Ask a worker to claim now instead of waiting for beat; if Redis is down, beat picks it up later."""
    try:
        from integrations.outbox.tasks import outbox_claim_due_task

        publish_or_raise(outbox_claim_due_task)
    except Exception as exc:  # broker unavailable: the row is safe in PostgreSQL
        logger.warning("outbox: could not signal the claimer (%s); beat will claim the row", exc)


def outbox_enqueue(
    *, kind: str, payload: dict[str, Any], idempotency_key: str, deliver_after: dt.datetime | None = None
) -> OutboxMessage:
    """Write a delivery in the current transaction; the same ``idempotency_key`` never makes a second row."""
    if not kind or not idempotency_key:
        raise ValidationError(_("Outbox-meldinger må ha type og idempotensnøkkel."))
    if len(idempotency_key) > 200:
        raise ValidationError(_("Idempotensnøkkelen er for lang (maks 200 tegn)."))
    due = deliver_after or clock.now()
    try:
        with transaction.atomic():
            message, created = OutboxMessage.objects.get_or_create(
                idempotency_key=idempotency_key,
                defaults={"kind": kind, "payload": payload, "next_attempt_at": due},
            )
    except IntegrityError:  # lost a race with a concurrent enqueue of the same key
        message, created = OutboxMessage.objects.get(idempotency_key=idempotency_key), False
    if not created and message.kind != kind:
        raise Conflict(
            _("Idempotensnøkkelen %(key)s er allerede brukt for %(kind)s.")
            % {"key": idempotency_key, "kind": message.kind}
        )
    if created and due <= clock.now():
        transaction.on_commit(_kick_claimer)
    return message


OUTBOX = Leased(
    model=OutboxMessage,
    pending=OutboxStatus.PENDING,
    in_progress=OutboxStatus.IN_PROGRESS,
    dead=OutboxStatus.DEAD,
    due_field="next_attempt_at",
)


def outbox_bury_abandoned(*, now: dt.datetime) -> int:
    """Make dead letters of claims whose lease ran out after the last allowed attempt (see ``lease``)."""
    reason = _("Ga opp etter %(attempts)s forsøk: arbeideren stoppet under leveringen (leieavtalen løp ut).") % {
        "attempts": settings.OUTBOX_MAX_ATTEMPTS
    }
    buried = lease_bury_abandoned(
        spec=OUTBOX,
        max_attempts=settings.OUTBOX_MAX_ATTEMPTS,
        reason=reason,
        also_set={"dead_at": now, "updated_at": now},
    )
    for _id, kind, key in OutboxMessage.objects.filter(pk__in=buried).values_list("id", "kind", "idempotency_key"):
        logger.error("outbox: %s %s is a dead letter: %s", kind, key, reason)
    return len(buried)


def outbox_claim_due(*, limit: int = 100) -> list[Claim]:
    """Claim due rows (pending and due, or in progress with an expired lease) through the shared lease claim.

    The claim counts the attempt; an expired claim that already used the last attempt becomes a dead letter
    (``outbox_bury_abandoned``) instead of being claimed again.
    """
    now = clock.now()
    outbox_bury_abandoned(now=now)
    claims = lease_claim(
        spec=OUTBOX,
        limit=limit,
        lease_seconds=settings.OUTBOX_LEASE_SECONDS,
        max_attempts=settings.OUTBOX_MAX_ATTEMPTS,
        also_set={"updated_at": now},
    )
    return [Claim(message_id=c.row_id, claim_token=c.claim_token) for c in claims]


def outbox_release(*, claim: Claim) -> None:
    """Give a claim back untouched (the worker could not even be asked, e.g. Redis was down)."""
    OutboxMessage.objects.filter(
        id=claim.message_id, status=OutboxStatus.IN_PROGRESS, claim_token=uuid.UUID(claim.claim_token)
    ).update(
        status=OutboxStatus.PENDING,
        claim_token=None,
        lease_expires_at=None,
        next_attempt_at=clock.now(),
        updated_at=clock.now(),
        attempts=F("attempts") - 1,  # the claim counted an attempt that never happened
    )


def outbox_mark_delivered(*, claim: Claim, result: dict[str, Any] | None) -> bool:
    """Record success; False if the claim was lost meanwhile (the lease expired and someone reclaimed it)."""
    now = clock.now()
    updated = OutboxMessage.objects.filter(
        id=claim.message_id, status=OutboxStatus.IN_PROGRESS, claim_token=uuid.UUID(claim.claim_token)
    ).update(
        status=OutboxStatus.DELIVERED,
        delivered_at=now,
        result=result or {},
        claim_token=None,
        lease_expires_at=None,
        last_error="",
        updated_at=now,
    )
    return bool(updated)


def outbox_mark_failed(*, claim: Claim, error: str, permanent: bool, retry_after: float | None = None) -> str:
    """Schedule a retry with backoff, or make it a dead letter; return the new status."""
    now = clock.now()
    message = OutboxMessage.objects.filter(
        id=claim.message_id, status=OutboxStatus.IN_PROGRESS, claim_token=uuid.UUID(claim.claim_token)
    ).first()
    if message is None:
        return "lost"
    error = error[:MAX_ERROR_LENGTH]
    if permanent or message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        reason = (
            error
            if permanent
            else (
                _("Ga opp etter %(attempts)s forsøk. Siste feil: %(error)s")
                % {"attempts": message.attempts, "error": error}
            )
        )
        OutboxMessage.objects.filter(id=message.id, claim_token=message.claim_token).update(
            status=OutboxStatus.DEAD,
            dead_at=now,
            last_error=reason,
            claim_token=None,
            lease_expires_at=None,
            updated_at=now,
        )
        logger.error("outbox: %s %s is a dead letter: %s", message.kind, message.idempotency_key, reason)
        return OutboxStatus.DEAD
    delay = backoff_seconds(attempts=message.attempts, retry_after=retry_after)
    OutboxMessage.objects.filter(id=message.id, claim_token=message.claim_token).update(
        status=OutboxStatus.PENDING,
        next_attempt_at=now + dt.timedelta(seconds=delay),
        last_error=error,
        claim_token=None,
        lease_expires_at=None,
        updated_at=now,
    )
    return OutboxStatus.PENDING


def outbox_retry(*, message_ids: list[int]) -> int:
    """Put dead letters (or stuck rows) back in the queue with a fresh attempt budget; return how many."""
    now = clock.now()
    count = OutboxMessage.objects.filter(id__in=message_ids, status=OutboxStatus.DEAD).update(
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, dead_at=None, updated_at=now
    )
    if count:
        transaction.on_commit(_kick_claimer)
    return count
