"""Registers the SvarUt, Noark and ERP parts with the outbox and the simulator registry (called from ready())."""

from __future__ import annotations

from typing import Any

from integrations.common.simulator import SimulatorServer


def _verifier(running: dict[str, SimulatorServer], scope: str) -> Any:
    maskinporten = running.get("maskinporten")
    if maskinporten is None:
        return None
    return lambda authorization: maskinporten.verify_access_token(authorization, scope=scope)  # type: ignore[attr-defined]


def make_svarut_simulator(*, host: str, port: int, running: dict[str, SimulatorServer], **_: Any) -> SimulatorServer:
    from integrations.svarut.simulator import REQUIRED_SCOPE, SvarUtSimulator

    return SvarUtSimulator(host=host, port=port, token_verifier=_verifier(running, REQUIRED_SCOPE))


def make_noark_simulator(*, host: str, port: int, running: dict[str, SimulatorServer], **_: Any) -> SimulatorServer:
    from integrations.noark.simulator import REQUIRED_SCOPE, NoarkSimulator

    return NoarkSimulator(host=host, port=port, token_verifier=_verifier(running, REQUIRED_SCOPE))


def _deliver_letter(delivery: Any) -> Any:
    from integrations.letters.services import letter_deliver

    return letter_deliver(delivery)


def _deliver_archive(delivery: Any) -> Any:
    from integrations.archive.services import archive_deliver

    return archive_deliver(delivery)


def register() -> None:
    """Register the outbox handlers, simulators and arbeidsflate tasks of letters (SvarUt) and archive (Noark 5)."""
    from integrations.common.simulators import register_simulator
    from integrations.letters.arbeidsflate import FAILED_LETTERS
    from integrations.outbox import register_handler
    from oas.arbeidsflate.registry import registry

    register_handler("svarut.send", _deliver_letter)
    register_handler("noark.archive", _deliver_archive)
    register_simulator("svarut", factory=make_svarut_simulator, order=20)
    register_simulator("noark", factory=make_noark_simulator, order=30)
    registry.register_task_provider(FAILED_LETTERS)
