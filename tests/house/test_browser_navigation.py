"""A real browser on the demo municipality: people reach their pages through the menu only (no typed URLs),
every page visited passes axe-core without serious or critical violations, and each page is saved as a
screenshot (``var/test-artifacts/screens/``) for people to look at."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections

from tests.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, LOCALE, PHONE, Visit, playwright_or_skip, session_cookie
from tests.personas import persona_user


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
