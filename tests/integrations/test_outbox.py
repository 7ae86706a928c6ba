"""Transactional outbox: enqueue in the business transaction, claim, deliver, retry, dead letters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from integrations.arbeidsflate import DEAD_LETTERS
from integrations.common.errors import PermanentError, TransientError
from integrations.models import OutboxMessage, OutboxStatus
from integrations.outbox import outbox_enqueue, register_handler
from integrations.outbox.services import backoff_seconds, outbox_claim_due
from integrations.outbox.tasks import outbox_deliver_now
from integrations.outbox.webhook import KIND as HTTP_POST
from oas import clock

pytestmark = pytest.mark.django_db

calls: list[str] = []


def _ok(delivery):
    calls.append(delivery.idempotency_key)
    return {"ref": "R-1"}


def _transient(delivery):
    raise TransientError("mottaker svarte 503", retry_after=120)


def _permanent(delivery):
    raise PermanentError("mottaker avviste: ugyldig filnavn")


def _crash(delivery):
    raise RuntimeError("bug")


register_handler("test.ok", _ok)
register_handler("test.transient", _transient)
register_handler("test.permanent", _permanent)
register_handler("test.crash", _crash)


def _deliver_all() -> list[str]:
    return [outbox_deliver_now(message_id=c.message_id, claim_token=c.claim_token) for c in outbox_claim_due()]


def test_enqueue_rolled_back_with_the_business_transaction_leaves_no_row():
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_enqueue(kind="test.ok", payload={"a": 1}, idempotency_key="k-rollback")
        raise RuntimeError("business rule failed")
    assert not OutboxMessage.objects.filter(idempotency_key="k-rollback").exists()


def test_same_idempotency_key_never_makes_a_second_row():
    first = outbox_enqueue(kind="test.ok", payload={"a": 1}, idempotency_key="k-1")
    second = outbox_enqueue(kind="test.ok", payload={"a": 2}, idempotency_key="k-1")
    assert first.pk == second.pk
    assert OutboxMessage.objects.filter(idempotency_key="k-1").count() == 1


def test_due_message_is_delivered_once_with_the_receivers_result():
    calls.clear()
    message = outbox_enqueue(kind="test.ok", payload={}, idempotency_key="k-ok")
    assert _deliver_all() == ["delivered"]
    assert _deliver_all() == []
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
    assert message.result == {"ref": "R-1"}
    assert calls == ["k-ok"]


def test_claim_is_conditional_so_a_second_claimer_gets_nothing():
    outbox_enqueue(kind="test.ok", payload={}, idempotency_key="k-claim")
    assert len(outbox_claim_due()) == 1
    assert outbox_claim_due() == []


def test_message_with_deliver_after_in_the_future_is_not_claimed():
    outbox_enqueue(
        kind="test.ok", payload={}, idempotency_key="k-later", deliver_after=clock.now() + dt.timedelta(hours=1)
    )
    assert outbox_claim_due() == []


def test_claim_abandoned_by_a_dead_worker_is_reclaimed_after_the_lease(settings):
    settings.OUTBOX_LEASE_SECONDS = 60
    outbox_enqueue(kind="test.ok", payload={}, idempotency_key="k-lease")
    abandoned = outbox_claim_due()
    assert len(abandoned) == 1
    with clock.freeze(clock.now() + dt.timedelta(seconds=61)):
        reclaimed = outbox_claim_due()
        assert [c.message_id for c in reclaimed] == [abandoned[0].message_id]
        assert outbox_deliver_now(message_id=abandoned[0].message_id, claim_token=abandoned[0].claim_token) == "stale"
        assert outbox_deliver_now(message_id=reclaimed[0].message_id, claim_token=reclaimed[0].claim_token) == (
            "delivered"
        )
    assert OutboxMessage.objects.get(idempotency_key="k-lease").attempts == 2


def test_message_that_kills_its_worker_becomes_a_dead_letter_after_the_maximum_attempts(settings, demo_municipality):
    """Each claim counts an attempt; a worker that dies mid-delivery records nothing, yet the row is not reclaimed
    forever: after OUTBOX_MAX_ATTEMPTS expired claims it is a dead letter, shown to system administrators."""
    settings.OUTBOX_LEASE_SECONDS = 60
    settings.OUTBOX_MAX_ATTEMPTS = 3
    outbox_enqueue(kind="test.ok", payload={}, idempotency_key="k-poison")
    other = outbox_enqueue(kind="test.ok", payload={}, idempotency_key="k-healthy")
    at = clock.now()
    claimed = 0
    for _round in range(6):  # the worker is killed every time: nobody marks the claim failed or delivered
        with clock.freeze(at):
            claims = outbox_claim_due()
            for claim in claims:
                if claim.message_id == other.id:  # a healthy message next to it is delivered normally
                    outbox_deliver_now(message_id=claim.message_id, claim_token=claim.claim_token)
        claimed += len([c for c in claims if c.message_id != other.id])
        at += dt.timedelta(seconds=61)
    assert claimed == 3
    poison = OutboxMessage.objects.get(idempotency_key="k-poison")
    assert poison.status == OutboxStatus.DEAD
    assert poison.attempts == 3
    assert poison.claim_token is None
    assert "3 forsøk" in poison.last_error
    assert OutboxMessage.objects.get(id=other.id).status == OutboxStatus.DELIVERED
    admin = get_user_model().objects.create_user(username="drift-poison", is_superuser=True, is_staff=True)
    (task,) = DEAD_LETTERS.tasks_for(user=admin)
    assert task.count == 1


def test_transient_failure_is_retried_later_with_backoff_respecting_retry_after():
    message = outbox_enqueue(kind="test.transient", payload={}, idempotency_key="k-transient")
    assert _deliver_all() == ["pending"]
    message.refresh_from_db()
    assert message.attempts == 1
    assert message.last_error == "mottaker svarte 503"
    assert message.next_attempt_at >= clock.now() + dt.timedelta(seconds=119)
    assert _deliver_all() == []  # not due yet


def test_backoff_grows_exponentially_with_jitter_and_a_cap(settings):
    settings.OUTBOX_BACKOFF_BASE_SECONDS = 10
    settings.OUTBOX_BACKOFF_MAX_SECONDS = 300
    assert 5 <= backoff_seconds(attempts=1) <= 10
    assert 20 <= backoff_seconds(attempts=3) <= 40
    assert 150 <= backoff_seconds(attempts=20) <= 300


def test_permanent_failure_becomes_a_dead_letter_with_the_reason():
    message = outbox_enqueue(kind="test.permanent", payload={}, idempotency_key="k-perm")
    assert _deliver_all() == ["dead"]
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD
    assert message.last_error == "mottaker avviste: ugyldig filnavn"


def test_bounded_retries_end_in_a_dead_letter(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = outbox_enqueue(kind="test.crash", payload={}, idempotency_key="k-crash")
    assert _deliver_all() == ["pending"]
    with clock.freeze(clock.now() + dt.timedelta(days=1)):
        assert _deliver_all() == ["dead"]
    message.refresh_from_db()
    assert "Ga opp etter 2 forsøk" in message.last_error
    assert "RuntimeError: bug" in message.last_error


def test_unknown_kind_is_a_dead_letter_naming_the_kind():
    outbox_enqueue(kind="test.nobody", payload={}, idempotency_key="k-nobody")
    assert _deliver_all() == ["dead"]
    assert "test.nobody" in OutboxMessage.objects.get(idempotency_key="k-nobody").last_error


def test_vanished_row_is_a_no_op():
    assert outbox_deliver_now(message_id=987654321, claim_token="00000000-0000-0000-0000-000000000000") == "vanished"


def test_http_post_carries_the_idempotency_key_so_redelivery_is_stored_once(receiver):
    payload = {"url": receiver.url + "/deliveries", "body": {"letter": 1}}
    outbox_enqueue(kind=HTTP_POST, payload=payload, idempotency_key="k-http")
    assert _deliver_all() == ["delivered"]
    # Simulate a redelivery (e.g. after a lost acknowledgement) with the same key.
    OutboxMessage.objects.filter(idempotency_key="k-http").update(status=OutboxStatus.PENDING)
    assert _deliver_all() == ["delivered"]
    assert receiver.requests_received == 2
    assert list(receiver.deliveries) == ["k-http"]


def test_http_post_to_a_failing_receiver_is_retried(receiver):
    receiver.fail("500")
    outbox_enqueue(kind=HTTP_POST, payload={"url": receiver.url + "/deliveries", "body": {}}, idempotency_key="k-500")
    assert _deliver_all() == ["pending"]
    assert "serverfeil 500" in OutboxMessage.objects.get(idempotency_key="k-500").last_error


def _superuser():
    return get_user_model().objects.create_superuser("root", "root@example.org", "x" * 20)


@pytest.fixture
def model_backend(settings):
    """These tests are about the admin action, not about how staff log in (issue "Identity…")."""
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]


@pytest.mark.usefixtures("model_backend")
def test_admin_retry_action_requeues_a_dead_letter(client):
    message = outbox_enqueue(kind="test.permanent", payload={}, idempotency_key="k-admin")
    _deliver_all()
    client.force_login(_superuser(), backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        "/admin/integrations/outboxmessage/",
        {"action": "retry_selected", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 0


@pytest.mark.usefixtures("model_backend")
def test_user_without_admin_access_cannot_retry(client):
    message = outbox_enqueue(kind="test.permanent", payload={}, idempotency_key="k-denied")
    _deliver_all()
    user = get_user_model().objects.create_user("plain", "p@example.org", "x" * 20)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        "/admin/integrations/outboxmessage/",
        {"action": "retry_selected", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    message.refresh_from_db()
    assert message.status == OutboxStatus.DEAD


def test_dead_letters_show_as_a_task_for_the_system_administrator_only():
    outbox_enqueue(kind="test.permanent", payload={}, idempotency_key="k-task")
    _deliver_all()
    provider = DEAD_LETTERS
    tasks = provider.tasks_for(user=_superuser())
    assert [(t.count, t.severity) for t in tasks] == [(1, "danger")]
    assert "status__exact=dead" in tasks[0].url
    plain = get_user_model().objects.create_user("plain2", "p2@example.org", "x" * 20)
    assert provider.tasks_for(user=plain) == []


def test_dead_letters_show_for_an_employee_with_the_system_admin_role():
    from typing import cast

    from oas.access.services import role_mapping_seed
    from oas.people.models import Employee
    from tests.factories import EmployeeFactory, EmploymentFactory, sector_office, staff_account

    role_mapping_seed()
    outbox_enqueue(kind="test.permanent", payload={}, idempotency_key="k-role")
    _deliver_all()
    office = sector_office()
    employee = cast(Employee, EmployeeFactory())
    EmploymentFactory(employee=employee, unit=office, position_code="SYSADM")
    assert [t.count for t in DEAD_LETTERS.tasks_for(user=staff_account(employee).user)] == [1]
    colleague = cast(Employee, EmployeeFactory())
    EmploymentFactory(employee=colleague, unit=office, position_code="RADGIVER")
    assert DEAD_LETTERS.tasks_for(user=staff_account(colleague).user) == []
