"""``make test`` runs pytest with xdist workers: each worker's Redis database is its own (devtools/xdist.py)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from django.conf import settings

from devtools.xdist import xdist_worker_redis_url


def test_outside_xdist_the_url_is_unchanged() -> None:
    assert xdist_worker_redis_url("redis://127.0.0.1:6379/5", {}) == "redis://127.0.0.1:6379/5"
    assert xdist_worker_redis_url("redis://127.0.0.1:6379/5", {"PYTEST_XDIST_WORKER": "master"}) == (
        "redis://127.0.0.1:6379/5"
    )


def test_each_worker_gets_its_own_database_from_the_base() -> None:
    url = "redis://127.0.0.1:6379/5"
    assert xdist_worker_redis_url(url, {"PYTEST_XDIST_WORKER": "gw0"}) == "redis://127.0.0.1:6379/10"
    assert xdist_worker_redis_url(url, {"PYTEST_XDIST_WORKER": "gw1"}) == "redis://127.0.0.1:6379/11"
    env = {"PYTEST_XDIST_WORKER": "gw1", "OAS_TEST_REDIS_WORKER_DB_BASE": "12"}
    assert xdist_worker_redis_url("redis://:pw@redis:6380/0?timeout=2", env) == "redis://:pw@redis:6380/13?timeout=2"


def test_the_rewrite_is_idempotent_for_the_processes_a_test_starts() -> None:
    env = {"PYTEST_XDIST_WORKER": "gw1"}
    once = xdist_worker_redis_url("redis://127.0.0.1:6379/1", env)
    assert xdist_worker_redis_url(once, env) == once


def test_this_run_uses_the_database_of_its_worker(worker_id: str) -> None:
    if worker_id != "master":  # pytest-xdist's worker_id fixture: gw0, gw1, ... or master without xdist
        base = int(os.environ.get("OAS_TEST_REDIS_WORKER_DB_BASE") or 10)
        assert urlsplit(settings.REDIS_URL).path == f"/{base + int(worker_id[2:])}"
    assert os.environ["REDIS_URL"] == settings.REDIS_URL  # what the processes a test starts are given
    assert settings.CACHES["default"]["LOCATION"] == settings.REDIS_URL
    assert settings.CELERY_BROKER_URL == settings.REDIS_URL
