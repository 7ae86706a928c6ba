"""Kernel tasks."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready

from oas import health


@shared_task(name="oas.tasks.worker_heartbeat", ignore_result=True, time_limit=10, soft_time_limit=8)
def worker_heartbeat() -> None:
    """Record that a worker is alive; /healthz reads it."""
    health.heartbeat_record()


@worker_ready.connect
def _heartbeat_when_ready(**_kwargs: object) -> None:
    """A fresh worker reports at once instead of waiting for beat's first heartbeat."""
    health.heartbeat_record()
