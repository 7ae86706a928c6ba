"""Health of PostgreSQL, Redis and the Celery workers for /healthz."""

from __future__ import annotations

import time
from typing import Any

import redis
from django.conf import settings
from django.db import connection

HEARTBEAT_KEY = "oas:celery:heartbeat"
HEARTBEAT_MAX_AGE_SECONDS = 60


def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)


def heartbeat_record() -> None:
    """Store the worker's heartbeat time in Redis."""
    _redis().set(HEARTBEAT_KEY, str(time.time()), ex=HEARTBEAT_MAX_AGE_SECONDS * 10)


def health_report() -> tuple[bool, dict[str, Any]]:
    """Check each dependency; return (all healthy, details)."""
    checks: dict[str, Any] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["postgresql"] = {"ok": True}
    except Exception as exc:
        checks["postgresql"] = {"ok": False, "error": type(exc).__name__}
    redis_ok = False
    try:
        client = _redis()
        client.ping()
        checks["redis"] = {"ok": True}
        redis_ok = True
    except Exception as exc:
        checks["redis"] = {"ok": False, "error": type(exc).__name__}
    if redis_ok:
        raw = client.get(HEARTBEAT_KEY)
        assert raw is None or isinstance(raw, bytes)
        age = time.time() - float(raw) if raw else None
        ok = age is not None and age <= HEARTBEAT_MAX_AGE_SECONDS
        checks["celery"] = {"ok": ok, "heartbeat_age_seconds": None if age is None else round(age, 1)}
    else:
        checks["celery"] = {"ok": False, "error": "redis unavailable"}
    return all(c["ok"] for c in checks.values()), checks
