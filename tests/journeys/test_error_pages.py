"""The 403, 404 and 500 pages: Norwegian, inside the layout (menu and footer), a way back and a contact line."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from tests.journeys.journey import Journey


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize(
    ("persona", "path", "status", "heading"),
    [
        ("foresatt", "/finnes-ikke/", 404, "Fant ikke siden"),
        ("foresatt", "/fakturering/", 403, "Ingen tilgang"),
    ],
)
def test_an_error_page_sits_in_the_layout_with_a_way_back_and_a_contact_line(
    persona: str, path: str, status: int, heading: str, chromium: Any, journey_server: str, journey_db: None
) -> None:
    with Journey(chromium, journey_server, persona, f"error-{status}", phone=True) as j:
        response = j.page.goto(f"{journey_server}{path}")  # typed on purpose: nothing in the menu leads here
        assert response is not None
        assert response.status == status
        j.visit.check(j.page)
        assert j.page.locator("h1").inner_text().strip() == heading
        assert heading in j.page.title()
        assert j.page.get_by_test_id("menu").count() == 1, "the menu is there"
        assert "Kontakt" in j.text()
        footer = j.page.locator("footer")
        assert footer.get_by_role("link", name="Tilgjengelighetserklæring").count() == 1
        assert footer.get_by_role("link", name="Personvern").count() == 1
        j.link("Tilbake til forsiden")
        assert j.path == "/portal/"


def test_the_500_page_is_norwegian_with_a_way_back_a_contact_line_and_the_statements() -> None:
    from django.views.defaults import server_error

    html = server_error(RequestFactory().get("/")).content.decode()
    assert '<html lang="nb"' in html
    assert "Noe gikk galt" in html
    assert 'href="/"' in html
    assert "Kontakt kommunens servicetorg" in html
    assert 'href="/om/tilgjengelighet/"' in html
    assert 'href="/om/personvern/"' in html
