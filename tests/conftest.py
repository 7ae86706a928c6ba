"""Shared fixtures: real PostgreSQL (pytest-django) and real Redis; only national services are simulated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from oas import clock


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep the journeys together on one xdist worker (``make test`` runs ``pytest -n 2 --dist loadgroup``).

    They share a package-scoped committed demo and live server (``tests/journeys/conftest.py``); split over
    workers, each worker would seed the demo again, and more than once if other tests ran between them.
    """
    for item in items:
        if item.nodeid.startswith("tests/journeys/"):
            item.add_marker(pytest.mark.xdist_group("journeys"))


@pytest.fixture
def frozen_today() -> Iterator[dt.date]:
    """Freeze the clock at a fixed school day (Thursday 2026-11-19, 09:00 Oslo)."""
    day = dt.date(2026, 11, 19)
    with clock.freeze(day):
        yield day


@pytest.fixture
def demo_municipality(db: None) -> object:
    """The small demo municipality (``seed_demo --size small``) as realistic surroundings for a test.

    Four municipalities (3030 Lillestrøm and neighbours), 40 units, ~250 people, ~110 placements, every demo
    persona: a test that builds its own scenario on top of it sees other children, families and municipalities,
    as in a real deployment. Returns the Lillestrøm ``Municipality``. Takes about 0.3 s.
    """
    import io

    from django.core.management import call_command

    from oas.organisation.models import Municipality

    call_command("seed_demo", "--size", "small", stdout=io.StringIO())
    return Municipality.objects.filter(number="3030").order_by("-valid_from").first()


@pytest.fixture(scope="session")
def migrated_template_database(django_db_setup: None) -> Iterator[str]:
    """The name of a database migrated once for this test process, for scratch databases to be copied from.

    The benchmarks' tiny runs and devstack each make a database of their own and migrate it; migrating from
    nothing is most of such a test's time. They copy this one instead (``CREATE DATABASE ... TEMPLATE``, about a
    second; ``OAS_BENCH_TEMPLATE_DATABASE`` for the benchmarks, ``benchmarks/common.py``), and their own
    ``migrate`` still runs and finds nothing to do. Migrated by ``manage.py migrate`` in a process of its own,
    so nothing stays connected to it (a template must have no sessions); one per xdist worker (named after the
    worker's test database); dropped at the end.
    """
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.conf import settings
    from django.db import connection

    from benchmarks.common import admin_sql, server_database_url, with_database

    server = server_database_url()
    name = f"{connection.settings_dict['NAME']}_migrated"
    admin_sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_sql(server, f'CREATE DATABASE "{name}"')
    try:
        env = {
            **os.environ,
            "DATABASE_URL": with_database(server, name),
            "DJANGO_SETTINGS_MODULE": "devtools.settings.test",
        }
        done = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
            cwd=Path(settings.BASE_DIR),
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        yield name
    finally:
        admin_sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", autouse=True)
def _no_session_outlives_the_test_database(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """At the very end, end the test database's other sessions so that it can be dropped.

    Live-server and worker threads hold their own connections (the psycopg pool keeps them open), and a browser
    suite's server can still hold one when pytest drops the database; with warnings as errors that fails the run
    after every test has passed. Torn down before ``django_db_setup`` (it depends on it).
    """
    yield
    from django.db import connection

    from tests.databases import other_sessions_end

    if not str(connection.settings_dict["NAME"]).startswith("test_"):
        return  # no collected test asked for the database: none was created (and DATABASE_URL's is not ours)
    with django_db_blocker.unblock():
        other_sessions_end()
