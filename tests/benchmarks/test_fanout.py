"""benchmarks/fanout.py runs at a tiny size, so that a broken benchmark fails the build (not only at full size)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from benchmarks.common import with_database

ROOT = Path(__file__).resolve().parents[2]


def _scratch_databases() -> set[str]:
    url = with_database(settings.DATABASE_URL, "postgres")
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        rows = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 'oas_fanout_bench_%'").fetchall()
    return {str(row[0]) for row in rows}


@pytest.mark.slow
def test_the_fan_out_benchmark_delivers_everything_in_its_own_scratch_database_and_drops_it(
    migrated_template_database: str,
) -> None:
    before = _scratch_databases()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DATABASE_URL=settings.DATABASE_URL, REDIS_URL=settings.REDIS_URL)
    env.update(OAS_BENCH_TEMPLATE_DATABASE=migrated_template_database)  # copied, not migrated from nothing
    done = subprocess.run(
        [sys.executable, "benchmarks/fanout.py", "--guardians", "30", "--kill", "--lease-seconds", "3"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "recipients: 30, deliveries: 60 (30 e-mail + 30 SMS)" in done.stdout
    assert "SMTP sink: 30 unique Message-IDs" in done.stdout
    assert "SMS gateway: 30 unique" in done.stdout
    assert "lost: 0" in done.stdout
    assert _scratch_databases() == before  # its scratch database is gone again
