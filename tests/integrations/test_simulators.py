"""The simulator registry behind ``manage.py run_simulators``."""

from __future__ import annotations

import httpx

from integrations.common.simulators import registered_simulators, start_simulators
from integrations.freg.simulator import BASE_PATH


def test_maskinporten_and_freg_are_registered_in_start_order():
    names = [s.name for s in registered_simulators()]
    assert names.index("maskinporten") < names.index("freg")


def test_started_freg_simulator_accepts_tokens_from_the_started_maskinporten():
    running = start_simulators(host="127.0.0.1", ports={}, only=["maskinporten", "freg"])
    try:
        assert httpx.get(running["freg"].url + "/__sim__/health").json()["ok"] is True
        refused = httpx.get(running["freg"].url + BASE_PATH + "/v1/hendelser/siste/sekvensnummer")
        assert refused.status_code == 401
        events = httpx.post(running["freg"].url + "/__sim__/events", json={"count": 5}).json()
        assert events["sekvensnummer"] == 505  # the 500-event backlog plus five
    finally:
        for server in running.values():
            server.stop()
