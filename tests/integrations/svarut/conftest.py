"""SvarUt fixtures: one simulator per module (checking Maskinporten tokens), reset before each test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from integrations.maskinporten.client import MaskinportenClient, bearer_token_source
from integrations.maskinporten.simulator import MaskinportenSimulator
from integrations.svarut.client import SCOPE, SvarUtClient
from integrations.svarut.simulator import (
    REQUIRED_SCOPE,
    SIMULATOR_INTEGRASJON_ID,
    SIMULATOR_INTEGRASJON_PASSORD,
    SIMULATOR_KONTO_ID,
    SvarUtSimulator,
)


@pytest.fixture(scope="module")
def module_svarut(module_maskinporten: MaskinportenSimulator) -> Iterator[SvarUtSimulator]:
    sim = SvarUtSimulator(
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
def svarut_sim(module_svarut: SvarUtSimulator) -> SvarUtSimulator:
    module_svarut.reset_state()
    return module_svarut


def make_svarut_client(sim: SvarUtSimulator, token_client: MaskinportenClient, *, timeout: float = 2.0) -> SvarUtClient:
    return SvarUtClient(
        base_url=sim.url,
        konto_id=SIMULATOR_KONTO_ID,
        integrasjon_id=SIMULATOR_INTEGRASJON_ID,
        integrasjon_passord=SIMULATOR_INTEGRASJON_PASSORD,
        token_source=bearer_token_source(token_client, scopes=[SCOPE]),
        timeout=timeout,
    )


@pytest.fixture
def svarut_client(svarut_sim: SvarUtSimulator, token_client: MaskinportenClient) -> Iterator[SvarUtClient]:
    client = make_svarut_client(svarut_sim, token_client)
    yield client
    client.close()


@pytest.fixture
def svarut_settings(settings: Any, svarut_sim: SvarUtSimulator, maskinporten_sim: MaskinportenSimulator):
    """Point the service layer's ``get_svarut_port()`` (simulator mode) at the fixtures."""
    settings.SVARUT_SIMULATOR_URL = svarut_sim.url
    settings.MASKINPORTEN_SIMULATOR_URL = maskinporten_sim.url
    settings.SVARUT_TIMEOUT_SECONDS = 2
    return settings
