"""The live SvarUt client against the SvarUt simulator: the v2 API shape, status scripts and faults."""

from __future__ import annotations

import time

import httpx
import pytest

from integrations.common.errors import PermanentError, TransientError
from integrations.svarut.client import SvarUtClient
from integrations.svarut.mapping import Dokument, Forsendelse, Mottaker
from integrations.svarut.simulator import SIMULATOR_KONTO_ID
from tests.integrations.svarut.conftest import make_svarut_client

PDF = b"%PDF-1.7\n% test\n"
FNR = "01820012345"


def _forsendelse(*, key: str = "ref-1", mottaker: Mottaker | None = None, **kwargs: object) -> Forsendelse:
    values: dict[str, object] = {
        "tittel": "Tilbud om barnehageplass",
        "mottaker": mottaker or Mottaker(navn="Kari Nordmann", digital_id=FNR),
        "dokumenter": [Dokument(filnavn="tilbud.pdf", content=PDF)],
        "ekstern_referanse": key,
    }
    values.update(kwargs)
    return Forsendelse(**values)  # type: ignore[arg-type]


def _statuses(client: SvarUtClient, forsendelse_id: str, rounds: int) -> list[str]:
    return [client.status_search([forsendelse_id])[0].status for _ in range(rounds)]


def test_send_to_a_person_with_a_digital_mailbox_goes_mottatt_akseptert_varslet_lest(svarut_client, svarut_sim):
    forsendelse_id = svarut_client.send(_forsendelse())
    assert _statuses(svarut_client, forsendelse_id, 4) == ["AKSEPTERT", "VARSLET", "LEST", "LEST"]
    record = svarut_sim.forsendelser[forsendelse_id]
    assert record.files["filer_0"] == ("tilbud.pdf", PDF)
    assert record.forsendelse["mottaker"]["digitalId"] == FNR
    events = svarut_client.events(forsendelse_id)
    assert [e.hendelse for e in events][:2] == ["Forsendelse mottatt", "Akseptert for ekspedering"]
    assert all(e.tidspunkt.tzinfo is not None for e in events)


def test_person_without_mailbox_but_with_postal_address_gets_print(svarut_client, svarut_sim):
    svarut_sim.without_mailbox.add(FNR)
    mottaker = Mottaker(
        navn="Kari Nordmann", digital_id=FNR, adresselinje1="Storgata 1", postnummer="2000", poststed="LILLESTRØM"
    )
    forsendelse_id = svarut_client.send(_forsendelse(mottaker=mottaker))
    assert _statuses(svarut_client, forsendelse_id, 3) == ["AKSEPTERT", "SENDT_PRINT", "PRINTET"]


def test_digital_only_letter_to_a_person_without_mailbox_is_not_delivered(svarut_client, svarut_sim):
    svarut_sim.without_mailbox.add(FNR)
    forsendelse_id = svarut_client.send(_forsendelse(kun_digital_levering=True))
    assert _statuses(svarut_client, forsendelse_id, 2) == ["AKSEPTERT", "IKKE_LEVERT"]


@pytest.mark.parametrize(
    ("dokument", "reason"),
    [
        (Dokument(filnavn="vedtak:2026.pdf", content=PDF), "Ugyldige tegn"),
        (Dokument(filnavn="vedlegg.docx", content=b"PK..", mime_type="application/msword"), "kun application/pdf"),
        (Dokument(filnavn="tilbud.pdf", content=b"not a pdf"), "ikke en gyldig PDF"),
    ],
)
def test_invalid_documents_are_avvist_with_the_reason_in_the_events(svarut_client, dokument, reason):
    forsendelse_id = svarut_client.send(_forsendelse(dokumenter=[dokument]))
    assert svarut_client.status_search([forsendelse_id])[0].status == "AVVIST"
    assert reason in svarut_client.events(forsendelse_id)[-1].hendelse


def test_svarut_does_not_deduplicate_ekstern_referanse_but_the_lookup_finds_every_forsendelse(
    svarut_client, svarut_sim
):
    """SvarUt's specification promises no de-duplication on eksternReferanse (nor does the simulator), so the
    client must ask before resending: the lookup names what this konto sent with the reference."""
    assert svarut_client.find_by_ekstern_referanse("dup-1") == []
    first = svarut_client.send(_forsendelse(key="dup-1"))
    assert svarut_client.find_by_ekstern_referanse("dup-1") == [first]
    second = svarut_client.send(_forsendelse(key="dup-1"))
    assert first != second
    assert len(svarut_sim.by_ekstern_referanse("dup-1")) == 2
    assert svarut_client.find_by_ekstern_referanse("dup-1") == [first, second]
    assert svarut_client.find_by_ekstern_referanse("kg-vedtak:7:a/b") == []  # reserved characters are quoted


def test_forsendelse_missing_required_fields_is_refused_by_the_spec_schema(svarut_sim, svarut_client, token_client):
    token = token_client.token(scopes=["ks:fiks"])
    response = httpx.post(
        f"{svarut_sim.url}/api/v2/kontoer/{SIMULATOR_KONTO_ID}/forsendelser",
        files=[("forsendelse", (None, b'{"mottaker": {"digitalId": "1"}}', "application/json"))],
        headers={
            "Authorization": f"Bearer {token}",
            "IntegrasjonId": svarut_sim.integrasjon_id,
            "IntegrasjonPassord": svarut_sim.integrasjon_passord,
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert "tittel" in body["message"] and "navn" in body["message"]
    assert body["errorCode"] == "VALIDERINGSFEIL"
    assert svarut_sim.forsendelser == {}


def test_request_without_integrasjon_credentials_is_refused(svarut_sim, token_client):
    token = token_client.token(scopes=["ks:fiks"])
    response = httpx.post(
        f"{svarut_sim.url}/api/v2/kontoer/{SIMULATOR_KONTO_ID}/forsendelser/status-sok",
        json={"forsendelseIds": []},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401


def test_429_with_retry_after_is_transient_and_carries_the_delay(svarut_client, svarut_sim):
    svarut_sim.fail("429", retry_after="7")
    with pytest.raises(TransientError) as caught:
        svarut_client.send(_forsendelse())
    assert caught.value.retry_after == 7.0
    assert svarut_sim.forsendelser == {}


def test_server_error_is_transient(svarut_client, svarut_sim):
    svarut_sim.fail("500")
    with pytest.raises(TransientError):
        svarut_client.status_search(["00000000-0000-0000-0000-000000000000"])


def test_timeout_is_transient(svarut_sim, token_client):
    client = make_svarut_client(svarut_sim, token_client, timeout=0.3)
    svarut_sim.fail("timeout", delay=1.0)
    started = time.monotonic()
    with pytest.raises(TransientError, match="tidsavbrudd"):
        client.send(_forsendelse())
    assert time.monotonic() - started < 1.0
    client.close()


def test_malformed_body_is_transient(svarut_client, svarut_sim):
    svarut_sim.fail("malformed")
    with pytest.raises(TransientError, match="ugyldig JSON"):
        svarut_client.send(_forsendelse())


def test_expired_token_gets_a_401_then_the_client_fetches_a_fresh_token_once(
    svarut_client, svarut_sim, maskinporten_sim
):
    svarut_client.send(_forsendelse(key="warm-up"))
    issued = maskinporten_sim.tokens_issued
    svarut_sim.fail("401")
    svarut_client.send(_forsendelse(key="after-expiry"))
    assert maskinporten_sim.tokens_issued == issued + 1
    assert len(svarut_sim.by_ekstern_referanse("after-expiry")) == 1


def test_token_without_the_fiks_scope_is_refused(svarut_sim, token_client):
    client = make_svarut_client(svarut_sim, token_client)
    client._transport._token_source = lambda force: token_client.token(scopes=["noark5:arkiv"])
    with pytest.raises(PermanentError) as caught:
        client.send(_forsendelse())
    assert caught.value.status == 401
    client.close()


def test_a_really_expired_maskinporten_token_is_refused_and_replaced_once(svarut_sim, maskinporten_sim, token_client):
    maskinporten_sim.token_lifetime = 1
    try:
        stale = token_client.token(scopes=["ks:fiks"])
    finally:
        maskinporten_sim.token_lifetime = 120
    time.sleep(1.2)
    forced: list[bool] = []

    def source(force: bool) -> str:
        forced.append(force)
        return token_client.token(scopes=["ks:fiks"]) if force else stale

    client = make_svarut_client(svarut_sim, token_client)
    client._transport._token_source = source
    client.send(_forsendelse(key="expired-token"))
    assert forced == [False, True]
    assert len(svarut_sim.by_ekstern_referanse("expired-token")) == 1
    client.close()
