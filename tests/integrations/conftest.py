"""Fixtures: simulators on free loopback ports, started and stopped per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from integrations.common.receiver_simulator import ReceiverSimulator
from integrations.maskinporten.client import MaskinportenClient, MaskinportenConfig
from integrations.maskinporten.simulator import (
    SIMULATOR_CLIENT_ID,
    SIMULATOR_KID,
    MaskinportenSimulator,
    simulator_client_private_key,
)


@pytest.fixture
def maskinporten_sim() -> Iterator[MaskinportenSimulator]:
    with MaskinportenSimulator() as sim:
        assert isinstance(sim, MaskinportenSimulator)
        yield sim


@pytest.fixture(scope="module")
def module_maskinporten() -> Iterator[MaskinportenSimulator]:
    """One Maskinporten simulator per module, for suites whose ``maskinporten_sim`` resets it per test."""
    with MaskinportenSimulator() as sim:
        assert isinstance(sim, MaskinportenSimulator)
        yield sim


def make_token_client(sim: MaskinportenSimulator, **overrides: object) -> MaskinportenClient:
    config: dict[str, object] = {
        "token_url": sim.token_url,
        "audience": sim.issuer,
        "client_id": SIMULATOR_CLIENT_ID,
        "kid": SIMULATOR_KID,
        "private_key_pem": simulator_client_private_key(),
    }
    config.update(overrides)
    return MaskinportenClient(config=MaskinportenConfig(**config), timeout=2.0)  # type: ignore[arg-type]


@pytest.fixture
def token_client(maskinporten_sim: MaskinportenSimulator) -> MaskinportenClient:
    return make_token_client(maskinporten_sim)


@pytest.fixture
def receiver() -> Iterator[ReceiverSimulator]:
    with ReceiverSimulator() as sim:
        assert isinstance(sim, ReceiverSimulator)
        yield sim


# --- Folkeregisteret -------------------------------------------------------------------------------
@pytest.fixture
def freg_population():
    from integrations.freg.population import PopulationGenerator

    generator = PopulationGenerator(seed=42)
    state = generator.generate(children=40)
    return generator, state


@pytest.fixture
def freg_sim(maskinporten_sim, freg_population):
    from integrations.freg.simulator import SCOPE, FregSimulator

    _, state = freg_population
    sim = FregSimulator(
        state=state, token_verifier=lambda header: maskinporten_sim.verify_access_token(header, scope=SCOPE)
    )
    with sim:
        yield sim


@pytest.fixture
def freg_client(freg_sim, token_client):
    from integrations.freg.client import FregClient
    from integrations.freg.simulator import SCOPE
    from integrations.maskinporten.client import bearer_token_source

    client = FregClient(
        base_url=freg_sim.base_url, token_source=bearer_token_source(token_client, scopes=[SCOPE]), timeout=2.0
    )
    yield client
    client.close()
