"""Allowed requests for message recall (page) and the thread detail API; the thread list API has no N+1."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from messaging.models import Message, Thread
from messaging.services.threads import message_reply, thread_start
from oas import clock
from oas.access.evaluation import permitted_actions, permitted_actions_many
from oas.audit.models import AuditEvent
from tests.messaging.conftest import World, login

pytestmark = pytest.mark.django_db


def _thread(world: World, *, subject: str = "Om uka", unit: str = "1A") -> Thread:
    return thread_start(
        user=world.user("contact_teacher"),
        child_id=world.children["kid_protected"].pk,
        unit_id=world.units[unit].pk,
        subject=subject,
        body="Hei fra skolen",
    )


def _recall_url(message: Message) -> str:
    return f"/meldinger/melding/{message.pk}/trekk-tilbake/"


def test_the_sender_recalls_a_message_through_the_page_within_the_window(world: World) -> None:
    thread = _thread(world)
    message = thread.messages.get()
    with clock.freeze(clock.now() + dt.timedelta(minutes=14)):
        response = login(Client(), world, "contact_teacher").post(_recall_url(message))
    assert response.status_code == 302
    assert response["Location"] == f"/meldinger/{thread.pk}/"
    message.refresh_from_db()
    assert message.recalled_at is not None
    assert AuditEvent.objects.filter(event="messaging.message.recall", object_id=str(message.pk)).exists()
    seen = login(Client(), world, "protected_guardian").get(f"/api/v1/messaging/threads/{thread.pk}").json()
    (out,) = seen["messages"]
    assert out["recalled"] is True and out["body"] == ""


def test_a_guardian_recalls_their_own_reply_and_returns_to_the_portal_thread(world: World) -> None:
    thread = _thread(world)
    reply = message_reply(user=world.user("protected_guardian"), thread_id=thread.pk, body="Oi, feil barn")
    response = login(Client(), world, "protected_guardian").post(_recall_url(reply))
    assert response.status_code == 302
    assert response["Location"] == f"/meldinger/portal/{thread.pk}/"
    reply.refresh_from_db()
    assert reply.recalled_at is not None


def test_after_the_window_the_recall_is_refused_with_a_clear_error_and_nothing_changes(world: World) -> None:
    thread = _thread(world)
    message = thread.messages.get()
    with clock.freeze(clock.now() + dt.timedelta(minutes=16)):
        response = login(Client(), world, "contact_teacher").post(_recall_url(message))
    assert response.status_code == 400
    assert "de første 15 minuttene" in response.content.decode()
    message.refresh_from_db()
    assert message.recalled_at is None
    assert not AuditEvent.objects.filter(event="messaging.message.recall").exists()


def test_a_participant_gets_the_thread_with_messages_and_permitted_actions(world: World) -> None:
    thread = _thread(world)
    message_reply(user=world.user("protected_guardian"), thread_id=thread.pk, body="Mors svar")
    message_reply(user=world.user("other_guardian"), thread_id=thread.pk, body="Fars svar")
    mother = login(Client(), world, "protected_guardian").get(f"/api/v1/messaging/threads/{thread.pk}")
    assert mother.status_code == 200
    data = mother.json()
    assert data["id"] == thread.pk and data["subject"] == "Om uka"
    assert [m["body"] for m in data["messages"]] == ["Hei fra skolen", "Mors svar"]  # never the other parent's
    assert data["permitted_actions"] == ["messaging.thread.reply"]
    assert AuditEvent.objects.filter(event="messaging.api.thread", object_id=str(thread.pk)).exists()
    staff = login(Client(), world, "contact_teacher").get(f"/api/v1/messaging/threads/{thread.pk}").json()
    assert [m["body"] for m in staff["messages"]] == ["Hei fra skolen", "Mors svar", "Fars svar"]
    assert {"messaging.thread.read", "messaging.thread.reply"} <= set(staff["permitted_actions"])


def test_the_staff_thread_list_api_query_count_does_not_grow_with_the_threads(
    world: World, django_assert_max_num_queries
) -> None:
    from messaging.models import Mailbox

    # The leader handles both mailboxes (need-to-know: otherwise a leader reads only threads they are on).
    for unit in ("1A", "S1"):
        Mailbox.objects.create(unit=world.units[unit], handler_roles=["unit_leader"])
    _thread(world, subject="Tråd 0")
    client = login(Client(), world, "principal")
    url = "/api/v1/messaging/threads"
    client.get(url)  # warm per-session caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    one = len(ctx.captured_queries)
    for n in range(1, 9):
        _thread(world, subject=f"Tråd {n}", unit="1A" if n % 2 else "S1")
    with django_assert_max_num_queries(one):
        response = client.get(url)
    results = response.json()["results"]
    assert len(results) == 9
    for row in results:
        assert "messaging.thread.read" in row["permitted_actions"]


def test_batch_permitted_actions_on_threads_match_the_single_check(world: World) -> None:
    threads = [_thread(world, subject="A"), _thread(world, subject="B", unit="S1")]
    for persona in ("contact_teacher", "principal", "teacher", "other_teacher", "guardian", "outsider"):
        user = world.user(persona)
        many = permitted_actions_many(user=user, targets=threads)
        assert many == {t.pk: permitted_actions(user=user, target=t) for t in threads}, persona
    assert permitted_actions_many(user=world.user("other_teacher"), targets=threads) == {t.pk: [] for t in threads}
