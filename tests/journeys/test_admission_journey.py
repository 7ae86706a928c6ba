"""Admission end to end: the guardian applies on a phone, the office runs and publishes, the guardian accepts.

The sector office (persona ``opptak``) also creates a new kindergarten round from its page. Everything is
reached through the menu and the pages' links.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.journeys.journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _guardian_applications(j: Journey, child: str) -> None:
    j.menu("guardian-applications")
    if "/meny/" in j.page.url:
        j.tap(j.page.locator(f'main a[data-nav="{child}"]'))


def test_the_office_creates_a_kindergarten_round(chromium: Any, journey_server: str, journey_db: None) -> None:
    with Journey(chromium, journey_server, "opptak", "opptak-create") as j:
        j.start()
        j.section("staff-admission", "staff-kindergarten-rounds")
        form = j.page.locator("main form").last
        form.get_by_label("Kode").fill("hovedopptak-2027")
        form.get_by_label("Navn").fill("Hovedopptak 2027")
        form.get_by_label("Type").select_option(index=0)
        form.get_by_label("Søknadsfrist").fill("2027-03-01")
        form.get_by_label("Oppstart").fill("2027-08-01")
        j.button("Opprett")
        assert "Hovedopptak 2027" in j.text()
        j.link("Hovedopptak 2027")
        j.button("Åpne for søknader")
        assert "Åpen" in j.text() or "åpen" in j.text()


def test_sfo_application_is_offered_and_accepted(chromium: Any, journey_server: str, journey_db: None) -> None:
    with Journey(chromium, journey_server, "foresatt", "guardian-sfo", phone=True) as g:
        g.start()
        _guardian_applications(g, "guardian-sfo")
        g.link("Søk SFO-plass")
        for select in g.page.locator("main form select").all():
            select.select_option(index=1 if select.locator("option").count() > 1 else 0)
        g.button("Send søknad")
        assert g.page.locator("li.sfo-application").count() >= 1
        with Journey(chromium, journey_server, "opptak", "opptak-sfo") as o:
            o.start()
            o.section("staff-admission", "staff-sfo-rounds")
            o.button("Steng for søknader")
            o.button("Kjør tildeling og publiser")
            assert o.page.locator('tr[data-state="published"]').count() >= 1 or "ublis" in o.text()
        _guardian_applications(g, "guardian-sfo")
        g.button("Ta imot")
        assert g.page.locator('li.sfo-application[data-status="accepted"]').count() >= 1


def test_kindergarten_application_is_matched_published_and_accepted(
    chromium: Any, journey_server: str, journey_db: None
) -> None:
    with Journey(chromium, journey_server, "foresatt", "guardian-kindergarten", phone=True) as g:
        g.start()
        _guardian_applications(g, "guardian-kindergarten")
        g.tap(g.page.locator("main a.apply-link").first)
        g.page.get_by_label("Ønsket oppstart").fill("2027-01-04")
        g.page.get_by_label("Ønske 1").select_option(index=1)
        g.tap(g.page.get_by_test_id("send-application"))
        assert g.page.locator("li.kg-application").count() >= 1
        with Journey(chromium, journey_server, "opptak", "opptak-kindergarten") as o:
            o.start()
            o.section("staff-admission", "staff-kindergarten-rounds")
            o.tap(o.page.locator("table.kg-rounds a").first)
            o.tap(o.page.get_by_test_id("close-round"))
            o.tap(o.page.get_by_test_id("run-matching"))
            o.tap(o.page.get_by_test_id("publish-round"))
            assert "ublis" in o.text()
        _guardian_applications(g, "guardian-kindergarten")
        g.tap(g.page.locator("li.kg-application a").first)
        g.button("Ta imot")
        assert "akseptert" in g.text().lower() or "tatt imot" in g.text().lower()
