"""Staff at a unit on a desktop: the leaders' snapshot to the staffing page, the krysseliste, and a teacher's
notice with its read status — through the menu and the pages' links only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.journeys.journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize(
    ("persona", "menu_key"),
    [
        ("styrer", "staff-occupancy"),  # belegg og bemanning of the kindergarten
        ("rektor", "staff-school-staffing"),  # elevtall og bemanning of the school (the lærernorm)
    ],
)
def test_a_leader_goes_from_the_snapshot_to_the_staffing_page(
    persona: str, menu_key: str, chromium: Any, journey_server: str, journey_db: None
) -> None:
    with Journey(chromium, journey_server, persona, f"{persona}-snapshot") as j:
        j.start()
        assert j.path == "/arbeidsflate/"
        snapshot = j.page.locator("section.snapshot")
        assert snapshot.count() == 1, "the leader's home shows the snapshot (øyeblikksbilde)"
        staffing = snapshot.locator('a[href*="/belegg/"]')
        assert staffing.count() >= 1, f"{persona}: the snapshot links to the staffing page (belegg og bemanning)"
        j.tap(staffing.first)
        assert "/belegg/" in j.path
        assert "bemanning" in j.text().lower()
        from_snapshot = j.path
        # The same page from the staff menu (a unit chooser first when the leader has several units).
        j.menu(menu_key)
        if "/enheter/" in j.path:
            j.tap(j.page.locator("main a").first)
        assert "/belegg/" in j.path and "bemanning" in j.text().lower()
        assert j.path == from_snapshot or persona == "styrer"  # the styrer's first unit in the chooser may differ


def test_a_pedagogical_leader_taps_children_in_and_marks_one_sick(
    chromium: Any, journey_server: str, journey_db: None
) -> None:
    with Journey(chromium, journey_server, "pedleder", "pedleder-krysseliste") as j:
        j.start()
        j.section("staff-attendance", "staff-checkin")
        if j.page.locator("#kryss-list").count() == 0:  # the list of the leader's departments
            j.tap(j.page.locator("main ul a").first)
        rows = j.page.locator("li.kryss-row")
        assert rows.count() >= 2, "the department has several children"
        summary = j.page.locator(".kryss-summary")
        before = summary.inner_text()
        row = j.page.locator('li.kryss-row[data-status="expected"]').first
        child = row.get_attribute("data-child")
        j.taps += 1
        row.locator("button.kryss-button").click()
        j.page.locator(f'li.kryss-row[data-child="{child}"][data-status="in"]').wait_for()
        after_tap = summary.inner_text()
        assert after_tap != before, "the summary counts update after a tap, without a reload"
        # The row shows the tap at once; wait until the server has it (the tablet's queue is empty) before reloading.
        j.page.wait_for_function(
            "() => (localStorage.getItem('oas-kryss-queue-' + document.getElementById('kryss-list').dataset.unit)"
            " || '[]') === '[]'"
        )
        j.page.reload()
        j.visit.check(j.page)
        assert j.page.locator(f'li.kryss-row[data-child="{child}"]').get_attribute("data-status") == "in"
        assert summary.inner_text() == after_tap, "the tap is saved: the page counts the child in after a reload"
        absent_before = j.page.locator('li.kryss-row[data-status="absent"]').count()
        expected = j.page.locator('li.kryss-row[data-status="expected"]').first
        sick_child = expected.get_attribute("data-child")
        sick = expected.get_by_role("button", name="Syk")
        assert sick.count() >= 1, "staff can mark a child sick from the krysseliste"
        j.tap(sick.first)
        assert j.page.locator(f'li.kryss-row[data-child="{sick_child}"]').get_attribute("data-status") == "absent"
        assert j.page.locator('li.kryss-row[data-status="absent"]').count() == absent_before + 1


def test_a_teacher_sends_a_notice_and_sees_who_has_read_it(
    chromium: Any, journey_server: str, journey_db: None
) -> None:
    with Journey(chromium, journey_server, "laerer", "laerer-notice") as j:
        j.start()
        j.menu("staff-messages")
        j.link("Nytt oppslag")
        j.page.locator("input[name=targets]").first.check()
        j.page.get_by_label("Tittel").fill("Turdag fredag")
        j.page.get_by_label("Tekst").fill("Husk matpakke og gode sko.")
        j.button("Send oppslag")
        assert j.page.locator("#notice-status").count() == 1
        j.link("Til meldinger")
        j.link("Sendte oppslag")
        row = j.page.get_by_test_id("sent-notices").locator("tr").filter(has_text="Turdag fredag")
        assert row.count() == 1, "the sent notice is listed with its read count"
        assert " av " in row.inner_text()
        j.tap(row.get_by_role("link", name="Turdag fredag"))
        assert "Turdag fredag" in j.text()
        assert j.page.get_by_test_id("read-count").count() == 1, "the notice's page shows how many have read it"
        assert "Hvem har ikke lest det" in j.text()
