"""The SMS gateway port: live client against the loopback simulator; deduplication; errors; configuration."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from integrations.common.errors import ConfigurationMissing, PermanentError, TransientError
from integrations.common.simulators import registered_simulators
from integrations.sms import get_sms_gateway
from integrations.sms.client import SmsClient
from integrations.sms.port import SmsOutgoing
from integrations.sms.simulator import SmsSimulator


def test_the_gateway_deduplicates_on_reference(sms_sim: SmsSimulator) -> None:
    client = get_sms_gateway()
    first = client.send(recipient="+4791234567", text="Hei", reference="oas-1-sms")
    again = client.send(recipient="+4791234567", text="Hei", reference="oas-1-sms")
    client.close()
    assert first.id == again.id
    assert not first.duplicate and again.duplicate
    assert len(sms_sim.sent) == 1


def test_invalid_numbers_are_permanent_and_server_errors_transient(sms_sim: SmsSimulator) -> None:
    client = get_sms_gateway()
    with pytest.raises(PermanentError):
        client.send(recipient="12", text="Hei", reference="oas-2-sms")
    sms_sim.fail("500")
    with pytest.raises(TransientError):
        client.send(recipient="91234567", text="Hei", reference="oas-3-sms")
    client.close()


def test_batches_answer_per_message(sms_sim: SmsSimulator) -> None:
    client = get_sms_gateway()
    results = client.send_batch(
        messages=[
            SmsOutgoing(recipient="91234567", text="a", reference="b-1"),
            SmsOutgoing(recipient="12", text="b", reference="b-2"),
            SmsOutgoing(recipient="91234567", text="a", reference="b-1"),
        ]
    )
    client.close()
    assert [(r.reference, r.ok) for r in results] == [("b-1", True), ("b-2", False), ("b-1", True)]
    assert results[1].error == "invalid_recipient"
    assert len(sms_sim.sent) == 1


def test_a_wrong_api_key_is_refused(sms_sim: SmsSimulator) -> None:
    response = httpx.post(f"{sms_sim.url}/sms/v1/messages", json={}, headers={"Authorization": "Bearer feil"})
    assert response.status_code == 401
    with pytest.raises(PermanentError):
        SmsClient(base_url=sms_sim.url, api_key="feil").send(recipient="91234567", text="x", reference="r")


def test_live_mode_without_configuration_fails_loudly(settings: Any) -> None:
    settings.INTEGRATION_MODES = {**settings.INTEGRATION_MODES, "sms": "live"}
    settings.SMS_BASE_URL = ""
    with pytest.raises(ConfigurationMissing):
        get_sms_gateway()


def test_the_sms_simulator_is_registered_for_run_simulators() -> None:
    assert "sms" in {s.name for s in registered_simulators()}
