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
        assert "Hovedopptak 2027" in j.page.locator("h1").inner_text(), "the new round's page opens"
        j.button("Åpne for søknader")
        assert j.page.get_by_test_id("close-round").count() == 1, "the new round is open for applications"


def test_sfo_application_is_offered_and_accepted(chromium: Any, journey_server: str, journey_db: None) -> None:
    with Journey(chromium, journey_server, "foresatt", "guardian-sfo", phone=True) as g:
        g.start()
        _guardian_applications(g, "guardian-sfo")
        # Emma starts school next autumn (her brother Jonas already has an SFO place).
        g.tap(g.page.locator("ul.sfo-children li").filter(has_text="Emma").get_by_role("link"))
        g.page.get_by_label("Ønsket oppstart").fill("2027-08-16")
        g.button("Send søknad")
        assert g.page.locator("li.sfo-application").count() >= 1
        with Journey(chromium, journey_server, "opptak", "opptak-sfo") as o:
            o.start()
            o.section("staff-admission", "staff-sfo-rounds")
            o.tap(o.page.locator('table.sfo-rounds tr[data-state="open"] a').first)  # the demo's open round
            o.tap(o.page.get_by_test_id("close-round"))
            o.tap(o.page.get_by_test_id("run-matching"))
            assert "Emma" in o.text(), "the proposal lists the child"
            o.tap(o.page.get_by_test_id("publish-round"))
            # Publishing asks first and says what will happen; nothing is published until the office confirms.
            assert o.page.locator('.round-state[data-state="published"]').count() == 0
            o.button("Ja, kjør tildeling og publiser")
            assert o.page.locator('.round-state[data-state="published"], tr[data-state="published"]').count() >= 1
        _guardian_applications(g, "guardian-sfo")
        g.button("Ta imot")
        assert g.page.locator('li.sfo-application[data-status="accepted"]').count() >= 1


def _newborn_sibling() -> str:
    """A baby in the guardian's family (born September 2025), with both parents holding parental responsibility."""
    import datetime as dt

    from oas.demo_personas import PERSONAS_BY_KEY
    from oas.people.models import Foreldreansvar, Person, PersonRelation, RelationKind
    from tests.factories import ChildFactory

    mother = Person.objects.get(national_id=PERSONAS_BY_KEY["foresatt"].national_id)
    father = Person.objects.get(national_id=PERSONAS_BY_KEY["foresatt2"].national_id)
    baby: Any = ChildFactory(
        first_name="Mia",
        last_name=mother.last_name,
        birth_date=dt.date(2025, 9, 1),
        street_address=mother.street_address,
        postal_code=mother.postal_code,
        postal_place=mother.postal_place,
    )
    for parent in (mother, father):
        PersonRelation.objects.create(
            adult=parent,
            child=baby,
            kind=RelationKind.GUARDIAN,
            foreldreansvar=Foreldreansvar.FELLES,
            valid_from=baby.birth_date,
        )
    return str(baby.pk)


def test_kindergarten_application_is_matched_published_and_accepted(
    chromium: Any, journey_server: str, journey_db: None
) -> None:
    baby = _newborn_sibling()
    with Journey(chromium, journey_server, "opptak", "opptak-kindergarten") as o:
        o.start()
        o.section("staff-admission", "staff-kindergarten-rounds")
        o.link("Løpende opptak")
        o.page.get_by_label("Barnehage", exact=True).select_option(label="Demo barnehage")
        o.page.get_by_label("Aldersgruppe", exact=True).select_option(index=0)
        o.page.get_by_label("Plasser i opptaket", exact=True).fill("2")
        o.button("Lagre kapasitet")
        assert "Demo barnehage" in o.page.locator("table.kg-capacity").inner_text()
        with Journey(chromium, journey_server, "foresatt", "guardian-kindergarten", phone=True) as g:
            g.start()
            _guardian_applications(g, "guardian-kindergarten")
            g.tap(g.page.get_by_test_id(f"apply-{baby}"))
            g.page.get_by_label("Ønske 1").select_option(label="Demo barnehage")
            g.page.get_by_label("Ønsket oppstart").fill("2027-01-04")
            g.tap(g.page.get_by_test_id("send-application"))
            assert "Søknaden er sendt" in g.text()
            o.page.reload()  # the office's round page, still open in its own window
            o.tap(o.page.get_by_test_id("close-round"))
            o.tap(o.page.get_by_test_id("run-matching"))
            assert "Mia" in o.text(), "the proposal lists the child"
            o.tap(o.page.get_by_test_id("publish-round"))
            assert o.page.locator('.round-state[data-state="published"]').count() == 0, "publishing asks first"
            o.button("Ja, publiser tilbud og vedtak")
            _guardian_applications(g, "guardian-kindergarten")
            g.tap(g.page.locator("li.kg-application a").first)
            g.button("Ta imot")
            assert "Ta imot" not in g.text(), g.text()
