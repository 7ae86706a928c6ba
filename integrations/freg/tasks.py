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


@shared_task(
    name="integrations.freg.full_extract",
    ignore_result=True,
    acks_late=True,
    time_limit=6 * 3600,
    soft_time_limit=6 * 3600 - 300,
)
def freg_full_extract_task() -> None:
    """Extract the municipality's children again and repair what the feed missed (one sync at a time)."""
    from integrations.freg.sync import freg_full_extract_locked

    freg_full_extract_locked()
