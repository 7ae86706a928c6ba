"""``manage.py devstack`` (what ``make up`` runs) starts web, worker and beat, answers /healthz, stops on Ctrl-C."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg
import pytest
import redis
from django.conf import settings

from oas import health

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _admin_url(url: str) -> str:
    return urlunparse(urlparse(url)._replace(path="/postgres", scheme="postgresql"))


@pytest.fixture
def scratch_database(migrated_template_database: str):
    """A database of its own (devstack migrates and seeds it), dropped afterwards.

    A copy of the test run's migrated template (``tests/conftest.py``): devstack's migrate finds nothing to do,
    its seeding and everything after it run as on a fresh database.
    """
    base = settings.DATABASE_URL
    name = f"{urlparse(base).path.lstrip('/')}_devstack"
    with psycopg.connect(_admin_url(base), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_template_database}"')
    yield urlunparse(urlparse(base)._replace(path=f"/{name}"))
    with psycopg.connect(_admin_url(base), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _healthz(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


@pytest.mark.slow
def test_devstack_serves_healthz_with_a_worker_heartbeat_and_ctrl_c_stops_every_child(scratch_database):
    port = _free_port()
    var_dir = Path(tempfile.mkdtemp(prefix="oas-devstack-"))
    redis.Redis.from_url(settings.REDIS_URL).delete(health.HEARTBEAT_KEY)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DATABASE_URL=scratch_database, REDIS_URL=settings.REDIS_URL, OAS_VAR_DIR=str(var_dir))
    log_path = var_dir / "devstack.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "manage.py",
                "devstack",
                "--seed-size",
                "small",
                "--port",
                str(port),
                "--noreload",
                "--no-extras",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            status = 0
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and process.poll() is None:
                status = _healthz(f"http://127.0.0.1:{port}/healthz")
                if status == 200:
                    break
                time.sleep(1)
            output = log_path.read_text(errors="replace")
            assert status == 200, output[-3000:]
            assert f"http://127.0.0.1:{port}/" in output and "kontaktlaerer" in output
            pids = [int(pid) for pid in re.findall(r"started \w+ \(pid (\d+)\)", output)]
            assert len(pids) == 3

            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=60) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    output = log_path.read_text(errors="replace")
    assert "OAS: everything stopped." in output
    assert [pid for pid in pids if _alive(pid)] == []
    assert _healthz(f"http://127.0.0.1:{port}/healthz") == 0
    shutil.rmtree(var_dir, ignore_errors=True)
