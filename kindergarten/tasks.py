"""Celery tasks of the Barnehage domain (thin: the rules live in services)."""

from __future__ import annotations

from celery import shared_task

from kindergarten import letters, services


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


@shared_task(
    name="kindergarten.tasks.decision_letter_send",
    acks_late=True,
    ignore_result=True,
    time_limit=120,
    soft_time_limit=100,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def decision_letter_send_task(letter_id: int) -> bool:
    """Render, queue (SvarUt) and archive one decision letter (idempotent)."""
    return letters.decision_letter_send(letter_id=letter_id)


@shared_task(name="kindergarten.tasks.decision_letters_send_pending", acks_late=True, ignore_result=True)
def decision_letters_send_pending_task() -> int:
    """Send the letters still unsent (e.g. when the broker was down at publish time)."""
    return services.decision_letters_send_pending(limit=500, older_than_minutes=10)


@shared_task(
    name="kindergarten.tasks.application_archive",
    acks_late=True,
    ignore_result=True,
    time_limit=120,
    soft_time_limit=100,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def application_archive_task(application_id: int) -> int | None:
    """Archive a submitted application as journalpost I (idempotent)."""
    return letters.application_archive(application_id=application_id)
