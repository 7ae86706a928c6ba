"""Celery tasks of the Barnehage domain (thin: the rules live in services).

Decision letters and archive entries are outbox rows (``kindergarten.letters``), not tasks of their own.
"""

from __future__ import annotations

from celery import shared_task

from kindergarten import services


@shared_task(
    name="kindergarten.tasks.offers_expire",
    acks_late=True,
    ignore_result=True,
    time_limit=300,
    soft_time_limit=280,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
)
def offers_expire_task() -> int:
    """Expire unanswered offers past their deadline and move the waiting lists on (idempotent)."""
    return services.offers_expire()
