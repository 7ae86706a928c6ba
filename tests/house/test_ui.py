"""The base layout and the front page: landmarks, vendored assets, entrances, and the language switch."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from oas.ops.translations import compile_catalogues

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def translations(settings):
    """Compile the catalogues (with Babel, as on a machine without gettext) and reload them."""
    compiled = compile_catalogues()
    assert {p.parent.parent.name for p in compiled} >= {"nb", "nn", "en"}
    settings.LOCALE_PATHS = list(settings.LOCALE_PATHS)  # setting_changed clears Django's translation cache
    return compiled


def test_front_page_has_landmarks_skip_link_and_both_entrances(client, translations):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in html
    assert 'href="#main"' in html and "Hopp til hovedinnhold" in html
    assert 'href="/login/staff/"' in html and "Logg inn som ansatt" in html
    assert 'href="/login/guardian/"' in html and "Logg inn som foresatt" in html
    assert 'href="/priskalkulator/"' in html
    assert '<html lang="nb"' in html
    assert "hx-headers" in html and "X-CSRFToken" in html
    assert "vendor/designsystemet/index.css" in html and "vendor/htmx/htmx.min.js" in html


def test_front_page_refuses_post(client):
    assert client.post("/").status_code == 405


@pytest.mark.parametrize(
    ("language", "expected", "html_lang"),
    [("en", "Log in as staff", "en"), ("nn", "Logg inn som tilsett", "nn"), ("nb", "Logg inn som ansatt", "nb")],
)
def test_switching_language_changes_the_page_text(client, translations, language, expected, html_lang):
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert expected in page
    assert f'<html lang="{html_lang}"' in page


def test_an_unknown_language_is_ignored(client, translations):
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert "Logg inn som ansatt" in client.get("/").content.decode()


@pytest.mark.parametrize("package", ["designsystemet", "htmx"])
def test_vendored_assets_carry_license_and_version(package):
    folder = ROOT / "static" / "vendor" / package
    assert (folder / "LICENSE").read_text().strip()
    assert (folder / "VERSION").read_text().strip()[0].isdigit()
    assert (ROOT / "scripts" / "refresh_vendor.sh").exists()
    assert settings.STATICFILES_DIRS


def test_readme_demo_login_table_matches_demo_personas():
    import importlib.util

    spec = importlib.util.spec_from_file_location("readme_personas", ROOT / "scripts" / "readme_personas.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.table() in (ROOT / "README.md").read_text(encoding="utf-8")
