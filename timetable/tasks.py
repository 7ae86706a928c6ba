"""Celery tasks of the timetable (thin: the rules live in services)."""

from __future__ import annotations

from celery import shared_task

from timetable import services


@shared_task(name="timetable.run_generate", acks_late=True, ignore_result=True, time_limit=900, soft_time_limit=880)
def run_generate(run_id: int) -> str:
    """Generate the timetable of one queued run (a run already taken or cancelled is left alone)."""
    run = services.run_execute(run_id=run_id)
    return run.status if run else "vanished"
