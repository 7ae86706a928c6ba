"""A real browser (the system Chromium) logs in as a staff persona through the development provider."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from oas.identity.views import landing_url
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LOCALE
from tests.identity.conftest import staff_from_persona


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_member_logs_in_through_the_development_provider_and_sees_the_arbeidsflate(
    oidc: str, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (Playwright never downloads a browser here)")
    staff_from_persona("rektor")
    expected_landing = landing_url("staff")
    # Playwright's sync API runs an event loop in this thread; Django would then refuse ORM calls here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale=LOCALE)
            page.goto(f"{live_server.url}/login/")
            page.get_by_role("link", name=re.compile("ansatt", re.IGNORECASE)).click()
            page.get_by_role("link", name=re.compile("Entra", re.IGNORECASE)).click()
            page.wait_for_url(re.compile(re.escape(oidc) + "/entra/authorize"))
            page.get_by_role("button", name=re.compile("Randi Rektorsen")).click()
            page.wait_for_url(re.compile(re.escape(live_server.url) + re.escape(expected_landing)))

            assert urlsplit(page.url).path == expected_landing
            heading = page.locator("h1").first.inner_text()
            if expected_landing != "/":
                assert "Arbeidsflate" in heading
            page.goto(f"{live_server.url}/login/")
            assert "Randi Rektorsen" in page.get_by_test_id("logged-in-as").inner_text()
        finally:
            browser.close()
