"""Celery tasks for Folkeregisteret: thin wrappers around ``integrations.freg.sync``."""

from __future__ import annotations

from celery import shared_task


@shared_task(
    name="integrations.freg.sync_feed", ignore_result=True, acks_late=True, time_limit=1800, soft_time_limit=1700
)
def freg_sync_feed_task() -> None:
    """Read the feed from the persisted cursor to the head (resumable; one run at a time)."""
    from integrations.freg.sync import freg_sync_feed_locked

    freg_sync_feed_locked()
