"""Shared fixtures: real PostgreSQL (pytest-django) and real Redis; only national services are simulated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from oas import clock


@pytest.fixture
def frozen_today() -> Iterator[dt.date]:
    """Freeze the clock at a fixed school day (Thursday 2026-11-19, 09:00 Oslo)."""
    day = dt.date(2026, 11, 19)
    with clock.freeze(day):
        yield day
