"""Counts beside menu entries are read out with their plural form ("1 ny", "2 nye"; "1 ulest melding")."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


@pytest.mark.parametrize(("count", "spoken"), [(1, "1 ny"), (2, "2 nye")])
def test_a_menu_badge_says_its_count_with_the_plural_form(count: int, spoken: str) -> None:
    entry = {"key": "guardian-messages", "label": "Meldinger", "url": "/meldinger/", "badge": count, "current": False}
    with translation.override("nb"):
        html = render_to_string("nav/_entry.html", {"entry": entry})
    assert f'<span class="ds-sr-only">{spoken}</span>' in html


def test_the_portal_home_says_unread_messages_with_ngettext() -> None:
    source = (Path(settings.BASE_DIR) / "templates/portal/home.html").read_text()
    assert "{% blocktranslate count n=entry.badge %}{{ n }} ulest melding{% plural %}" in source
