"""A real browser on the demo municipality, through the menu and the pages' links only: the demo teacher writes a
half-year assessment for a 1st-grader in "1. trinn engelsk" and publishes it; the guardian reads it in the portal."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections

from assessment.models import HalfYearAssessment
from tests.browser import CHROMIUM, CHROMIUM_ARGS, playwright_or_skip
from tests.journeys.journey import Journey
from tests.school.conftest import SchoolDemo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TEXT = "Kan mange engelske ord og synger med på sangene."


@pytest.mark.django_db(transaction=True)
def test_teacher_enters_half_year_assessments_and_the_guardian_reads_them(
    school_demo: SchoolDemo, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = playwright_or_skip(monkeypatch)
    child = school_demo.child_1a
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            with Journey(browser, live_server.url, "laerer", "assessment-teacher") as teacher:
                teacher.start()
                teacher.menu("staff-assessment")
                teacher.link("1. trinn engelsk")
                teacher.page.locator(f"#v{child.pk}").fill(TEXT)
                teacher.tap(teacher.page.locator("#save-halfyear"))
                assert "halvårsvurderinger er lagret" in teacher.text()
                teacher.tap(teacher.page.locator("#publish-halfyear"))
                assert "publisert for foresatte" in teacher.text()
            with Journey(browser, live_server.url, "foresatt", "assessment-guardian", phone=True) as guardian:
                guardian.start()
                guardian.menu("guardian-assessment")
                section = guardian.page.locator(f'section.assessment-child[data-child="{child.pk}"]')
                assert TEXT in section.inner_text()
                assert "Engelsk" in section.inner_text()
        finally:
            browser.close()
            connections.close_all()
    assert HalfYearAssessment.objects.get(pupil=child, group=school_demo.english_1).published_at is not None
