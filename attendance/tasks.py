"""Celery tasks of the attendance app (thin: they call services)."""

from __future__ import annotations

from celery import shared_task

from attendance import services


@shared_task(acks_late=True, time_limit=300, soft_time_limit=280)
def missing_arrivals_check() -> int:
    """Flag expected children not checked in and not reported absent (beat: every five minutes)."""
    return services.missing_arrivals_check()
