"""Shared settings for the Playwright tests: Debian's Chromium (never a downloaded browser), in bokmål.

Browser contexts ask for Norwegian bokmål (``locale=LOCALE``) as a Norwegian user's browser does; without it
headless Chromium sends ``Accept-Language: en-US`` and the pages come in English.
"""

from __future__ import annotations

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
