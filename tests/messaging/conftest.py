"""Messaging fixtures: the access personas' world (tests/access/conftest.py), a clean cache, private media."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.cache import cache
from django.test import Client

from integrations.sms.simulator import SmsSimulator
from oas import clock
from oas.identity.login_session import SESSION_AUTH
from oas.identity.providers import LOA_HIGH
from oas.people.models import Person
from tests import factories as f
from tests.access.conftest import World, world

__all__ = ["World", "world"]


@pytest.fixture(autouse=True)
def _clean_cache_and_media(settings: Any, tmp_path: Path) -> Iterator[None]:
    cache.clear()  # rate-limit counters live in Redis
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    yield
    cache.clear()


@pytest.fixture
def sms_sim(settings: Any) -> Iterator[SmsSimulator]:
    with SmsSimulator() as server:
        sim = cast(SmsSimulator, server)
        settings.SMS_SIMULATOR_URL = sim.url
        yield sim


def person(world: World, persona: str) -> Person:
    found = world.accounts[persona].person
    assert found is not None
    return found


def new_person(**kwargs: Any) -> Person:
    return cast(Person, f.PersonFactory(**kwargs))


def login(client: Client, world: World, persona: str, *, acr: str = "") -> Client:
    client.force_login(cast(Any, world.user(persona)))
    if acr:
        session = client.session
        session[SESSION_AUTH] = {
            "provider": "idporten",
            "kind": "guardian",
            "acr": acr,
            "acr_at": clock.now().timestamp(),
            "id_token": "",
            "sid": "",
        }
        session.save()
    return client


def login_high(client: Client, world: World, persona: str) -> Client:
    return login(client, world, persona, acr=LOA_HIGH)
