"""Celery broker helpers for tests that point the app at another (or a closed) broker."""

from __future__ import annotations


def reset_broker_connections() -> None:
    """Drop the connection and producer pools Celery and kombu keep for the broker they first met."""
    from kombu import pools

    from oas.celery import app

    pools.reset()
    app._pool = None  # type: ignore[attr-defined]
    app.amqp._producer_pool = None  # type: ignore[attr-defined]
