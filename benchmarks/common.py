"""Helpers shared by the benchmark scripts: a scratch database on the server, a server process on loopback.

Every benchmark runs with one command and no environment (a fresh clone after ``make up``): ``scratch_database``
creates its own database on the PostgreSQL server of ``DATABASE_URL`` or, without it, on the embedded server
``make up`` uses (``var/pg``), migrates it, and drops it at the end. Redis is ``REDIS_URL``'s or the embedded one.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent


def server_database_url() -> str:
    """DATABASE_URL, or the embedded PostgreSQL's URL (started on demand) when it is not set."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    from devtools.embedded import embedded_database_url

    return embedded_database_url(Path(os.environ.get("OAS_VAR_DIR") or ROOT / "var"))


def with_database(url: str, name: str) -> str:
    """The same server URL with another database name."""
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


def admin_sql(url: str, sql: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the server's ``postgres`` database, outside a transaction."""
    import psycopg

    with psycopg.connect(
        with_database(url, "postgres").replace("postgres://", "postgresql://", 1), autocommit=True
    ) as conn:
        conn.execute(sql)


def scratch_database_create(server: str, name: str) -> None:
    """Create database ``name`` on ``server``: empty, or a copy of ``OAS_BENCH_TEMPLATE_DATABASE`` when that is set.

    The tests that run every benchmark at a tiny size set it to a database they migrated once
    (``tests/conftest.py``), so each run copies it instead of migrating from nothing; the benchmark's own
    ``migrate`` then finds nothing to do. Unset (every ordinary run) the database starts empty.
    """
    template = os.environ.get("OAS_BENCH_TEMPLATE_DATABASE", "")
    admin_sql(server, f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def scratch_database_name(label: str, pid: int | None = None) -> str:
    """The scratch database of benchmark ``label`` run by process ``pid`` (this one by default)."""
    return f"oas_bench_{label}_{pid or os.getpid()}"


@contextmanager
def scratch_database(
    label: str, *, settings: str = "devtools.settings.development", migrate: bool = True
) -> Iterator[str]:
    """Create, migrate and finally drop this run's own database; Django is set up on it. Yields its URL.

    Call before anything imports Django's settings: ``DATABASE_URL`` (inherited by servers the benchmark starts)
    points at the scratch database for the rest of the process.
    """
    server = server_database_url()
    name = scratch_database_name(label)
    admin_sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    scratch_database_create(server, name)
    url = with_database(server, name)
    # Killed (SIGTERM, a test's timeout): leave through the ``finally`` below, so the database is dropped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    try:
        import django

        django.setup()
        if migrate:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        yield url
    finally:
        from django.db import connections

        connections.close_all()
        admin_sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def analyze(*tables: str) -> None:
    """``ANALYZE`` the tables (all when none are named), as a live database's autovacuum keeps them analysed.

    Run as the tables' owner (``oas.db_roles.owner_connection``): the application's role owns no table, and
    PostgreSQL skips, with only a warning, an ``ANALYZE`` of a table its role does not own, which left the
    scratch databases without statistics and the planner guessing (the claims of the fan-out took 0.4-0.9 s each).
    """
    from django.db import connection

    from oas.db_roles import owner_connection

    with owner_connection(), connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(tables) if tables else "ANALYZE")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children (a server's master and its workers)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        return sum(p.cpu_times().user + p.cpu_times().system for p in [proc, *proc.children(recursive=True)])
    except psutil.Error:
        return 0.0


def wait_for_server(port: int) -> None:
    """Wait until the server answers at all (``/healthz`` says 503 without Celery workers: that is fine here)."""
    for _ in range(150):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                if sock.recv(12).startswith(b"HTTP/"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


# The web server of the Dockerfile and docker-compose.yml: granian's WSGI interface, 2 worker processes with 4
# blocking threads each (WEB_WORKERS / WEB_THREADS there). gunicorn (a dev dependency) is there to compare.
PRODUCTION_SERVER = "granian"
PRODUCTION_WORKERS = 2
PRODUCTION_THREADS = 4


def web_server_command(
    *, server: str, port: int, workers: int, threads: int, worker_class: str = "gthread", extra: tuple[str, ...] = ()
) -> list[str]:
    """The command line of the web server on ``oas.wsgi:application`` at 127.0.0.1:``port``.

    ``granian`` (production's): ``threads`` blocking threads per worker; ``gunicorn``: ``worker_class`` workers
    with ``threads`` threads each (gthread). ``extra``: more of that server's options.
    """
    bin_dir = Path(sys.executable).parent  # the virtualenv running the benchmark (.venv/bin on a fresh clone)
    if server == "granian":
        return [
            str(bin_dir / "granian"),
            *("--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)),
            *("--workers", str(workers), "--blocking-threads", str(threads), "--log-level", "warning"),
            *extra,
            "oas.wsgi:application",
        ]
    return [
        str(bin_dir / "gunicorn"),
        "oas.wsgi:application",
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads)),
        *("--worker-class", worker_class, "--log-level", "warning"),
        *extra,
    ]
