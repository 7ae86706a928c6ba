"""Letters: render, queue through the outbox, deliver to the SvarUt simulator, poll status to the end."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.conf import settings

from integrations.letters.addressing import letter_recipient_for
from integrations.letters.rendering import letter_html
from integrations.letters.selectors import letter_status_get
from integrations.letters.services import letter_deliver, letter_send, letters_poll_statuses
from integrations.models import IntegrationRun, Letter, LetterState, OutboxMessage, OutboxStatus
from integrations.outbox.registry import Delivery
from integrations.outbox.services import outbox_claim_due
from integrations.outbox.tasks import outbox_deliver_now
from oas import clock
from oas.audit.models import AuditEvent
from oas.errors import ValidationError
from oas.people.models import Adressebeskyttelse, Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _person(**kwargs: Any) -> Person:
    return cast(Person, PersonFactory(**kwargs))


START = dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC)


def _send(person, key="vedtak-1", **kwargs):
    values = {
        "recipient_person_id": person.id,
        "title": "Vedtak om barnehageplass",
        "template": "letters/vedtak.html",
        "context": {"paragraphs": ["Du har fått plass i Kjeller barnehage fra 1. august."]},
        "case_ref": "BHG-2026-17",
        "idempotency_key": key,
    }
    values.update(kwargs)
    return letter_send(**values)


def _deliver_due() -> list[str]:
    return [outbox_deliver_now(message_id=c.message_id, claim_token=c.claim_token) for c in outbox_claim_due()]


def test_letter_is_rendered_to_pdf_queued_in_the_outbox_and_audited():
    person = _person()
    with clock.freeze(START):
        letter_id = _send(person)
    letter = Letter.objects.get(id=letter_id)
    assert bytes(letter.pdf).startswith(b"%PDF")
    assert letter.state == LetterState.QUEUED
    assert letter.mottaker["digitalId"] == person.national_id
    assert letter.filename == "vedtak-om-barnehageplass.pdf"
    message = OutboxMessage.objects.get(kind="svarut.send")
    assert message.payload == {"letter_id": letter_id}
    assert AuditEvent.objects.filter(event="letter.queued", person_ids__contains=[person.id]).exists()


def test_same_idempotency_key_returns_the_same_letter_without_a_second_outbox_row():
    person = _person()
    assert _send(person) == _send(person)
    assert Letter.objects.count() == 1
    assert OutboxMessage.objects.filter(kind="svarut.send").count() == 1


def test_letter_to_a_person_with_protected_address_never_contains_the_residential_address():
    person = _person(
        adressebeskyttelse=Adressebeskyttelse.FORTROLIG,
        street_address="Hemmelig vei 13",
        postal_address="Postboks 6000\n0103 OSLO",
    )
    mottaker, digital_only = letter_recipient_for(person)
    assert (mottaker.adresselinje1, mottaker.postnummer, mottaker.poststed) == ("Postboks 6000", "0103", "OSLO")
    assert not digital_only
    html = letter_html(template="letters/melding.html", title="Melding", context={"paragraphs": []}, mottaker=mottaker)
    assert "Postboks 6000" in html
    assert "Hemmelig vei" not in html
    letter = Letter.objects.get(id=_send(person))
    assert "Hemmelig vei 13" not in str(letter.mottaker)


def test_strengt_fortrolig_person_without_postadresse_gets_digital_only_delivery():
    person = _person(
        adressebeskyttelse=Adressebeskyttelse.STRENGT_FORTROLIG,
        street_address="",
        postal_code="",
        postal_place="",
        grunnkrets=None,
        skolekrets=None,
        postal_address="",
    )
    letter = Letter.objects.get(id=_send(person))
    assert letter.kun_digital_levering
    assert set(letter.mottaker) == {"navn", "digitalId"}


def test_person_without_national_id_or_address_is_refused_and_nothing_is_written():
    person = _person(national_id=None, street_address="", postal_code="", postal_place="")
    with pytest.raises(ValidationError, match="verken fødselsnummer"):
        _send(person)
    assert not Letter.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_unknown_template_is_refused_and_nothing_is_written():
    with pytest.raises(ValidationError, match="Ukjent brevmal"):
        _send(_person(), template="letters/finnes-ikke.html")
    assert not Letter.objects.exists()


def test_letter_is_delivered_through_the_outbox_and_polled_until_lest(svarut_settings, svarut_sim):
    person = _person()
    with clock.freeze(START):
        letter_id = _send(person)
        assert _deliver_due() == ["delivered"]
    letter = Letter.objects.get(id=letter_id)
    assert letter.state == LetterState.SENT
    received = svarut_sim.forsendelser[letter.forsendelse_id]
    assert received.forsendelse["eksternReferanse"] == "vedtak-1"
    assert received.files["filer_0"][1] == bytes(letter.pdf)
    moment = START
    for _ in range(5):
        moment += dt.timedelta(hours=2)
        with clock.freeze(moment):
            letters_poll_statuses()
    letter.refresh_from_db()
    assert letter.state == LetterState.DONE
    assert letter.status == "LEST"
    assert letter.next_poll_at is None
    assert list(letter.status_changes.values_list("status", flat=True)) == ["MOTTATT", "AKSEPTERT", "VARSLET", "LEST"]
    info = letter_status_get(letter_id=letter_id)
    assert (info.state, info.status) == ("done", "LEST")
    assert [status for status, _at in info.history] == ["MOTTATT", "AKSEPTERT", "VARSLET", "LEST"]
    assert IntegrationRun.objects.filter(system="svarut", job="status_poll", ok=True).exists()


def test_letter_that_svarut_avviser_ends_as_failed(svarut_settings, svarut_sim):
    person = _person()
    with clock.freeze(START):
        letter_id = _send(person)
    Letter.objects.filter(id=letter_id).update(filename="vedtak?.pdf")
    with clock.freeze(START):
        _deliver_due()
    with clock.freeze(START + dt.timedelta(hours=1)):
        letters_poll_statuses()
    letter = Letter.objects.get(id=letter_id)
    assert (letter.state, letter.status) == (LetterState.FAILED, "AVVIST")
    assert letter.last_error == "SvarUt: AVVIST"


def test_svarut_down_while_polling_is_recorded_and_does_not_raise(svarut_settings, svarut_sim):
    person = _person()
    with clock.freeze(START):
        letter_id = _send(person)
        _deliver_due()
    svarut_sim.fail("500")
    with clock.freeze(START + dt.timedelta(hours=1)):
        result = letters_poll_statuses()
    assert result.errors
    assert Letter.objects.get(id=letter_id).status == "MOTTATT"
    assert IntegrationRun.objects.filter(system="svarut", ok=False).exists()


def test_429_during_delivery_leaves_the_outbox_row_pending_with_the_retry_after(svarut_settings, svarut_sim):
    person = _person()
    with clock.freeze(START):
        _send(person)
        svarut_sim.fail("429", retry_after="120")
        assert _deliver_due() == ["pending"]
    message = OutboxMessage.objects.get(kind="svarut.send")
    assert message.status == OutboxStatus.PENDING
    assert message.next_attempt_at >= START + dt.timedelta(seconds=120)
    assert svarut_sim.forsendelser == {}


def test_refused_forsendelse_becomes_a_dead_letter_and_the_letter_fails(svarut_settings, svarut_sim):
    person = _person()
    with clock.freeze(START):
        letter_id = _send(person)
    Letter.objects.filter(id=letter_id).update(mottaker={})  # mottaker.navn is required by the spec → 400
    with clock.freeze(START):
        assert _deliver_due() == ["dead"]
    assert OutboxMessage.objects.get(kind="svarut.send").status == OutboxStatus.DEAD
    assert Letter.objects.get(id=letter_id).state == LetterState.FAILED


def test_letter_queued_before_the_recipient_got_a_protected_address_is_stopped(svarut_settings, svarut_sim):
    person = _person(street_address="Gamleveien 2")
    with clock.freeze(START):
        letter_id = _send(person)
    person.adressebeskyttelse = Adressebeskyttelse.FORTROLIG
    person.postal_address = "Postboks 1\n0101 OSLO"
    person.save(update_fields=["adressebeskyttelse", "postal_address"])
    with clock.freeze(START):
        assert _deliver_due() == ["dead"]
    assert svarut_sim.forsendelser == {}
    letter = Letter.objects.get(id=letter_id)
    assert letter.state == LetterState.FAILED
    assert "adressebeskyttelse" in letter.last_error


class _CrashAfterSend:
    """Wraps the live client: SvarUt accepts the forsendelse, then the worker dies before recording it."""

    def __init__(self, client):
        self.client = client

    def send(self, forsendelse):
        self.client.send(forsendelse)
        raise SystemExit("worker killed")


def test_redelivery_after_a_crash_makes_exactly_one_forsendelse(svarut_settings, svarut_sim):
    from integrations.svarut.client import get_svarut_port

    person = _person()
    with clock.freeze(START):
        letter_id = _send(person, key="crash-1")
        (claim,) = outbox_claim_due()
        message = OutboxMessage.objects.get(id=claim.message_id)
        delivery = Delivery(
            message_id=message.id,
            kind=message.kind,
            payload=message.payload,
            idempotency_key=message.idempotency_key,
            attempt=message.attempts,
        )
        client = get_svarut_port()
        with pytest.raises(SystemExit):
            letter_deliver(delivery, port=_CrashAfterSend(client))  # type: ignore[arg-type]
        client.close()
    assert Letter.objects.get(id=letter_id).forsendelse_id == ""
    # The lease runs out; beat claims the row again and a worker delivers it.
    with clock.freeze(START + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)):
        assert _deliver_due() == ["delivered"]
    # The redelivery asked SvarUt by eksternReferanse first and found the forsendelse: it did not send again
    # (SvarUt, like the simulator, would have made a second one).
    assert (svarut_sim.send_calls, svarut_sim.lookup_calls) == (1, 1)
    (only,) = svarut_sim.by_ekstern_referanse("crash-1")
    assert Letter.objects.get(id=letter_id).forsendelse_id == only.id


def test_failed_letters_are_a_task_for_system_administrators_until_marked_handled(django_user_model):
    from integrations.letters.arbeidsflate import FAILED_LETTERS
    from integrations.letters.services import letters_mark_failure_handled

    letter_id = _send(_person())
    Letter.objects.filter(id=letter_id).update(state=LetterState.FAILED, forsendelse_id="x", status="AVVIST")
    admin_user = django_user_model.objects.create_user(username="sysadm", is_superuser=True, is_staff=True)
    plain_user = django_user_model.objects.create_user(username="ansatt")
    provider = FAILED_LETTERS
    (task,) = provider.tasks_for(user=admin_user)
    assert (task.count, task.severity) == (1, "danger")
    assert "state__exact=failed" in task.url
    assert provider.tasks_for(user=plain_user) == []
    assert letters_mark_failure_handled(letter_ids=[letter_id]) == 1
    assert provider.tasks_for(user=admin_user) == []
