"""A real browser under the Content-Security-Policy: the krysseliste's script and htmx work, nothing is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections

from attendance.models import AttendanceEvent
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LOCALE, playwright_or_skip, session_cookie

from .conftest import Town


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_krysseliste_and_the_price_calculator_work_under_the_policy(
    town: Town, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = playwright_or_skip(monkeypatch)
    url = live_server.url
    unit = town.units["D1"].pk
    small = town.children["small"]
    refused: list[str] = []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale=LOCALE)
            context.add_cookies([session_cookie(town.users["dept_staff"], url)])
            page = context.new_page()
            page.on(
                "console",
                lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
            )
            response = page.goto(f"{url}/oppmote/{unit}/")
            assert response is not None and "script-src 'self'" in response.headers["content-security-policy"]
            page.locator(f'li.kryss-row[data-child="{small.pk}"] .kryss-button').click()
            page.wait_for_function("(key) => localStorage.getItem(key) === '[]'", arg=f"oas-kryss-queue-{unit}")
            assert AttendanceEvent.objects.filter(child=small, kind="in").count() == 1
            page.goto(f"{url}/priskalkulator/")
            assert page.evaluate("typeof window.htmx") == "object"  # the vendored script ran
        finally:
            browser.close()
            connections.close_all()
    assert refused == []
