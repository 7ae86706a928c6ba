"""The quote API's rate limit cannot be escaped by rotating X-Forwarded-For; only a configured proxy is believed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from fees.api import FeeQuoteThrottle
from oas.client_ip import client_ip
from tests.fees.test_api import URL, household

pytestmark = pytest.mark.django_db

PROXY = "10.20.0.5"


@pytest.fixture(autouse=True)
def clean_counters() -> Iterator[None]:
    keys = [f"throttle_fees_quote_{ip}" for ip in ("127.0.0.1", PROXY, "203.0.113.7", "203.0.113.8")]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


def _post(client: APIClient, **meta: Any) -> int:
    return int(client.post(URL, household(), format="json", **meta).status_code)


def test_rotating_x_forwarded_for_from_an_untrusted_peer_does_not_escape_the_limit(
    seeded_rates: None, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    settings.TRUSTED_PROXIES = [PROXY]
    monkeypatch.setattr(FeeQuoteThrottle, "rate", "2/min")
    client = APIClient()
    statuses = [_post(client, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}") for n in range(4)]
    assert statuses == [200, 200, 429, 429]


def test_behind_the_configured_proxy_each_client_address_has_its_own_limit(
    seeded_rates: None, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    settings.TRUSTED_PROXIES = ["10.20.0.0/24"]
    monkeypatch.setattr(FeeQuoteThrottle, "rate", "2/min")
    client = APIClient()
    first = [_post(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7") for _ in range(3)]
    assert first == [200, 200, 429]
    # Another client behind the same proxy is counted apart; a spoofed left-most hop changes nothing.
    assert _post(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.8") == 200
    assert _post(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7") == 429


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("192.0.2.1", "203.0.113.7", "192.0.2.1"),  # not a proxy: header ignored
        ("10.20.0.5", "203.0.113.7", "203.0.113.7"),
        ("10.20.0.5", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the right-most untrusted hop
        ("10.20.0.5", "203.0.113.7, 10.20.0.9", "203.0.113.7"),  # a chain of trusted proxies
        ("10.20.0.5", "", "10.20.0.5"),
        ("10.20.0.5", "not-an-address", "10.20.0.5"),
        ("10.20.0.5", "[2001:db8::1]:443", "2001:db8::1"),
    ],
)
def test_client_ip(settings, remote: str, forwarded: str, expected: str) -> None:
    settings.TRUSTED_PROXIES = ["10.20.0.0/24"]
    assert client_ip({"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}) == expected


def test_without_trusted_proxies_the_header_is_never_believed(settings) -> None:
    settings.TRUSTED_PROXIES = []
    assert client_ip({"REMOTE_ADDR": "10.20.0.5", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}) == "10.20.0.5"
