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


@pytest.fixture
def demo_municipality(db: None) -> object:
    """The small demo municipality (``seed_demo --size small``) as realistic surroundings for a test.

    Four municipalities (3030 Lillestrøm and neighbours), 40 units, ~250 people, ~110 placements, every demo
    persona: a test that builds its own scenario on top of it sees other children, families and municipalities,
    as in a real deployment. Returns the Lillestrøm ``Municipality``. Takes about 0.3 s.
    """
    import io

    from django.core.management import call_command

    from oas.organisation.models import Municipality

    call_command("seed_demo", "--size", "small", stdout=io.StringIO())
    return Municipality.objects.filter(number="3030").order_by("-valid_from").first()
