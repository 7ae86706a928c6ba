"""A real browser on the demo municipality, menu only: a guardian applies for leave, the principal grants it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections

from integrations.models import OutboxMessage
from school.leave import LEAVE_LETTER_KIND
from school.models import LeaveApplication, LeaveStatus
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LOCALE, playwright_or_skip, session_cookie
from tests.house.test_browser_navigation import Visit
from tests.school.conftest import SchoolDemo, persona_user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_guardian_applies_for_leave_and_the_principal_grants_it(
    school_demo: SchoolDemo, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = playwright_or_skip(monkeypatch)
    monkeypatch.setattr("integrations.outbox.services._kick_claimer", lambda: None)
    url = live_server.url
    child = school_demo.child_1a
    visit = Visit("school-leave")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            guardian = browser.new_context(locale=LOCALE)
            guardian.add_cookies([session_cookie(persona_user("foresatt"), url)])
            page = guardian.new_page()
            page.goto(f"{url}/")
            page.locator('.oas-nav-bar a[data-nav="guardian-school-leave"]').click()
            visit.check(page)
            page.select_option("#barn", str(child.pk))
            page.fill("#fra", "2026-11-23")
            page.fill("#til", "2026-11-24")
            page.fill("#begrunnelse", "Besteforeldrenes gullbryllup i Bergen")
            page.locator("#apply-leave").click()
            visit.check(page)
            assert "Søknaden om permisjon er sendt" in page.content()
            application = LeaveApplication.objects.get(pupil=child)
            assert "Venter på vedtak" in page.locator(f'tr[data-application="{application.pk}"]').inner_text()

            principal = browser.new_context(locale=LOCALE)
            principal.add_cookies([session_cookie(persona_user("rektor"), url)])
            rpage = principal.new_page()
            rpage.goto(f"{url}/")
            rpage.locator('.oas-nav-bar a[data-nav="staff-school-leave"]').click()
            rpage.wait_for_load_state()
            if "/enheter/" in rpage.url:
                rpage.locator(f'main a[data-unit="{school_demo.school.pk}"]').click()
            visit.check(rpage)
            card = rpage.locator(f'section[data-application="{application.pk}"]')
            assert "gullbryllup" in card.inner_text()
            card.get_by_role("button", name="Innvilg").click()
            visit.check(rpage)
            assert "Permisjonen er innvilget" in rpage.content()

            page.reload()
            assert "Innvilget" in page.locator(f'tr[data-application="{application.pk}"]').inner_text()
        finally:
            browser.close()
            connections.close_all()
    application.refresh_from_db()
    assert application.status == LeaveStatus.GRANTED and application.school_days == 2
    assert OutboxMessage.objects.filter(kind=LEAVE_LETTER_KIND, payload={"application_id": application.pk}).exists()
