"""Issue 13's journey on realistic data: in a kindergarten that already has a hundred other children, a guardian
finds the offer through the menu and accepts it, and another guardian ends her child's place there — both in a
real browser, both of which failed on a real municipality while the overlap constraint compared every child."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connections

from kindergarten import services
from kindergarten.models import Offer, OfferStatus, RoundState
from oas import clock
from oas.demo_personas import PERSONAS_BY_KEY
from oas.organisation.models import OrgUnit
from oas.people.models import Person, Placement, Service
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LOCALE, playwright_or_skip, session_cookie
from tests.factories import ChildFactory, PlacementFactory, guardian_account
from tests.kindergarten.demo import START, demo_round
from tests.kindergarten.factories import family
from tests.personas import persona_user

TODAY = dt.date(2027, 4, 20)


def _open_by_menu(page: Any, url: str) -> None:
    """From the front page, through the menu: Søknader › Barnehage."""
    page.goto(f"{url}/")
    page.locator('.oas-nav-bar a[data-nav="guardian-applications"]').click()
    if "/meny/" in page.url:
        page.locator('main a[data-nav="guardian-kindergarten"]').click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_accept_an_offer_and_end_a_place_in_a_kindergarten_with_a_hundred_other_children(
    demo_municipality: Any, live_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync_api = playwright_or_skip(monkeypatch)
    monkeypatch.setattr("integrations.outbox.services._kick_claimer", lambda: None)
    demo = OrgUnit.objects.get(name="Demo barnehage", municipality=demo_municipality)
    for i in range(100):  # other children with open places that overlap everything below
        other = ChildFactory(birth_date=dt.date(2022, 1, 1) + dt.timedelta(days=3 * i))
        PlacementFactory(child=other, unit=demo, service=Service.KINDERGARTEN, start_date=dt.date(2025, 8, 1))
    assert Placement.objects.filter(unit__path__startswith=demo.path, end_date__isnull=True).count() >= 100

    rnd, _units = demo_round(demo_municipality, capacity={"Demo barnehage": 2}, small=2)
    fam = family(birth_date=dt.date(2024, 5, 1))
    with clock.freeze(dt.date(2027, 2, 1)):
        application = services.application_submit(
            admission_round=rnd, child=fam.child, applicant=fam.guardian, choices=[demo], wanted_start_date=START
        )
    with clock.freeze(TODAY):
        services.admission_round_set_state(admission_round=rnd, state=RoundState.CLOSED)
        services.admission_round_match(admission_round=rnd)
        services.admission_round_publish(admission_round=rnd)
    offer = Offer.objects.get(application=application)

    hanne = Person.objects.get(national_id=PERSONAS_BY_KEY["foresatt"].national_id)
    daughter = Placement.objects.get(
        child__relations_as_child__adult=hanne, unit__path__startswith=demo.path, end_date__isnull=True
    ).child
    url = live_server.url
    with clock.freeze(TODAY), sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale=LOCALE)
            context.add_cookies([session_cookie(guardian_account(fam.guardian).user, url)])
            page = context.new_page()
            _open_by_menu(page, url)
            page.locator(f'.kg-application[data-application="{application.pk}"] a').click()
            page.get_by_test_id(f"accept-{offer.pk}").click()
            page.wait_for_load_state()
            assert page.locator(f'.kg-offer[data-offer="{offer.pk}"]').get_attribute("data-status") == "accepted"

            # The demo guardian ends her daughter's place in the same kindergarten.
            mother = browser.new_context(locale=LOCALE)
            mother.add_cookies([session_cookie(persona_user("foresatt"), url)])
            mpage = mother.new_page()
            _open_by_menu(mpage, url)
            mpage.locator(f'a[href="/portal/barnehage/barn/{daughter.pk}/si-opp/"]').click()
            mpage.wait_for_load_state()
            mpage.get_by_role("button", name="Si opp plassen").first.click()
            mpage.wait_for_load_state()
        finally:
            browser.close()
            connections.close_all()

    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED
    assert Placement.objects.filter(child=fam.child, unit=demo, start_date=START).exists()
    ended = Placement.objects.get(child=daughter, unit__path__startswith=demo.path)
    assert ended.end_date is not None  # ended with the notice period
