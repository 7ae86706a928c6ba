"""A real browser on the demo municipality: a guardian reports "sykt barn"; the teacher registers a lesson with two
absent pupils and the sick child pre-filled; the unannounced pupils' guardians get one notification each."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections

from messaging.models import Notification
from oas import clock
from school import selectors
from school.models import PupilAttendance
from school.selectors import pupil_guardian_ids
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LOCALE, playwright_or_skip, session_cookie
from tests.school.conftest import SchoolDemo, persona_user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_teacher_registers_a_lesson_with_two_absent_and_one_sick(
    school_demo: SchoolDemo, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = playwright_or_skip(monkeypatch)
    url = live_server.url
    today = clock.today()
    group = school_demo.english_1
    sick = school_demo.child_1a.pk
    absent = [p for p in selectors.group_pupil_ids(group=group, day=today) if p != sick][:2]

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            guardian = browser.new_context(locale=LOCALE)
            guardian.add_cookies([session_cookie(persona_user("foresatt"), url)])
            gpage = guardian.new_page()
            gpage.goto(f"{url}/portal/fravaer/")
            gpage.get_by_test_id(f"sykt-barn-{sick}").click()
            gpage.wait_for_load_state()

            teacher = browser.new_context(locale=LOCALE)
            teacher.add_cookies([session_cookie(persona_user("laerer"), url)])
            page = teacher.new_page()
            page.goto(f"{url}/skole/")
            page.get_by_role("link", name="1. trinn engelsk").click()
            page.select_option("#time", "2")
            page.get_by_role("button", name="Vis").click()
            assert page.locator(f"#p{sick}").is_checked()  # pre-filled from the guardian's report
            assert "Syk (meldt)" in page.locator(f'tr[data-pupil="{sick}"]').inner_text()
            for pupil_id in absent:
                page.locator(f"#p{pupil_id}").check()
            page.locator("#save-attendance").click()
            page.wait_for_load_state()
            assert "3 borte" in page.content()
        finally:
            browser.close()
            connections.close_all()

    rows = {r.pupil_id: r for r in PupilAttendance.objects.filter(registration__group=group, registration__lesson=2)}
    assert rows[sick].reason == "sick"
    assert {p for p, r in rows.items() if r.reason == "unannounced"} == set(absent)
    guardians = {a for adults in pupil_guardian_ids(pupil_ids=absent, day=today).values() for a in adults}
    notes = Notification.objects.filter(key__startswith="school.absence.")
    assert sorted(notes.values_list("person_id", flat=True)) == sorted(guardians)
