"""Per-worker Redis databases for ``pytest -n N`` (pytest-xdist), read by the test settings.

Each xdist worker (``PYTEST_XDIST_WORKER`` = ``gw0``, ``gw1``, ...) gets a Redis database of its own on
``REDIS_URL``'s server: database ``OAS_TEST_REDIS_WORKER_DB_BASE + K`` for worker ``gwK`` (default base 10, so
``-n 2`` uses databases 10 and 11). Tests flush their database (``cache.clear()`` is FLUSHDB), purge Celery's
queue and run Celery workers against it; with one database per worker they never touch each other's keys or
tasks. Two xdist runs on one Redis server at once (developers sharing a machine) need different bases. Outside
xdist the URL is returned unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

DEFAULT_WORKER_DB_BASE = 10


def xdist_worker_redis_url(url: str, environ: Mapping[str, str]) -> str:
    """``url`` with the database of this xdist worker; ``url`` itself when not in an xdist worker."""
    worker = environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not worker[2:].isdigit():
        return url
    base = int(environ.get("OAS_TEST_REDIS_WORKER_DB_BASE") or DEFAULT_WORKER_DB_BASE)
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{base + int(worker[2:])}"))
