"""A real browser on the demo municipality: people reach their pages through the menu only (no typed URLs),
every page visited passes axe-core without serious or critical violations, and each page is saved as a
screenshot (``var/test-artifacts/screens/``) for people to look at."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

from tests.browser import CHROMIUM, CHROMIUM_ARGS, LOCALE, playwright_or_skip, session_cookie
from tests.personas import persona_user

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENS = Path(settings.BASE_DIR) / "var" / "test-artifacts" / "screens"


def _axe_source() -> str:
    axe = pytest.importorskip("axe_playwright_python")
    return (Path(axe.__file__).parent / "axe.min.js").read_text()


class Visit:
    """Checks each page the browser lands on: axe-core (serious/critical fail the test) and a screenshot."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.axe = _axe_source()
        self.seen: list[str] = []
        SCREENS.mkdir(parents=True, exist_ok=True)

    def check(self, page: Any) -> None:
        page.wait_for_load_state()
        path = re.sub(r"^https?://[^/]+", "", page.url)
        self.seen.append(path)
        page.screenshot(path=str(SCREENS / f"{self.name}-{len(self.seen):02d}.png"), full_page=True)
        page.evaluate(self.axe)  # through DevTools: the page's Content-Security-Policy allows no inline script
        result = page.evaluate("async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))")
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
            for v in json.loads(result)["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"{path}: {bad}"


def _menu_click(page: Any, key: str, *, phone: bool) -> None:
    if phone:
        page.get_by_test_id("menu").click()
        page.locator(f'.oas-menu-list a[data-nav="{key}"]').click()
    else:
        page.locator(f'.oas-nav-bar a[data-nav="{key}"]').click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_guardian_on_a_phone_finds_everything_from_the_menu(
    demo_municipality: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = playwright_or_skip(monkeypatch)
    url = live_server.url
    visit = Visit("guardian-phone")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale=LOCALE, viewport=PHONE, is_mobile=True, has_touch=True)
            context.add_cookies([session_cookie(persona_user("foresatt"), url)])
            page = context.new_page()
            page.goto(f"{url}/")  # the logged-in front page is the portal
            assert page.url == f"{url}/portal/"
            visit.check(page)
            # Sick child: one tap on the home page, one on the child's button.
            page.get_by_test_id("sykt-barn-snarvei").click()
            visit.check(page)
            page.locator("button.sykt-barn").first.click()
            page.wait_for_load_state()
            assert "Fraværet er meldt" in page.content()
            for key in ("guardian-messages", "guardian-calendar", "guardian-applications", "guardian-invoices"):
                _menu_click(page, key, phone=True)
                visit.check(page)
                assert page.locator(f'.oas-menu-list a[data-nav="{key}"][aria-current="page"]').count() == 1
            _menu_click(page, "guardian-settings", phone=True)
            visit.check(page)
            page.locator("#oas-language-settings").select_option("nn")
            page.locator("#oas-language-settings ~ button").click()
            page.wait_for_load_state()
            assert page.locator("html").get_attribute("lang") == "nn"
            # The breadcrumb leads back home.
            page.locator(".oas-breadcrumbs a").first.click()
            assert page.url == f"{url}/portal/"
        finally:
            browser.close()
            connections.close_all()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_on_a_desktop_find_their_modules_from_the_menu(
    demo_municipality: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = playwright_or_skip(monkeypatch)
    url = live_server.url
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            walks = {
                "styrer": ["staff-occupancy", "staff-attendance", "staff-messages"],
                "opptak": ["staff-admission", "staff-placements"],
                "faktura": ["staff-invoicing"],
                "sysadmin": ["staff-reports", "staff-settings"],
            }
            for persona, keys in walks.items():
                visit = Visit(f"{persona}-desktop")
                context = browser.new_context(locale=LOCALE, viewport=DESKTOP)
                context.add_cookies([session_cookie(persona_user(persona), url)])
                page = context.new_page()
                page.goto(f"{url}/")
                assert page.url == f"{url}/arbeidsflate/"
                visit.check(page)
                assert page.get_by_test_id("user-name").inner_text().strip()
                for key in keys:
                    _menu_click(page, key, phone=False)
                    visit.check(page)
                    assert page.locator("h1").count() >= 1
                    # Sections list their entries: open the first one too.
                    if "/meny/" in page.url:
                        page.locator("main a[data-nav]").first.click()
                        visit.check(page)
                context.close()
        finally:
            browser.close()
            connections.close_all()
