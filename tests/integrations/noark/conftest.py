"""Noark fixtures: one archive simulator per module (checking Maskinporten tokens), reset before each test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from integrations.maskinporten.client import MaskinportenClient, bearer_token_source
from integrations.maskinporten.simulator import MaskinportenSimulator
from integrations.noark.client import NoarkClient
from integrations.noark.simulator import REQUIRED_SCOPE, NoarkSimulator


@pytest.fixture(scope="module")
def module_noark(module_maskinporten: MaskinportenSimulator) -> Iterator[NoarkSimulator]:
    sim = NoarkSimulator(
        token_verifier=lambda authorization: module_maskinporten.verify_access_token(
            authorization, scope=REQUIRED_SCOPE
        )
    )
    with sim:
        yield sim


@pytest.fixture
def maskinporten_sim(module_maskinporten: MaskinportenSimulator) -> MaskinportenSimulator:
    module_maskinporten.reset_faults()
    return module_maskinporten


@pytest.fixture
def noark_sim(module_noark: NoarkSimulator) -> NoarkSimulator:
    module_noark.reset_state()
    return module_noark


def make_noark_client(sim: NoarkSimulator, token_client: MaskinportenClient, *, timeout: float = 2.0) -> NoarkClient:
    return NoarkClient(
        base_url=sim.url, token_source=bearer_token_source(token_client, scopes=[REQUIRED_SCOPE]), timeout=timeout
    )


@pytest.fixture
def noark_client(noark_sim: NoarkSimulator, token_client: MaskinportenClient) -> Iterator[NoarkClient]:
    client = make_noark_client(noark_sim, token_client)
    yield client
    client.close()


@pytest.fixture
def noark_settings(settings: Any, noark_sim: NoarkSimulator, maskinporten_sim: MaskinportenSimulator):
    """Point ``get_noark_port()`` (simulator mode) at the fixtures."""
    settings.NOARK_SIMULATOR_URL = noark_sim.url
    settings.MASKINPORTEN_SIMULATOR_URL = maskinporten_sim.url
    settings.NOARK_TIMEOUT_SECONDS = 2
    return settings
