"""Kernel tasks."""

from __future__ import annotations

from celery import shared_task

from oas import health


@shared_task(name="oas.tasks.worker_heartbeat", ignore_result=True, time_limit=10)
def worker_heartbeat() -> None:
    """Record that a worker is alive; /healthz reads it."""
    health.heartbeat_record()
