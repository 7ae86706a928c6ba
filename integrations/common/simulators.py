"""Registry of simulators that ``manage.py run_simulators`` starts on fixed loopback ports.

Register from an AppConfig.ready (no heavy imports there; the factory imports lazily)::

    register_simulator("svarut", factory=make_svarut_simulator, order=20)

``factory(host=..., port=..., running=...)`` returns an unstarted ``SimulatorServer``; ``running`` maps the
names of the simulators already started to their instances (e.g. to verify Maskinporten tokens).
Ports come from ``settings.SIMULATOR_PORTS[name]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from integrations.common.simulator import SimulatorServer

SimulatorFactory = Callable[..., SimulatorServer]


@dataclass(frozen=True)
class RegisteredSimulator:
    name: str
    factory: SimulatorFactory
    order: int


_simulators: dict[str, RegisteredSimulator] = {}


def register_simulator(name: str, *, factory: SimulatorFactory, order: int = 50) -> None:
    """Register a simulator; lower ``order`` starts first (Maskinporten is 0)."""
    _simulators[name] = RegisteredSimulator(name=name, factory=factory, order=order)


def registered_simulators() -> list[RegisteredSimulator]:
    return sorted(_simulators.values(), key=lambda s: (s.order, s.name))


def start_simulators(*, host: str, ports: dict[str, int], only: list[str] | None = None) -> dict[str, SimulatorServer]:
    """Start every registered simulator (or ``only`` these) and return them by name."""
    running: dict[str, SimulatorServer] = {}
    try:
        for entry in registered_simulators():
            if only and entry.name not in only:
                continue
            server = entry.factory(host=host, port=ports.get(entry.name, 0), running=running)
            running[entry.name] = server.start()
    except Exception:
        for server in running.values():
            server.stop()
        raise
    return running
