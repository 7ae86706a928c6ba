"""Deliveries are claimed by the outbox's lease claim (issue 14.2): beat finds everything, a kick is only a bonus.

With the broker unreachable (its URL on a closed port; the machine's shared Redis is left alone) a notice is sent:
the kick after the commit fails quietly and nothing is lost; once the broker is back, what beat does (list the due
deliveries, each batch task claims and sends its rows) delivers every e-mail and SMS exactly once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.core import mail

from integrations.outbox.lease import Claim
from integrations.sms.simulator import SmsSimulator
from messaging.models import Delivery, DeliveryStatus, MessagingSettings
from messaging.services.delivery import deliveries_send
from messaging.services.notices import notice_create
from messaging.services.notifications import deliveries_claim, deliveries_dispatch_batches, notify_persons
from oas import clock
from oas.people.models import Person
from tests.broker import reset_broker_connections
from tests.messaging.conftest import World, new_person, person

pytestmark = pytest.mark.django_db

CLOSED_BROKER = "redis://127.0.0.1:1/0"


@contextmanager
def broker_down() -> Iterator[None]:
    from oas.celery import app

    before = app.conf.broker_url
    reset_broker_connections()
    app.conf["broker_url"] = CLOSED_BROKER
    try:
        yield
    finally:
        app.conf["broker_url"] = before
        reset_broker_connections()


def _what_beat_does() -> dict[str, int]:
    totals: dict[str, int] = {}
    for ids in deliveries_dispatch_batches():
        for outcome, n in deliveries_send(ids=ids).items():
            totals[outcome] = totals.get(outcome, 0) + n
    return totals


def test_broker_down_when_a_notice_is_sent_it_is_delivered_later_exactly_once(
    world: World, sms_sim: SmsSimulator, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    for i, persona in enumerate(("guardian", "protected_guardian")):
        Person.objects.filter(pk=person(world, persona).pk).update(email=f"g{i}@example.no", phone=f"4000010{i}")
    MessagingSettings.objects.update_or_create(
        municipality_id=world.units["1A"].municipality_id, defaults={"guardian_quiet_hours": False}
    )
    with broker_down(), django_capture_on_commit_callbacks(execute=True) as callbacks:
        notice = notice_create(
            user=world.user("contact_teacher"),
            sender_unit_id=world.units["1A"].pk,
            title="Stengt fredag",
            body="Skolen er stengt.",
            target_unit_ids=[world.units["1A"].pk],
        )
    assert callbacks, "the kick after the commit ran (and failed quietly: the broker was down)"
    deliveries = Delivery.objects.filter(notification__key=f"notice:{notice.pk}")
    assert deliveries.filter(channel="email").count() == 2
    assert deliveries.filter(channel="sms").count() == 2
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.PENDING}  # safe in PostgreSQL

    totals = _what_beat_does()
    assert totals["sent"] == deliveries.count()
    assert set(deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    addresses = [m.to[0] for m in mail.outbox]
    assert len(addresses) == len(set(addresses)) == deliveries.filter(channel="email").count()
    assert len(sms_sim.sent) == deliveries.filter(channel="sms").count()
    assert _what_beat_does() == {}  # a second round sends nothing more
    assert len(mail.outbox) == len(addresses)
    assert sms_sim.duplicates == 0


def test_a_claim_is_the_outbox_lease_claim_with_a_token_and_a_lease() -> None:
    person = new_person(email="lease@example.no", phone="")
    notify_persons(person_ids=[person.pk], key="lease", title="T", url="/")
    ids = [i for batch in deliveries_dispatch_batches() for i in batch]
    [claim] = deliveries_claim(ids=ids)
    assert isinstance(claim, Claim)
    row = Delivery.objects.get(pk=claim.row_id)
    assert row.status == DeliveryStatus.SENDING
    assert str(row.claim_token) == claim.claim_token
    assert row.attempts == 1  # counted at the claim, as in the outbox
    assert row.claimed_at is not None
    assert row.lease_expires_at == row.claimed_at + dt.timedelta(seconds=settings.MESSAGING_DELIVERY_LEASE_SECONDS)
    assert deliveries_claim(ids=ids) == []  # held: nobody else takes it
    assert deliveries_dispatch_batches() == []


def test_a_delivery_that_kills_its_worker_on_every_attempt_becomes_a_dead_letter(settings: Any) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 2
    person = new_person(email="crash@example.no", phone="")
    notify_persons(person_ids=[person.pk], key="crash", title="T", url="/")
    [delivery_id] = [i for batch in deliveries_dispatch_batches() for i in batch]
    now = clock.now()
    for attempt in range(2):  # each claim's worker dies: the lease runs out
        with clock.freeze(now + dt.timedelta(minutes=10 * attempt)):
            assert [c.row_id for c in deliveries_claim(ids=[delivery_id])] == [delivery_id]
    with clock.freeze(now + dt.timedelta(minutes=30)):
        assert deliveries_dispatch_batches() == []
        assert deliveries_claim(ids=[delivery_id]) == []
    row = Delivery.objects.get(pk=delivery_id)
    assert row.status == DeliveryStatus.FAILED
    assert row.attempts == 2
    assert "Ga opp etter 2 forsøk" in row.last_error
