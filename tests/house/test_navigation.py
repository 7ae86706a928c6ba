"""The app shell: every person finds their pages from the menu, and the menu never leads to a refusal."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.personas import persona_user

pytestmark = pytest.mark.django_db

STAFF_PERSONAS = ["sysadmin", "opptak", "faktura", "rektor", "laerer", "sfoleder", "styrer"]
GUARDIAN_PERSONAS = ["foresatt", "foster", "uten"]
HREF = re.compile(r'data-nav="(?P<key>[^"]+)"')


def _client(key: str) -> Client:
    client = Client()
    client.force_login(persona_user(key))
    return client


def _menu(html: str) -> dict[str, str]:
    """{entry key: url} of the menu bar."""
    bar = html.split('class="oas-nav-bar"', 1)[1].split("</ul>", 1)[0]
    return {
        m.group("key"): m.group("url") for m in re.finditer(r'href="(?P<url>[^"]+)"[^>]*data-nav="(?P<key>[^"]+)"', bar)
    }


def _follow(client: Client, url: str) -> Any:
    return client.get(url, follow=True)


def test_logged_in_people_land_on_their_own_home(demo_municipality: Any) -> None:
    assert _client("foresatt").get("/")["Location"] == "/portal/"
    assert _client("laerer").get("/")["Location"] == "/arbeidsflate/"
    public = Client().get("/")
    assert public.status_code == 200
    assert "Logg inn som foresatt" in public.content.decode()


def test_the_guardian_menu_has_every_guardian_module_and_no_staff_module(demo_municipality: Any) -> None:
    response = _client("foresatt").get("/portal/")
    assert response.status_code == 200
    menu = _menu(response.content.decode())
    assert set(menu) >= {
        "guardian-children",
        "guardian-absence",
        "guardian-messages",
        "guardian-calendar",
        "guardian-applications",
        "guardian-invoices",
        "guardian-settings",
    }
    assert not [key for key in menu if key.startswith("staff-")]
    assert "Logg ut" in response.content.decode()


@pytest.mark.parametrize("persona", STAFF_PERSONAS + GUARDIAN_PERSONAS)
def test_every_menu_entry_and_section_entry_opens_for_the_person(demo_municipality: Any, persona: str) -> None:
    client = _client(persona)
    home = "/portal/" if persona in GUARDIAN_PERSONAS else "/arbeidsflate/"
    menu = _menu(client.get(home).content.decode())
    assert menu, persona
    for key, url in menu.items():
        response = _follow(client, url)
        assert response.status_code == 200, (persona, key, url, response.status_code)
        if "/meny/" in url:  # a section page: its entries open too
            for sub in re.finditer(r'href="(?P<url>[^"]+)" data-nav="(?P<key>[^"]+)"', response.content.decode()):
                assert _follow(client, sub.group("url")).status_code == 200, (persona, sub.group("key"))


def test_staff_menus_follow_permitted_actions_not_role_names(demo_municipality: Any) -> None:
    teacher = _menu(_client("laerer").get("/arbeidsflate/").content.decode())
    finance = _menu(_client("faktura").get("/arbeidsflate/").content.decode())
    admission = _menu(_client("opptak").get("/arbeidsflate/").content.decode())
    sysadmin = _menu(_client("sysadmin").get("/arbeidsflate/").content.decode())
    assert "staff-invoicing" in finance
    assert "staff-invoicing" not in teacher
    assert "staff-admission" in admission
    assert "staff-admission" not in teacher
    assert "staff-admin" in sysadmin
    assert "staff-admin" not in teacher
    assert {"staff-home", "staff-messages"} <= set(teacher)


def test_inner_pages_have_breadcrumbs_and_a_named_title(demo_municipality: Any) -> None:
    client = _client("foresatt")
    html = client.get("/portal/fravaer/").content.decode()
    crumbs = html.split('class="oas-container oas-breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/portal/"' in crumbs
    assert re.search(r"<title>Fravær – Oppvekst</title>", html)
    assert 'aria-current="page" data-nav="guardian-absence"' in html


def test_sick_child_is_two_taps_from_the_portal_home(demo_municipality: Any) -> None:
    client = _client("foresatt")
    home = client.get("/portal/").content.decode()
    assert 'data-testid="sykt-barn-snarvei"' in home
    page = client.get("/portal/fravaer/").content.decode()
    assert "Sykt barn i dag" in page


def test_section_page_allowed_and_denied(demo_municipality: Any) -> None:
    assert _client("opptak").get("/meny/staff-admission/").status_code == 200
    # Another audience's section, or a section with nothing the user may use: 404.
    assert _client("foresatt").get("/meny/staff-admission/").status_code == 404
    assert _client("laerer").get("/meny/staff-invoicing/").status_code == 404
    assert _client("laerer").get("/meny/no-such-section/").status_code == 404
    assert Client().get("/meny/staff-admission/").status_code == 302  # to the login


def test_unit_chooser_allowed_and_denied(demo_municipality: Any) -> None:
    styrer = _client("styrer").get("/meny/staff-occupancy/enheter/")
    assert styrer.status_code in (200, 302)
    if styrer.status_code == 302:
        assert re.match(r"^/barnehage/\d+/belegg/$", styrer["Location"])
    assert _client("laerer").get("/meny/staff-occupancy/enheter/").status_code == 403
    assert _client("foresatt").get("/meny/staff-occupancy/enheter/").status_code == 404


def test_settings_and_statements(demo_municipality: Any) -> None:
    settings_page = _client("foresatt").get("/innstillinger/")
    assert settings_page.status_code == 200
    assert 'name="language"' in settings_page.content.decode()
    assert Client().get("/innstillinger/").status_code == 302
    for url in ("/om/tilgjengelighet/", "/om/personvern/"):
        page = Client().get(url)
        assert page.status_code == 200
        assert 'href="/om/tilgjengelighet/"' in page.content.decode()  # the footer links both


def test_a_refused_page_is_norwegian_inside_the_layout(demo_municipality: Any) -> None:
    response = _client("laerer").get("/fakturering/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Ingen tilgang" in html
    assert 'class="oas-nav-bar"' in html
    assert "Tilbake til forsiden" in html


def test_an_unknown_page_is_norwegian_inside_the_layout(demo_municipality: Any, settings: Any) -> None:
    settings.DEBUG = False
    response = _client("foresatt").get("/finnes-ikke/")
    assert response.status_code == 404
    assert "Fant ikke siden" in response.content.decode()
