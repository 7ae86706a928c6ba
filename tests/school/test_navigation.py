"""The school pages are reachable from the menu (oas.navigation, merged from branch w-nav)."""

from __future__ import annotations

import pytest

from tests.school.conftest import SchoolDemo, persona_user

navigation = pytest.importorskip("oas.navigation")

pytestmark = pytest.mark.django_db


def _visible(key: str, persona: str) -> bool:
    return bool(navigation.item_visible(user=persona_user(persona), item=navigation.nav_item(key)))


def test_menu_entries_follow_the_pages_actions(school_demo: SchoolDemo) -> None:
    assert _visible("staff-school-groups", "laerer")
    assert not _visible("staff-school-groups", "foresatt")
    assert _visible("staff-school-overview", "rektor")
    assert not _visible("staff-school-overview", "laerer")
    assert _visible("guardian-school", "foresatt")
    assert not _visible("guardian-school", "laerer")
    assert _visible("staff-school-structure", "rektor")
    assert not _visible("staff-school-structure", "laerer")


def test_new_menu_entries_follow_the_pages_actions(school_demo: SchoolDemo) -> None:
    assert _visible("staff-school-rollover", "opptak")
    assert not _visible("staff-school-rollover", "rektor")
    assert _visible("staff-school-leave", "rektor")
    assert not _visible("staff-school-leave", "kontaktlaerer")
    assert _visible("guardian-school-leave", "foresatt")
    assert not _visible("guardian-school-leave", "uten")
