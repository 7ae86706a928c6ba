"""The guardian's everyday journeys on a phone (390×844), through the menu and the pages' own links only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.journeys.journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_guardian_reports_a_sick_child_in_two_taps_from_login(
    chromium: Any, journey_server: str, journey_db: None
) -> None:
    with Journey(chromium, journey_server, "foresatt", "guardian-sick", phone=True) as j:
        j.start()
        assert j.path == "/portal/", "the logged-in front page is the portal"
        j.tap(j.page.get_by_test_id("sykt-barn-snarvei"))
        j.button("Sykt barn i dag")
        assert "Fraværet er meldt" in j.text()
        assert j.taps < 3, f"sick child took {j.taps} taps from login"


def test_a_guardian_starts_a_message(chromium: Any, journey_server: str, journey_db: None) -> None:
    with Journey(chromium, journey_server, "foresatt", "guardian-message", phone=True) as j:
        j.start()
        j.menu("guardian-messages")
        j.link("Ny melding")
        assert j.path == "/meldinger/portal/ny/"
        j.page.get_by_label("Til (barn og mottaker)").select_option(index=1)
        j.page.get_by_label("Emne").fill("Henting i morgen")
        j.page.get_by_label("Melding", exact=True).fill("Bestemor henter i morgen.")
        j.button("Send melding")
        assert "Henting i morgen" in j.text()
        assert "Bestemor henter i morgen." in j.text()
