"""Folkeregisteret: the live client against the simulator, for success and each fault."""

from __future__ import annotations

import pytest

from integrations.common.errors import ConfigurationMissing, PermanentError, TransientError
from integrations.freg.client import FregClient, get_freg_client
from integrations.freg.population import UNKNOWN_EVENT_TYPE, EventGenerator
from integrations.freg.port import PART_BASIS, PART_RELASJON, ExtractFilter, FeedEntry


def test_person_lookup_returns_the_document_with_only_the_requested_parts(freg_client, freg_population):
    _, state = freg_population
    child = state.children[0]
    basis = freg_client.person(national_id=child)
    assert basis is not None
    assert "navn" in basis
    assert "foreldreansvar" not in basis
    full = freg_client.person(national_id=child, parts=[PART_BASIS, PART_RELASJON])
    assert full is not None
    assert full["foreldreansvar"]


def test_unknown_person_is_none(freg_client):
    assert freg_client.person(national_id="01010150000") is None


def test_bulk_lookup_reports_unknown_numbers_per_item(freg_client, freg_population):
    _, state = freg_population
    results = freg_client.persons_bulk(national_ids=[state.children[0], "01010150000"])
    assert results[0].document is not None
    assert results[1].document is None
    assert results[1].error == "Fant ikke person"


def test_bulk_lookup_refuses_more_than_1000_numbers(freg_client):
    with pytest.raises(ValueError, match="1000"):
        freg_client.persons_bulk(national_ids=["x"] * 1001)


def test_extract_is_404_until_ready_then_batches_then_empty(freg_client, freg_sim, freg_population):
    _, state = freg_population
    freg_sim.options.extract_batch_size = 25
    job = freg_client.extract_start(
        extract_filter=ExtractFilter(municipality_number="3030", birth_year_from=2009, birth_year_to=2026)
    )
    assert freg_client.extract_batch(job_id=job, batch=0) is None  # not ready yet
    first = freg_client.extract_batch(job_id=job, batch=0)
    second = freg_client.extract_batch(job_id=job, batch=1)
    assert first is not None
    assert second is not None
    assert len(first) == 25
    assert set(first + second) == set(state.children)  # includes the strengt fortrolig child
    assert freg_client.extract_batch(job_id=job, batch=2) == []


def test_feed_comes_in_pages_of_1000_from_the_given_sequence(freg_client, freg_population):
    generator, state = freg_population
    EventGenerator(state=state, generator=generator).stream(1500)
    assert freg_client.last_sequence() == 1500
    first = freg_client.feed(from_sequence=1)
    second = freg_client.feed(from_sequence=1001)
    assert len(first) == 1000
    assert len(second) == 500
    assert isinstance(second[0], FeedEntry)
    assert second[0].sequence == 1001
    assert freg_client.feed(from_sequence=1501) == []


def test_event_document_can_be_fetched(freg_client, freg_population):
    generator, state = freg_population
    EventGenerator(state=state, generator=generator).rename(state.adults[0])
    entry = freg_client.feed(from_sequence=1)[0]
    assert isinstance(entry, FeedEntry)
    document = freg_client.event(event_id=entry.event_document_id)
    assert document is not None
    assert document["hendelse"]["hendelsestype"] == "endringINavn"


def test_unknown_event_type_is_passed_through_for_the_sync_to_skip(freg_client, freg_population):
    generator, state = freg_population
    EventGenerator(state=state, generator=generator).unknown_type(state.adults[0])
    entry = freg_client.feed(from_sequence=1)[0]
    assert isinstance(entry, FeedEntry)
    assert entry.event_type == UNKNOWN_EVENT_TYPE


def test_call_without_token_is_refused_permanently(freg_sim):
    client = FregClient(base_url=freg_sim.base_url, token_source=None)
    with pytest.raises(PermanentError) as excinfo:
        client.last_sequence()
    assert excinfo.value.status == 401


def test_expired_token_is_refreshed_once(freg_client, freg_sim, maskinporten_sim):
    freg_client.last_sequence()
    assert maskinporten_sim.tokens_issued == 1
    freg_sim.fail("401")  # FREG says the token has expired
    assert freg_client.last_sequence() == 0
    assert maskinporten_sim.tokens_issued == 2


def test_429_carries_retry_after_in_milliseconds(freg_client, freg_sim):
    freg_sim.fail("429", retry_after="2500")
    with pytest.raises(TransientError) as excinfo:
        freg_client.last_sequence()
    assert excinfo.value.retry_after == 2.5


@pytest.mark.parametrize("mode", ["500", "malformed"])
def test_server_error_and_malformed_body_are_transient(freg_client, freg_sim, mode):
    freg_sim.fail(mode)
    with pytest.raises(TransientError):
        freg_client.feed(from_sequence=1)
    assert freg_client.feed(from_sequence=1) == []


def test_timeout_is_transient(freg_sim, token_client):
    from integrations.freg.simulator import SCOPE
    from integrations.maskinporten.client import bearer_token_source

    client = FregClient(
        base_url=freg_sim.base_url, token_source=bearer_token_source(token_client, scopes=[SCOPE]), timeout=0.3
    )
    freg_sim.fail("timeout", delay=3.0)
    with pytest.raises(TransientError, match="tidsavbrudd"):
        client.last_sequence()


def test_request_that_breaks_the_spec_is_refused_with_400(freg_client):
    with pytest.raises(PermanentError) as excinfo:
        freg_client.request("GET", "/v1/hendelser/feed", params={"seq": "not-a-number"})
    assert excinfo.value.status == 400


def test_live_mode_without_base_url_fails_loudly(settings):
    settings.INTEGRATION_MODES = {**settings.INTEGRATION_MODES, "freg": "live"}
    settings.FREG_BASE_URL = ""
    with pytest.raises(ConfigurationMissing, match="FREG_BASE_URL"):
        get_freg_client()


def test_a_person_lookup_timeout_names_the_request_without_the_national_id(freg_sim, freg_population, token_client):
    from integrations.freg.simulator import SCOPE
    from integrations.maskinporten.client import bearer_token_source

    _, state = freg_population
    child = state.children[0]
    client = FregClient(
        base_url=freg_sim.base_url, token_source=bearer_token_source(token_client, scopes=[SCOPE]), timeout=0.3
    )
    freg_sim.fail("timeout", delay=3.0)
    with pytest.raises(TransientError, match="tidsavbrudd") as caught:
        client.person(national_id=child)
    client.close()
    assert "/v1/personer/" in caught.value.message
    assert child not in caught.value.message
