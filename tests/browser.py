"""Shared settings for the Playwright tests: Debian's Chromium (never a downloaded browser), in bokmål.

Browser contexts ask for Norwegian bokmål (``locale=LOCALE``) as a Norwegian user's browser does; without it
headless Chromium sends ``Accept-Language: en-US`` and the pages come in English.
"""

from __future__ import annotations

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
