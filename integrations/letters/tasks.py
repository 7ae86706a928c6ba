"""Beat task: poll SvarUt for letters not yet in a terminal state (thin; the work is in services)."""

from __future__ import annotations

from celery import shared_task

from integrations.letters.services import letters_poll_statuses


@shared_task(name="integrations.letters.poll_statuses", ignore_result=True, acks_late=True, time_limit=240)
def letters_poll_statuses_task() -> int:
    """Poll due letters; errors are recorded on the run and retried by the next beat tick."""
    return letters_poll_statuses().polled
