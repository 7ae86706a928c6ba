"""Issue 15 on the demo municipality: the pedagogical leader (persona ``pedleder``) opens her department's
krysseliste on a tablet set to another time zone, taps a child in, marks one sick, taps in a child a guardian
reported sick, and sees the counts change without a reload and every time in Norwegian time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connections

from attendance.models import AbsenceKind, AbsenceReport, AbsenceSource, AttendanceEvent
from oas import clock
from oas.organisation.models import OrgUnit
from oas.people.models import Placement, Service
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LOCALE, playwright_or_skip, session_cookie
from tests.factories import ChildFactory, PlacementFactory
from tests.personas import persona_user

DEPARTMENT = "3030-BHG-01-AVD-01"  # pedleder's group: the first department of Demo barnehage


def _weekday() -> dt.date:
    day = dt.date.today()  # noqa: DTZ011 - the demo's dates follow the real school year
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def _counts(page: Any) -> dict[str, int]:
    return {
        key: int(page.locator(f'#kryss-summary [data-count="{key}"]').inner_text())
        for key in ("in", "expected", "absent", "out")
    }


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pedleder_taps_in_marks_sick_and_sees_the_counts_change(
    demo_municipality: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = playwright_or_skip(monkeypatch)
    day = _weekday()
    department = OrgUnit.objects.get(code=DEPARTMENT)
    assert department.parent_id is not None
    kindergarten = OrgUnit.objects.get(pk=department.parent_id)
    new = []
    for i in range(3):  # three more children in the department, among the demo's own
        child: Any = ChildFactory(birth_date=dt.date(2022, 2, 1) + dt.timedelta(days=i))
        PlacementFactory(child=child, unit=kindergarten, group=department, service=Service.KINDERGARTEN, start_date=day)
        new.append(child.pk)
    first, second, reported = new
    assert Placement.objects.filter(group=department).exclude(child_id__in=new).exists()
    user = persona_user("pedleder")
    with clock.freeze(day):
        AbsenceReport.objects.create(
            child_id=reported, kind=AbsenceKind.SICK, start_date=day, end_date=day, reported_at=clock.now()
        )
    url = live_server.url
    with clock.freeze(day), sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # The tablet's own clock is in New York: the page still shows Oslo time (09:00, the frozen clock).
            context = browser.new_context(locale=LOCALE, timezone_id="America/New_York")
            context.add_cookies([session_cookie(user, url)])
            page = context.new_page()
            page.goto(f"{url}/oppmote/")
            page.locator(f'a[href="/oppmote/{department.pk}/"]').click()
            page.wait_for_selector("#kryss-summary")
            before = _counts(page)
            assert before["absent"] >= 1

            # Tap one child in: "Til stede" goes up by one, "Ikke kommet" down, without a reload.
            page.locator(f'li.kryss-row[data-child="{first}"] .kryss-button').click()
            page.wait_for_function(
                "(n) => document.querySelector('#kryss-summary [data-count=\"in\"]').textContent === String(n)",
                arg=before["in"] + 1,
            )
            page.wait_for_function(
                "(key) => localStorage.getItem(key) === '[]'", arg=f"oas-kryss-queue-{department.pk}"
            )
            assert AttendanceEvent.objects.filter(child_id=first, kind="in").count() == 1
            state = page.locator(f'li.kryss-row[data-child="{first}"] .kryss-state')
            page.wait_for_function(
                '(id) => document.querySelector(`li.kryss-row[data-child="${id}"] .kryss-state`)'
                ".textContent.includes('09:00')",
                arg=first,
            )
            assert "Inne siden 09:00" in state.inner_text()

            # Mark another child sick on the list.
            page.locator(f'li.kryss-row[data-child="{second}"] .kryss-absence-button[data-absence="sick"]').click()
            page.wait_for_selector(f'li.kryss-row[data-child="{second}"][data-status="absent"]')
            after_sick = _counts(page)
            assert after_sick["absent"] == before["absent"] + 1
            assert after_sick["expected"] == before["expected"] - 2
            report = AbsenceReport.objects.get(child_id=second)
            assert (report.kind, report.source) == ("sick", AbsenceSource.STAFF)

            # The child a guardian reported sick comes anyway: the warning stays, with the time in Oslo.
            page.locator(f'li.kryss-row[data-child="{reported}"] .kryss-button').click()
            warning = page.locator(f'li.kryss-row[data-child="{reported}"] .kryss-warning')
            # First the tablet's own time (in Oslo time), then the server's time of the tap (the frozen 09:00).
            page.wait_for_function(
                '(id) => document.querySelector(`li.kryss-row[data-child="${id}"] .kryss-warning`)'
                ".textContent.includes('09:00')",
                arg=reported,
            )
            assert warning.inner_text() == "Meldt syk av foresatt – krysset inn 09:00"
            final = _counts(page)
            assert final["absent"] == after_sick["absent"] - 1
            assert final["in"] == after_sick["in"] + 1

            # After a reload the server says the same.
            page.reload()
            assert _counts(page) == final
            assert (
                "Meldt syk av foresatt – krysset inn 09:00"
                in page.locator(f'li.kryss-row[data-child="{reported}"] .kryss-warning').inner_text()
            )
        finally:
            browser.close()
            connections.close_all()
