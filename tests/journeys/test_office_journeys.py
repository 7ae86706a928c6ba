"""The sector office on a desktop: the invoicing run (then a guardian reads the invoice) and the system
administrator's grant to a person found by name, through the menu and the pages' links only."""

from __future__ import annotations

from typing import Any

import pytest

from tests.journeys.journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_faktura_previews_confirms_and_commits_a_month_then_the_guardian_reads_it(
    chromium: Any, journey_server: str, journey_db: None
) -> None:
    with Journey(chromium, journey_server, "faktura", "faktura-run") as j:
        j.start()
        j.section("staff-invoicing", "staff-invoicing-runs")
        j.button("Forhåndsvis (prøvekjøring)")
        assert j.page.locator("section.invoice-preview").count() == 1, "the preview shows the month's lines"
        assert j.page.locator("section.invoice-preview tbody tr").count() >= 1
        first_child = j.page.locator("section.invoice-preview tr.preview-line td").first.inner_text().strip()
        assert first_child and not first_child.isdigit(), f"the preview names the child, not an id: {first_child!r}"
        payer = j.page.locator("section.invoice-preview tr.preview-line td").nth(1).inner_text().strip()
        assert payer and not payer.isdigit(), f"the preview names the payer, not an id: {payer!r}"
        confirm = j.page.locator("input[name=bekreft_satser]")
        if confirm.count():  # unconfirmed national rates: the run asks before committing on them
            j.button("Fakturer måneden", check=False)
            assert j.page.locator("section.invoice-preview").count() == 1, "no commit without the confirmation"
            confirm.check()
        j.button("Fakturer måneden", check=False)  # the month is committed only after the office confirms
        assert j.page.locator("section.invoice-preview").count() == 1, "no commit without the confirmation"
        assert "er fakturert" not in j.text()
        j.page.locator("input[name=bekreft]").check()
        j.button("Fakturer måneden")
        assert "er fakturert" in j.text()
        assert j.page.locator("tr.run-row").count() >= 1
    with Journey(chromium, journey_server, "foresatt", "guardian-invoice", phone=True) as g:
        g.start()
        g.menu("guardian-invoices")
        if "/meny/" in g.page.url:
            g.tap(g.page.locator('main a[data-nav="guardian-invoice-list"]'))
        invoice = g.page.locator("section.oas-invoice").first
        assert invoice.count() == 1, "the committed month is on the guardian's invoice page"
        assert "kr" in invoice.inner_text()
        g.tap(invoice.locator("summary").first)  # open one line's calculation
        assert invoice.locator("details[open]").count() == 1


def test_sysadmin_grants_access_to_a_person_found_by_name(chromium: Any, journey_server: str, journey_db: None) -> None:
    from oas.access.models import AccessGrant
    from oas.demo_personas import PERSONAS_BY_KEY
    from oas.people.models import Person
    from tests.personas import persona_user

    teacher = persona_user("laerer")  # has logged in once, so there is a user to grant to
    child = Person.objects.get(national_id=PERSONAS_BY_KEY["foresatt"].national_id)
    before = AccessGrant.objects.filter(user=teacher).count()
    with Journey(chromium, journey_server, "sysadmin", "sysadmin-grant") as j:
        j.start()
        j.menu("staff-admin")
        j.link("Unntakstilganger")
        j.link("Legg til ny unntakstilgang")
        user_shown = _autocomplete(j, "user", teacher.last_name)
        j.page.locator("#id_action").select_option(index=1)
        person_shown = _autocomplete(j, "person", child.last_name)
        j.page.get_by_label("Gyldig fra").fill("19.11.2026")
        j.page.get_by_label("Gyldig til").fill("26.11.2026")  # grants expire
        j.page.get_by_label("Begrunnelse").fill("Vikar i 1A denne uken")
        j.tap(j.page.locator("input[name=_save]"))
        assert j.page.locator(".messagelist .success, ul.messagelist li").count() >= 1, j.text()
    assert AccessGrant.objects.filter(user=teacher).count() == before + 1
    assert child.last_name in person_shown, f"the person is chosen by name: {person_shown!r}"
    assert teacher.last_name in user_shown, f"the user is shown by name, not by username: {user_shown!r}"
    assert teacher.get_username() not in user_shown


def _autocomplete(j: Journey, field: str, term: str) -> str:
    """Choose in the admin's autocomplete (select2) by typing a name, as a person would; return what it showed."""
    j.page.locator(f"#id_{field} + .select2 .select2-selection").click()
    with j.page.expect_response(lambda r: "/autocomplete/" in r.url and "term=" in r.url):
        j.page.locator(".select2-container--open .select2-search__field").fill(term)
    options = j.page.locator(".select2-results__option--selectable, .select2-results__option[aria-selected]")
    named = options.filter(has_text=term)
    option = named.first if named.count() else options.first
    option.wait_for()
    shown = str(option.inner_text())
    option.click()
    return shown
