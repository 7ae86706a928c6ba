"""Database connections are bounded: 50 concurrent clients never make a process exceed the pool's maximum.

The threaded dev server starts a thread per request; with persistent connections (``CONN_MAX_AGE``) each thread
kept its own connection after it ended, and about ten requests a second exhausted PostgreSQL's
``max_connections``. Now every request borrows from psycopg's pool and gives the connection back at its end.
"""

from __future__ import annotations

import io
import threading
import time
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

CLIENTS = 50


def _get(handler: WSGIHandler, path: str) -> tuple[int, bytes]:
    """One request as a WSGI server makes it (request_started … response.close() → request_finished)."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    status: list[str] = []

    def start_response(code: str, _headers: Any, _exc: Any = None) -> Any:
        status.append(code)
        return lambda _data: None

    response = handler(environ, start_response)
    try:
        body = b"".join(response)
    finally:
        response.close()
    return int(status[0].split()[0]), body


def test_the_connection_settings_bound_connections_with_a_checked_pool() -> None:
    db = settings.DATABASES["default"]
    assert db["CONN_MAX_AGE"] == 0
    assert db["CONN_HEALTH_CHECKS"] is True
    assert db["OPTIONS"]["pool"]["max_size"] == settings.DATABASE_POOL_MAX_SIZE


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_clients_never_hold_more_connections_than_the_configured_maximum(settings) -> None:
    settings.ROOT_URLCONF = "tests.kernel.pool_urls"
    maximum = settings.DATABASES["default"]["OPTIONS"]["pool"]["max_size"]
    assert maximum < CLIENTS
    db = connections["default"]
    name = db.settings_dict["NAME"]
    params = db.get_connection_params()
    params.pop("pool", None)
    db.close()  # the test's own connection goes back to the pool too

    seen: list[int] = []
    done = threading.Event()

    def sample() -> None:
        with psycopg.connect(**params, autocommit=True) as monitor:
            while not done.is_set():
                row = monitor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
                ).fetchone()
                seen.append(int(row[0]) if row else 0)
                time.sleep(0.01)

    handler = WSGIHandler()
    start = threading.Barrier(CLIENTS)
    answers: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def client() -> None:
        start.wait()
        for _ in range(2):
            answer = _get(handler, "/pool-probe/")
            with lock:
                answers.append(answer)

    sampler = threading.Thread(target=sample)
    sampler.start()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    done.set()
    sampler.join()
    assert time.monotonic() - started < 30
    assert len(answers) == 2 * CLIENTS
    assert {status for status, _body in answers} == {200}
    assert seen, "the sampler never ran"
    assert max(seen) <= maximum, f"{max(seen)} backends for {CLIENTS} clients; the pool allows {maximum}"
    # The threads are gone and so are their connections: nothing beyond the pool stays open.
    with psycopg.connect(**params, autocommit=True) as monitor:
        row = monitor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]
        ).fetchone()
    assert row is not None and int(row[0]) <= maximum
