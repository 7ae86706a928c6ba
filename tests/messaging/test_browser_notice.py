"""A real browser: a teacher sends a notice to a class; a guardian reads it and replies; only the teacher sees it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connections

from tests.browser import CHROMIUM, CHROMIUM_ARGS, LOCALE, playwright_or_skip, session_cookie
from tests.messaging.conftest import World


def _session_cookie(world: World, persona: str, live_url: str) -> dict[str, Any]:
    return session_cookie(world.user(persona), live_url)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_teacher_notice_is_read_and_answered_and_only_the_teachers_side_sees_the_reply(
    world: World, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = playwright_or_skip(monkeypatch)
    url = live_server.url

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            teacher = browser.new_context(locale=LOCALE)
            teacher.add_cookies([_session_cookie(world, "contact_teacher", url)])
            page = teacher.new_page()
            page.goto(f"{url}/meldinger/oppslag/ny/")
            page.select_option("#sender_unit", label="1A")
            page.locator("input[name=targets][data-name='1A']").check()
            page.fill("#title", "Turdag fredag")
            page.fill("#body", "Husk matpakke og gode sko.")
            page.check("#replies_to_sender")
            page.get_by_role("button", name="Send oppslag").click()
            assert "Oppslaget er sendt" in page.locator("#notice-status").inner_text()

            mother = browser.new_context(locale=LOCALE)
            mother.add_cookies([_session_cookie(world, "protected_guardian", url)])
            mpage = mother.new_page()
            mpage.goto(f"{url}/meldinger/portal/")
            mpage.get_by_role("link", name="Turdag fredag").click()
            assert "Husk matpakke" in mpage.locator(".notice-body").inner_text()
            mpage.fill("#body", "Hun har med seg sko. Hilsen mor")
            mpage.get_by_role("button", name="Send svar").click()
            mpage.wait_for_url(re.compile(r"/meldinger/portal/\d+/$"))
            assert "Hilsen mor" in mpage.locator("#messages").inner_text()

            page.goto(f"{url}/meldinger/")
            page.get_by_role("link", name=re.compile("Svar: Turdag fredag")).click()
            assert "Hilsen mor" in page.locator("#messages").inner_text()

            father = browser.new_context(locale=LOCALE)
            father.add_cookies([_session_cookie(world, "other_guardian", url)])
            fpage = father.new_page()
            fpage.goto(f"{url}/meldinger/portal/")
            # The child is strengt fortrolig and does not live with him: a notice from her class would tell him
            # where she is (issue 13 point 3), so he gets neither the notice nor, of course, her reply.
            assert "Turdag fredag" not in fpage.content()
            assert "Hilsen mor" not in fpage.content()
        finally:
            browser.close()
            # Close this thread's connections so the test database can be dropped at the end of the session.
            connections.close_all()
