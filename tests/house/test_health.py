"""/healthz: PostgreSQL, Redis and a Celery worker heartbeat, answered with 200 or 503."""

from __future__ import annotations

import time

import pytest
import redis
from django.conf import settings

from oas import health

pytestmark = pytest.mark.django_db


@pytest.fixture
def heartbeat_store():
    client = redis.Redis.from_url(settings.REDIS_URL)
    previous = client.get(health.HEARTBEAT_KEY)
    assert previous is None or isinstance(previous, bytes)
    client.delete(health.HEARTBEAT_KEY)
    yield client
    if previous is not None:
        client.set(health.HEARTBEAT_KEY, previous, ex=600)


def test_healthz_is_200_when_database_redis_and_worker_heartbeat_are_fine(client, heartbeat_store):
    health.heartbeat_record()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["postgresql"]["ok"] and body["checks"]["redis"]["ok"] and body["checks"]["celery"]["ok"]


def test_healthz_is_503_when_no_worker_heartbeat_was_recorded(client, heartbeat_store):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["celery"] == {"ok": False, "heartbeat_age_seconds": None}


def test_healthz_is_503_when_the_heartbeat_is_stale(client, heartbeat_store):
    heartbeat_store.set(health.HEARTBEAT_KEY, str(time.time() - health.HEARTBEAT_MAX_AGE_SECONDS - 5))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["celery"]["ok"] is False


def test_healthz_is_503_when_redis_is_unreachable(client, heartbeat_store, settings):
    health.heartbeat_record()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["redis"]["ok"] is False
    assert checks["postgresql"]["ok"] is True


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405
