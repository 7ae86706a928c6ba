"""Factory for ``run_simulators``: a Lillestrøm-sized sample population and a backlog of events."""

from __future__ import annotations

from typing import Any

from integrations.common.simulator import SimulatorServer


def make_freg_simulator(*, host: str, port: int, running: dict[str, SimulatorServer], **_: Any) -> SimulatorServer:
    from integrations.freg.population import EventGenerator, PopulationGenerator
    from integrations.freg.simulator import SCOPE, FregSimulator
    from integrations.maskinporten.simulator import MaskinportenSimulator

    generator = PopulationGenerator()
    state = generator.generate(children=2000)
    EventGenerator(state=state, generator=generator).stream(500)  # a backlog for the first sync
    maskinporten = running.get("maskinporten")
    verifier = None
    if isinstance(maskinporten, MaskinportenSimulator):
        mp = maskinporten

        def verifier(authorization: str) -> object:
            return mp.verify_access_token(authorization, scope=SCOPE)

    events = EventGenerator(state=state, generator=generator)
    return FregSimulator(state=state, token_verifier=verifier, host=host, port=port, events=events)
