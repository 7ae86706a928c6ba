"""Notifications: quiet hours, idempotent fan-out in batches, SMS through the simulator, missing contacts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail

from integrations.sms.simulator import SmsSimulator
from messaging.models import Channel, Delivery, DeliveryStatus, Mailbox, MissingContactTask, Notification
from messaging.services.delivery import deliveries_send, push_payload
from messaging.services.notifications import (
    deliveries_dispatch_batches,
    notify_persons,
    preference_set,
    working_hours_set,
)
from messaging.services.threads import thread_start
from oas import clock
from tests.messaging.conftest import World, new_person, person

pytestmark = pytest.mark.django_db(transaction=False)

OFFICE_HOURS = [(d, dt.time(8, 0), dt.time(16, 0)) for d in range(5)]


def _all_ids() -> list[int]:
    return [i for batch in deliveries_dispatch_batches() for i in batch]


def test_staff_notification_outside_working_hours_waits_until_the_next_working_period(world: World) -> None:
    teacher = person(world, "contact_teacher")
    working_hours_set(person_id=teacher.pk, periods=OFFICE_HOURS)
    evening = dt.datetime(2026, 11, 19, 20, 0, tzinfo=clock.OSLO)  # Thursday evening
    with clock.freeze(evening):
        notify_persons(person_ids=[teacher.pk], key="t1", title="Ny melding", url="/", staff=True)
        note = Notification.objects.get(key="t1")
        assert note.deliver_after == dt.datetime(2026, 11, 20, 8, 0, tzinfo=clock.OSLO)
        assert _all_ids() == []  # nothing goes out tonight
    with clock.freeze(dt.datetime(2026, 11, 20, 8, 1, tzinfo=clock.OSLO)):
        assert len(_all_ids()) == 1


def test_friday_evening_waits_for_monday_and_urgent_messages_go_now_by_unit_policy(world: World) -> None:
    teacher = person(world, "contact_teacher")
    working_hours_set(person_id=teacher.pk, periods=OFFICE_HOURS)
    friday_evening = dt.datetime(2026, 11, 20, 18, 0, tzinfo=clock.OSLO)
    with clock.freeze(friday_evening):
        notify_persons(person_ids=[teacher.pk], key="f1", title="T", url="/", staff=True)
        assert Notification.objects.get(key="f1").deliver_after == dt.datetime(2026, 11, 23, 8, 0, tzinfo=clock.OSLO)
        notify_persons(person_ids=[teacher.pk], key="f2", title="T", url="/", staff=True, bypass_quiet_hours=True)
        assert Notification.objects.get(key="f2").deliver_after == clock.now()


def test_a_guardians_urgent_message_in_the_evening_respects_the_units_policy(world: World) -> None:
    teacher = person(world, "principal")  # the school's mailbox is handled by its leader by default
    working_hours_set(person_id=teacher.pk, periods=OFFICE_HOURS)
    Mailbox.objects.create(unit=world.units["S1"], urgent_bypasses_quiet_hours=False, guardians_may_mark_urgent=True)
    with clock.freeze(dt.datetime(2026, 11, 19, 21, 0, tzinfo=clock.OSLO)):
        thread = thread_start(
            user=world.user("protected_guardian"),
            child_id=world.children["kid_protected"].pk,
            unit_id=world.units["S1"].pk,
            subject="Syk",
            body="Hun er syk",
            urgent=True,
        )
        note = Notification.objects.get(person=teacher, key=f"msg:{thread.messages.get().pk}")
        assert note.deliver_after > clock.now()


def test_the_same_notification_is_never_delivered_twice(world: World, sms_sim: SmsSimulator) -> None:
    people = [new_person(email=f"p{i}@example.no", phone=f"4000000{i}") for i in range(3)]
    ids = [p.pk for p in people]
    assert notify_persons(person_ids=ids, key="n1", title="Nytt oppslag", url="/x/") == 3
    assert notify_persons(person_ids=ids, key="n1", title="Nytt oppslag", url="/x/") == 0
    assert Delivery.objects.count() == 6
    batch = _all_ids()
    first = deliveries_send(ids=batch)
    second = deliveries_send(ids=batch)  # a redelivered task: rows are no longer claimable
    assert first == {"sent": 6, "retry": 0, "failed": 0}
    assert second == {}
    assert len(mail.outbox) == 3
    assert len(sms_sim.sent) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_lost_worker_claim_is_resent_and_the_gateway_deduplicates(world: World, sms_sim: SmsSimulator) -> None:
    person = new_person(email="", phone="40000009")
    notify_persons(person_ids=[person.pk], key="n2", title="T", url="/")
    delivery = Delivery.objects.get()
    deliveries_send(ids=[delivery.pk])
    # Simulate a worker that sent the SMS, then died before recording it.
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING,
        claimed_at=clock.now() - dt.timedelta(minutes=10),
        lease_expires_at=clock.now() - dt.timedelta(minutes=8),
    )
    assert _all_ids() == [delivery.pk]
    deliveries_send(ids=[delivery.pk])
    assert len(sms_sim.sent) == 1
    assert sms_sim.duplicates == 1


def test_gateway_failures_are_retried_with_backoff_and_invalid_numbers_fail(
    world: World, sms_sim: SmsSimulator
) -> None:
    good = new_person(email="", phone="40000001")
    bad = new_person(email="", phone="123")
    notify_persons(person_ids=[good.pk, bad.pk], key="n3", title="T", url="/")
    sms_sim.fail("500")
    assert deliveries_send(ids=_all_ids()) == {"sent": 0, "retry": 2, "failed": 0}
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert _all_ids() == []  # backing off
    with clock.freeze(clock.now() + dt.timedelta(minutes=5)):
        assert deliveries_send(ids=_all_ids()) == {"sent": 1, "retry": 0, "failed": 1}
    statuses = dict(Delivery.objects.values_list("notification__person_id", "status"))
    assert statuses == {good.pk: DeliveryStatus.SENT, bad.pk: DeliveryStatus.FAILED}
    assert len(sms_sim.sent) == 1


def test_preferences_choose_the_channels(world: World) -> None:
    person = new_person(email="a@example.no", phone="40000002")
    preference_set(person_id=person.pk, email=False, sms=True, push=False)
    notify_persons(person_ids=[person.pk], key="n4", title="T", url="/")
    assert list(Delivery.objects.values_list("channel", flat=True)) == [Channel.SMS]


def test_a_guardian_without_contact_details_becomes_a_task_for_the_unit(world: World) -> None:
    person = new_person(email="", phone="")
    notify_persons(person_ids=[person.pk], key="n5", title="T", url="/", unit_id=world.units["S1"].pk)
    assert Notification.objects.filter(person=person).exists()  # still in the portal
    assert not Delivery.objects.exists()
    assert MissingContactTask.objects.filter(person=person, unit=world.units["S1"]).exists()


def test_sensitive_message_notifications_never_carry_the_content(world: World, sms_sim: SmsSimulator) -> None:
    mother = person(world, "protected_guardian")
    mother.email, mother.phone = "mor@example.no", "40000003"
    mother.save(update_fields=["email", "phone"])
    thread_start(
        user=world.user("contact_teacher"),
        child_id=world.children["kid_protected"].pk,
        unit_id=world.units["1A"].pk,
        subject="Samtale",
        body="Hemmelig helseopplysning",
        sensitive=True,
    )
    deliveries_send(ids=_all_ids())
    assert mail.outbox
    for message in mail.outbox:
        assert "Hemmelig" not in message.body and "Hemmelig" not in message.subject
    assert all("Hemmelig" not in row["text"] for row in sms_sim.sent.values())


def test_push_payload_holds_only_title_and_link() -> None:
    payload: Any = push_payload(title="Ny melding", url="/meldinger/portal/1/")
    assert payload == '{"title": "Ny melding", "url": "/meldinger/portal/1/"}'


def test_fan_out_is_batched_not_one_task_per_person(world: World) -> None:
    people = [new_person(email="x@example.no", phone="") for _ in range(3)]
    notify_persons(person_ids=[p.pk for p in people], key="n6", title="T", url="/")
    assert deliveries_dispatch_batches(batch_size=2) and len(deliveries_dispatch_batches(batch_size=2)) == 2


def test_staff_set_working_hours_and_channels_on_the_settings_page(world: World) -> None:
    from django.test import Client

    from messaging.models import NotificationPreference, WorkingHours
    from tests.messaging.conftest import login

    teacher = login(Client(), world, "contact_teacher")
    assert teacher.get("/meldinger/innstillinger/").status_code == 200
    response = teacher.post(
        "/meldinger/innstillinger/",
        {
            "staff_message_channel": "email",
            "staff_urgent_channel": "email",
            "days": ["0", "1", "2"],
            "start": "08:00",
            "end": "15:30",
        },
    )
    assert response.status_code == 302
    me = person(world, "contact_teacher")
    assert sorted(WorkingHours.objects.filter(person=me).values_list("weekday", flat=True)) == [0, 1, 2]
    pref = NotificationPreference.objects.get(person=me)
    assert (pref.email, pref.sms, pref.push) == (True, False, False)
    bad = teacher.post("/meldinger/innstillinger/", {"days": ["0"], "start": "16:00", "end": "08:00"})
    assert bad.status_code == 400
    assert sorted(WorkingHours.objects.filter(person=me).values_list("weekday", flat=True)) == [0, 1, 2]
    pref.refresh_from_db()
    assert pref.email is True  # the refused form changed nothing


def test_settings_page_needs_a_login() -> None:
    from django.test import Client

    assert Client().get("/meldinger/innstillinger/").status_code in (302, 403)
