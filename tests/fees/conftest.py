"""Fixtures for fee tests: the seeded rates and a clean throttle counter for the public API."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.core.management import call_command


@pytest.fixture
def seeded_rates(db: None) -> None:
    """National rates from 2024/25 and Lillestrøm's demo prices, as ``manage.py seed_fee_rates`` loads them."""
    call_command("seed_fee_rates", stdout=io.StringIO())


@pytest.fixture(autouse=True)
def clean_quote_throttle() -> Iterator[None]:
    """The API's rate limit counts in Redis per client address; start every test at zero."""
    key = "throttle_fees_quote_127.0.0.1"
    cache.delete(key)
    yield
    cache.delete(key)
