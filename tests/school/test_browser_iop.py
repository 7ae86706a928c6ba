"""A real browser on the demo municipality, menu only: the special educator writes an IOP; a teacher of another class
neither finds nor opens it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections

from integrations.models import OutboxMessage
from oas.people.models import GroupAssignment, GroupRole
from school.adapted_education import IOP_ARCHIVE_KIND
from school.models import AdaptedEducationDecision, IndividualEducationPlan, Subject
from tests import factories as f
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LOCALE, Visit, playwright_or_skip, session_cookie
from tests.school.conftest import SchoolDemo, persona_user


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_special_educator_writes_an_iop_that_a_teacher_of_another_class_cannot_open(
    school_demo: SchoolDemo, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = playwright_or_skip(monkeypatch)
    monkeypatch.setattr("integrations.outbox.services._kick_claimer", lambda: None)
    url = live_server.url
    pupil = school_demo.child_1a
    decision = AdaptedEducationDecision.objects.get(pupil=pupil)
    eng = Subject.objects.get(code="ENG")
    assert not IndividualEducationPlan.objects.filter(decision=decision, subject=eng).exists()
    other = (
        GroupAssignment.objects.filter(role=GroupRole.CONTACT_TEACHER, group__parent=school_demo.school)
        .exclude(group=school_demo.class_1a)
        .select_related("employee")
        .order_by("pk")
        .first()
    )
    assert other is not None
    other_user = f.staff_account(other.employee).user
    visit = Visit("school-iop")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            educator = browser.new_context(locale=LOCALE)
            educator.add_cookies([session_cookie(persona_user("spesped"), url)])
            page = educator.new_page()
            page.goto(f"{url}/")
            page.locator('.oas-nav-bar a[data-nav="staff-school-iop"]').click()
            visit.check(page)
            page.locator(f'tr[data-pupil="{pupil.pk}"] a').click()
            visit.check(page)
            iop_url = page.url
            key = f"{decision.pk}-{eng.pk}"
            page.fill(f"#maal-{key}", "Kan hilse, presentere seg og telle til 20 på engelsk.")
            page.fill(f"#innhold-{key}", "Sanger, rim, bildekort og korte dialoger.")
            page.fill(f"#organisering-{key}", "To økter i uka i liten gruppe, ellers i klassen.")
            page.locator(f"#save-iop-{key}").click()
            visit.check(page)
            assert "Den individuelle opplæringsplanen er lagret" in page.content()
            assert "telle til 20" in page.locator(f'section[data-decision="{decision.pk}"]').inner_text()

            teacher = browser.new_context(locale=LOCALE)
            teacher.add_cookies([session_cookie(other_user, url)])
            tpage = teacher.new_page()
            tpage.goto(f"{url}/")
            tpage.locator('.oas-nav-bar a[data-nav="staff-school-iop"]').click()
            visit.check(tpage)
            assert tpage.locator(f'tr[data-pupil="{pupil.pk}"]').count() == 0
            refused = tpage.goto(iop_url)  # the address copied from elsewhere: not found, nothing shown
            assert refused is not None and refused.status == 404
            assert "telle til 20" not in tpage.content()
        finally:
            browser.close()
            connections.close_all()
    plan = IndividualEducationPlan.objects.get(decision=decision, subject=eng)
    assert plan.version == 1 and "telle til 20" in plan.goals
    assert OutboxMessage.objects.filter(kind=IOP_ARCHIVE_KIND, payload={"plan_id": plan.pk, "version": 1}).exists()
