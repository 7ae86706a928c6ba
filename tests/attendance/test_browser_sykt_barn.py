"""A real browser: a guardian presses "sykt barn" for a pupil with school and SFO; the staff of both units
see it, the SFO tablet shows it; a tablet tap made offline is sent once when the network is back."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections

from attendance.models import AbsenceReport, AttendanceEvent
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LOCALE, playwright_or_skip, session_cookie

from .conftest import Town


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sykt_barn_reaches_school_and_sfo_and_the_tablet(
    town: Town, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = playwright_or_skip(monkeypatch)
    url = live_server.url
    pupil = town.children["pupil"]

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            guardian = browser.new_context(locale=LOCALE)
            guardian.add_cookies([session_cookie(town.users["guardian"], url)])
            page = guardian.new_page()
            page.goto(f"{url}/portal/fravaer/")
            page.get_by_test_id(f"sykt-barn-{pupil.pk}").click()
            page.wait_for_load_state()
            status = page.locator(".attendance-messages").inner_text()
            assert "Demo skole" in status
            assert "Demo SFO" in status
            assert AbsenceReport.objects.filter(child=pupil).count() == 1

            teacher = browser.new_context(locale=LOCALE)
            teacher.add_cookies([session_cookie(town.users["contact_teacher"], url)])
            tpage = teacher.new_page()
            tpage.goto(f"{url}/oppmote/fravaer/")
            row = tpage.locator(f'tr.absence-row[data-child="{pupil.pk}"]')
            assert "Sykt barn" in row.inner_text()

            sfo = browser.new_context(locale=LOCALE)
            sfo.add_cookies([session_cookie(town.users["sfo_staff"], url)])
            spage = sfo.new_page()
            spage.goto(f"{url}/oppmote/fravaer/")
            assert spage.locator(f'tr.absence-row[data-child="{pupil.pk}"]').count() == 1
            spage.goto(f"{url}/oppmote/{town.units['SFO1'].pk}/")
            tablet_row = spage.locator(f'li.kryss-row[data-child="{pupil.pk}"]')
            assert tablet_row.get_attribute("data-status") == "absent"
            assert "Sykt barn" in tablet_row.inner_text()

            # The kindergarten tablet keeps a tap while offline and sends it once when back online.
            dept = browser.new_context(locale=LOCALE)
            dept.add_cookies([session_cookie(town.users["dept_staff"], url)])
            dpage = dept.new_page()
            dpage.goto(f"{url}/oppmote/{town.units['D1'].pk}/")
            small = town.children["small"]
            dept.set_offline(True)
            button = dpage.locator(f'li.kryss-row[data-child="{small.pk}"] .kryss-button')
            button.click()
            dpage.wait_for_timeout(300)
            assert dpage.locator(f'li.kryss-row[data-child="{small.pk}"]').get_attribute("data-status") == "in"
            assert not AttendanceEvent.objects.filter(child=small).exists()
            # Reloaded while the server still cannot be reached: the page shows the tap that is waiting.
            endpoint = "**/api/v1/attendance/check"
            dpage.route(endpoint, lambda route: route.abort())  # before the network is back: the tap waits
            dept.set_offline(False)
            dpage.reload()
            dpage.wait_for_timeout(300)
            assert dpage.locator(f'li.kryss-row[data-child="{small.pk}"]').get_attribute("data-status") == "in"
            assert dpage.locator("#kryss-offline").get_attribute("data-visible") == "true"
            assert not AttendanceEvent.objects.filter(child=small).exists()
            dpage.unroute(endpoint)
            dpage.evaluate("window.dispatchEvent(new Event('online'))")
            queue = f"oas-kryss-queue-{town.units['D1'].pk}"
            dpage.wait_for_function("(key) => localStorage.getItem(key) === '[]'", arg=f"{queue}")
            dpage.evaluate("window.dispatchEvent(new Event('online'))")  # a second replay changes nothing
            dpage.wait_for_timeout(300)
            assert AttendanceEvent.objects.filter(child=small, kind="in").count() == 1
        finally:
            browser.close()
            # DB queries made inside Playwright's event loop use a context-local connection: close it, or the
            # test database cannot be dropped at the end of the session.
            connections.close_all()
