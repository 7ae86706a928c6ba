"""A real browser on the demo municipality, menu clicks only: a guardian starts a message that the contact teacher
reads; a teacher opens a sent notice's read status. Every page passes axe-core and is saved as a screenshot."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connections

from messaging.services.notices import notice_create, notice_mark_read
from oas.demo_personas import DEMO_SCHOOL_CODE
from oas.organisation.models import OrgUnit
from oas.people.models import Person, Placement, Service
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LOCALE, playwright_or_skip, session_cookie
from tests.house.test_browser_navigation import DESKTOP, PHONE, Visit, _menu_click
from tests.personas import persona_user


def _jonas_class() -> OrgUnit:
    jonas = Person.objects.get(first_name="Jonas", last_name="Hansen")
    placement = Placement.objects.select_related("group").get(child=jonas, service=Service.SCHOOL)
    assert placement.group is not None
    return placement.group


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_guardian_starts_a_message_from_the_menu_and_the_contact_teacher_reads_it(
    demo_municipality: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = playwright_or_skip(monkeypatch)
    url = live_server.url
    group = _jonas_class()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            visit = Visit("guardian-new-message")
            context = browser.new_context(locale=LOCALE, viewport=PHONE, is_mobile=True, has_touch=True)
            context.add_cookies([session_cookie(persona_user("foresatt"), url)])
            page = context.new_page()
            page.goto(f"{url}/")
            _menu_click(page, "guardian-messages", phone=True)
            visit.check(page)
            page.get_by_test_id("ny-melding").click()
            visit.check(page)
            page.locator("#recipient").select_option(label=f"Jonas: Kontaktlærer ({group.name})")
            page.fill("#subject", "Hentes tidlig fredag")
            page.fill("#body", "Jonas blir hentet kl. 12 på fredag. Hilsen Hanne")
            page.get_by_role("button", name="Send melding").click()
            page.wait_for_url(re.compile(r"/meldinger/portal/\d+/$"))
            visit.check(page)
            assert "Hilsen Hanne" in page.locator("#messages").inner_text()

            # The contact teacher of Jonas's class (the class mailbox's handler) finds it in her inbox.
            teacher_visit = Visit("contact-teacher-reads-message")
            teacher = browser.new_context(locale=LOCALE, viewport=DESKTOP)
            teacher.add_cookies([session_cookie(persona_user("kontaktlaerer"), url)])
            tpage = teacher.new_page()
            tpage.goto(f"{url}/")
            _menu_click(tpage, "staff-messages", phone=False)
            teacher_visit.check(tpage)
            tpage.get_by_role("link", name="Hentes tidlig fredag").click()
            teacher_visit.check(tpage)
            assert "Hilsen Hanne" in tpage.locator("#messages").inner_text()
        finally:
            browser.close()
            connections.close_all()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_teacher_opens_a_sent_notices_read_status_from_the_menu(
    demo_municipality: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = playwright_or_skip(monkeypatch)
    url = live_server.url
    group = _jonas_class()
    school = OrgUnit.objects.get(code=DEMO_SCHOOL_CODE)
    notice = notice_create(
        user=persona_user("laerer"),
        sender_unit_id=school.pk,
        title="Skolefoto mandag",
        body="Fotografen kommer mandag kl. 9.",
        target_unit_ids=[group.pk],
    )
    notice_mark_read(user=persona_user("foresatt"), notice_id=notice.pk)  # Hanne read it; Henrik has not
    total = notice.recipients.count()
    assert total >= 2
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            visit = Visit("teacher-read-status")
            context = browser.new_context(locale=LOCALE, viewport=DESKTOP)
            context.add_cookies([session_cookie(persona_user("laerer"), url)])
            page = context.new_page()
            page.goto(f"{url}/")
            _menu_click(page, "staff-sent-notices", phone=False)
            visit.check(page)
            assert f"1 av {total}" in page.get_by_test_id("sent-notices").inner_text()
            page.get_by_role("link", name="Skolefoto mandag").click()
            visit.check(page)
            assert f"1 av {total} mottakere har lest oppslaget." in page.get_by_test_id("read-count").inner_text()
            unread = page.get_by_test_id("unread").inner_text()
            assert "Henrik Hansen" in unread
            assert "Hanne Hansen" not in unread
            # The breadcrumb leads back to the list.
            page.locator(".oas-breadcrumbs a", has_text="Sendte oppslag").click()
            assert page.url == f"{url}/meldinger/oppslag/sendte/"
        finally:
            browser.close()
            connections.close_all()
