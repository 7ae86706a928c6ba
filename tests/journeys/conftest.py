"""One seeded demo municipality and one live server for all the journeys of this package.

Seeding the demo and the commands ``make up`` runs after it (closing days, fee rates, admission rounds, the
school demo) takes a while, so the journeys share one committed copy instead of pytest-django's per-test
flush: each journey acts on its own persona's data, and the package's teardown flushes the database so the
rest of the test session starts empty. The clock is frozen on a school day (Thursday 19 November 2026) for
the whole package, in the live server's thread too (``oas.clock`` freezes process-wide).

The journeys walk the **full** Lillestrøm that ``make up`` seeds (about 35,000 people; seeding it and the commands
after it takes a few minutes on a 2-core machine, once per run). ``OAS_JOURNEY_SEED_SIZE=small`` walks them on the
small demo instead, for a quick local run.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import setup_databases, teardown_databases

from devtools.seed.after import demo_after_seed_run
from oas import clock
from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.databases import other_sessions_end

JOURNEY_DAY = dt.date(2026, 11, 19)


@pytest.fixture(scope="package")
def journey_demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Seed the demo as ``make up`` does, once; flush it when the package is done."""
    size = os.environ.get("OAS_JOURNEY_SEED_SIZE", "full")
    with pytest.MonkeyPatch.context() as patch, clock.freeze(JOURNEY_DAY), django_db_blocker.unblock():
        # pytest-django creates the test database only when a collected test asks for ``db`` (or a django_db
        # mark); the journeys use their own committed demo, so run alone they would seed, and then flush, the
        # database DATABASE_URL names. Create the test database here then.
        created = None
        if not connections["default"].settings_dict["NAME"].startswith("test_"):
            created = setup_databases(verbosity=0, interactive=False, aliases={"default"})  # type: ignore[arg-type]  # a set, as Django passes it
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM from Playwright's event-loop thread
        call_command("seed_demo", "--size", size, "--force", stdout=io.StringIO())
        demo_after_seed_run()
        try:
            yield
        finally:
            connections.close_all()
            call_command("flush", interactive=False, verbosity=0)
            if created is not None:
                other_sessions_end()  # the live server's pooled sessions would block DROP DATABASE
                connections.close_all()
                teardown_databases(created, verbosity=0)


@pytest.fixture(scope="package")
def journey_server(journey_demo: None) -> Iterator[str]:
    """A live server on the seeded demo (not pytest-django's ``live_server``, which flushes after each test)."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost")
    server._live_server_modified_settings.enable()
    try:
        yield server.url
    finally:
        server._live_server_modified_settings.disable()
        server.stop()


@pytest.fixture(scope="package")
def chromium(journey_server: str) -> Iterator[Any]:
    """Debian's Chromium, one for the package (each journey opens its own context)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def journey_db(journey_demo: None, django_db_blocker: Any) -> Iterator[None]:
    """Database access for the test body (persona users, assertions) on the package's committed demo."""
    with django_db_blocker.unblock():
        yield
