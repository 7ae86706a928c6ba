"""A real browser on the krysseliste: a tap whose token went stale is sent again with a new one; when the session
is gone too, the tablet keeps the tap and asks for a new login instead of losing it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.db import connections
from django.db.models import F

from attendance.models import AttendanceEvent
from oas.access.models import RoleAssignment
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LOCALE, playwright_or_skip, session_cookie

from .conftest import Town


def _bump_access_epoch(town: Town) -> None:
    """Any change to role assignments moves the access epoch, and with it every tap token ends."""
    other = RoleAssignment.objects.filter(employee__accounts__user=town.users["other_unit_staff"])
    assert other.update(valid_from=F("valid_from")) >= 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_stale_token_is_renewed_and_a_lost_session_keeps_the_tap(
    town: Town, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = playwright_or_skip(monkeypatch)
    url = live_server.url
    unit = town.units["D1"].pk
    small, big = town.children["small"], town.children["big"]
    queue = f"oas-kryss-queue-{unit}"

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tablet = browser.new_context(locale=LOCALE)
            cookie = session_cookie(town.users["dept_staff"], url)
            tablet.add_cookies([cookie])
            page = tablet.new_page()
            taps: list[int] = []
            page.on(
                "response",
                lambda response: taps.append(response.status) if "/api/v1/attendance/check" in response.url else None,
            )
            page.goto(f"{url}/oppmote/{unit}/")

            # The page's token goes stale (rights changed somewhere): 401, a new token, the tap again: 201.
            _bump_access_epoch(town)
            page.locator(f'li.kryss-row[data-child="{small.pk}"] .kryss-button').click()
            page.wait_for_function("(key) => localStorage.getItem(key) === '[]'", arg=f"{queue}")
            assert taps == [401, 201]
            assert AttendanceEvent.objects.filter(child=small, kind="in").count() == 1

            # Logged out, and the token stale again: the tap stays on the tablet and the page asks for a login.
            SessionStore(session_key=cookie["value"]).delete()
            _bump_access_epoch(town)
            page.locator(f'li.kryss-row[data-child="{big.pk}"] .kryss-button').click()
            page.wait_for_selector('#kryss-relogin[data-visible="true"]')
            assert len(page.evaluate(f"JSON.parse(localStorage.getItem('{queue}'))")) == 1
            assert not AttendanceEvent.objects.filter(child=big).exists()

            # Logged in again: the page reloads, and the kept tap is sent once.
            tablet.add_cookies([session_cookie(town.users["dept_staff"], url)])
            page.locator("#kryss-relogin a").click()
            page.wait_for_function("(key) => localStorage.getItem(key) === '[]'", arg=f"{queue}")
            assert AttendanceEvent.objects.filter(child=big, kind="in").count() == 1
        finally:
            browser.close()
            connections.close_all()
