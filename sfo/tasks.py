"""Celery tasks of the SFO domain (thin: the rules live in services and letters)."""

from __future__ import annotations

from celery import shared_task

from sfo import letters


@shared_task(
    name="sfo.tasks.decision_letter_send",
    acks_late=True,
    ignore_result=True,
    time_limit=120,
    soft_time_limit=100,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def sfo_decision_letter_send_task(application_id: int) -> int:
    """Render, queue (SvarUt) and archive the decision of one SFO application (idempotent)."""
    return letters.sfo_decision_letter_send(application_id=application_id)
