"""``run_simulators`` starts SvarUt and Noark next to Maskinporten, and they check its tokens."""

from __future__ import annotations

import httpx

from integrations.common.simulators import registered_simulators, start_simulators
from integrations.svarut.simulator import SIMULATOR_INTEGRASJON_ID, SIMULATOR_INTEGRASJON_PASSORD, SIMULATOR_KONTO_ID
from tests.integrations.conftest import make_token_client


def test_svarut_and_noark_are_registered_after_maskinporten():
    order = [entry.name for entry in registered_simulators()]
    assert order.index("maskinporten") < order.index("svarut") < order.index("noark")


def test_started_simulators_accept_maskinporten_tokens_and_refuse_others():
    running = start_simulators(host="127.0.0.1", ports={}, only=["maskinporten", "svarut", "noark"])
    try:
        tokens = make_token_client(running["maskinporten"])  # type: ignore[arg-type]
        headers = {"IntegrasjonId": SIMULATOR_INTEGRASJON_ID, "IntegrasjonPassord": SIMULATOR_INTEGRASJON_PASSORD}
        url = f"{running['svarut'].url}/api/v2/kontoer/{SIMULATOR_KONTO_ID}/forsendelser/status-sok"
        good = httpx.post(
            url,
            json={"forsendelseIds": []},
            headers={**headers, "Authorization": f"Bearer {tokens.token(scopes=['ks:fiks'])}"},
        )
        forged = httpx.post(url, json={"forsendelseIds": []}, headers={**headers, "Authorization": "Bearer forged"})
        assert (good.status_code, good.json()) == (200, {"statuser": []})
        assert forged.status_code == 401
        noark = httpx.get(
            f"{running['noark'].url}/api",
            headers={
                "Authorization": f"Bearer {tokens.token(scopes=['noark5:arkiv'])}",
                "Accept": "application/vnd.noark5+json",
            },
        )
        assert noark.status_code == 200
    finally:
        for server in running.values():
            server.stop()
