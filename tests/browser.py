"""Shared settings for the Playwright tests: Debian's Chromium (never a downloaded browser), in bokmål.

Browser contexts ask for Norwegian bokmål (``locale=LOCALE``) as a Norwegian user's browser does; without it
headless Chromium sends ``Accept-Language: en-US`` and the pages come in English.

:class:`Visit` checks each page a test lands on: axe-core (serious or critical violations fail the test) and a
full-page screenshot under ``var/test-artifacts/screens/`` for people to look at.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
LOCALE = "nb-NO"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENS = Path(settings.BASE_DIR) / "var" / "test-artifacts" / "screens"


def playwright_or_skip(monkeypatch: Any) -> Any:
    """Playwright's sync API, or skip the test when Playwright or Debian's Chromium is missing.

    Django's live server and these tests share the database from Playwright's event loop thread, which Django
    refuses unless told that it is safe here (``DJANGO_ALLOW_ASYNC_UNSAFE``).
    """
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (Playwright never downloads a browser here)")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return sync_api


def session_cookie(user: Any, live_url: str) -> dict[str, Any]:
    """A logged-in session for the browser (force-login: the OIDC flow is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_url,
    }


_AXE: list[str] = []


def axe_source() -> str:
    """axe-core's script (shipped by the axe-playwright-python package), read once."""
    if not _AXE:
        axe = pytest.importorskip("axe_playwright_python")
        _AXE.append((Path(axe.__file__).parent / "axe.min.js").read_text())
    return _AXE[0]


class Visit:
    """Checks each page the browser lands on: axe-core (serious/critical fail the test) and a screenshot."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.axe = axe_source()
        self.seen: list[str] = []
        SCREENS.mkdir(parents=True, exist_ok=True)

    def check(self, page: Any) -> None:
        page.wait_for_load_state()
        path = re.sub(r"^https?://[^/]+", "", page.url)
        self.seen.append(path)
        slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
        page.screenshot(path=str(SCREENS / f"{self.name}-{len(self.seen):02d}-{slug[:60]}.png"), full_page=True)
        page.evaluate(self.axe)  # through DevTools: the page's Content-Security-Policy allows no inline script
        result = page.evaluate("async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))")
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
            for v in json.loads(result)["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"{path}: {bad}"
        # Every page names itself: the <title> is more than the site's name.
        title = page.title()
        assert title and not title.startswith("OAS –"), f"{path}: the <title> does not name the page ({title!r})"
