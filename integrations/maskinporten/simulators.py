"""Factory for ``run_simulators``."""

from __future__ import annotations

from typing import Any

from integrations.common.simulator import SimulatorServer


def make_maskinporten_simulator(
    *, host: str, port: int, running: dict[str, SimulatorServer], **_: Any
) -> SimulatorServer:
    from integrations.maskinporten.simulator import MaskinportenSimulator

    return MaskinportenSimulator(host=host, port=port)
