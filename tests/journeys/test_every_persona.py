"""Every other demo persona who may log in lands on their own home, which passes axe-core and names its page.

The core journeys (the other modules here) walk further; this sweep makes sure no persona's first screen has
a serious accessibility fault or an empty menu. ``ukjent`` is not in the register and is refused at login.
"""

from __future__ import annotations

from typing import Any

import pytest

from oas.demo_personas import PERSONAS
from tests.journeys.journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Their journeys start from the same home (tests/journeys/test_*_journey*.py).
WALKED_ELSEWHERE = {"foresatt", "styrer", "rektor", "pedleder", "opptak", "faktura", "laerer", "sysadmin"}


def test_every_persona_lands_on_an_accessible_home_with_a_menu(
    chromium: Any, journey_server: str, journey_db: None
) -> None:
    for persona in PERSONAS:
        if persona.key in WALKED_ELSEWHERE or persona.key == "ukjent":
            continue
        guardian = persona.kind == "guardian"
        with Journey(chromium, journey_server, persona.key, f"home-{persona.key}", phone=guardian) as j:
            j.start()
            assert j.path == ("/portal/" if guardian else "/arbeidsflate/"), persona.key
            menu = ".oas-menu-list a[data-nav]" if guardian else ".oas-nav-bar a[data-nav]"
            assert j.page.locator(menu).count() >= 2, f"{persona.key}: the menu offers their modules"
