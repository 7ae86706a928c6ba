"""A real browser on the demo municipality: the admission office (persona ``opptak``) creates, opens, closes, runs
and publishes an SFO round using only the menu and the page's buttons (no typed URLs); every page it visits
(the kindergarten application filters and round capacity too) passes axe."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections

from sfo.models import SfoCapacity, SfoRound, SfoRoundState
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LOCALE, playwright_or_skip, session_cookie
from tests.house.test_browser_navigation import DESKTOP, Visit, _menu_click
from tests.personas import persona_user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admission_office_creates_runs_and_publishes_an_sfo_round_from_the_menu(
    demo_municipality: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = playwright_or_skip(monkeypatch)
    call_command("seed_admission_rounds", stdout=io.StringIO())  # as make up does: the open kindergarten round
    monkeypatch.setattr("integrations.outbox.services._kick_claimer", lambda: None)  # no worker in this test
    url = live_server.url
    visit = Visit("opptak-sfo-round")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale=LOCALE, viewport=DESKTOP)
            context.add_cookies([session_cookie(persona_user("opptak"), url)])
            page = context.new_page()
            page.goto(f"{url}/")
            visit.check(page)
            # The kindergarten pages first: labelled filters, and the round with its capacity row (axe on each).
            _menu_click(page, "staff-admission", phone=False)
            page.locator('main a[data-nav="staff-kindergarten-applications"]').click()
            visit.check(page)
            assert page.locator('label[for="filter-status"]').count() == 1
            _menu_click(page, "staff-admission", phone=False)
            page.locator('main a[data-nav="staff-kindergarten-rounds"]').click()
            visit.check(page)
            page.locator(".kg-rounds a").first.click()
            visit.check(page)
            assert page.locator(".kg-capacity td.registered").count() > 0  # prefilled from registered places

            _menu_click(page, "staff-admission", phone=False)
            visit.check(page)
            page.locator('main a[data-nav="staff-sfo-rounds"]').click()
            visit.check(page)

            page.locator("#id_code").fill("sfo-nettleser-2030")
            page.locator("#id_name").fill("SFO-opptak 2030/31")
            page.locator("#id_application_deadline").fill("2030-03-01")
            page.locator("#id_start_date").fill("2030-08-15")
            page.locator("#id_places").fill("25")
            page.get_by_test_id("create-sfo-round").click()
            visit.check(page)
            state = page.locator(".round-state")
            assert state.get_attribute("data-state") == "draft"

            for step, expected in (
                ("open-round", "open"),
                ("close-round", "closed"),
                ("run-matching", "matched"),
            ):
                page.get_by_test_id(step).click()
                page.wait_for_load_state()
                assert state.get_attribute("data-state") == expected, step
                visit.check(page)

            page.get_by_test_id("publish-round").click()
            visit.check(page)
            assert page.locator(".admission-confirm").count() == 1  # says what will happen, asks again
            page.get_by_test_id("confirm").click()
            page.wait_for_load_state()
            assert state.get_attribute("data-state") == "published"
            visit.check(page)
            context.close()
        finally:
            browser.close()
            connections.close_all()

    created = SfoRound.objects.get(code="sfo-nettleser-2030")
    assert created.state == SfoRoundState.PUBLISHED
    assert created.municipality_id == demo_municipality.pk
    assert set(SfoCapacity.objects.filter(round=created).values_list("capacity", flat=True)) == {25}
