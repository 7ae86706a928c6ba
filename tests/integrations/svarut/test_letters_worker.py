"""A real Celery worker killed while SvarUt holds the answer: the letter still reaches SvarUt exactly once.

Commits (transactional_db) because the worker process must see the rows.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any, cast

import pytest

from integrations.letters.services import letter_send
from integrations.models import Letter, LetterState, OutboxMessage, OutboxStatus
from integrations.outbox.tasks import outbox_claim_due_task
from oas.celery import app
from oas.people.models import Person
from tests.factories import PersonFactory
from tests.integrations.worker_helpers import start_worker, stop_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def workers(svarut_sim: Any, maskinporten_sim: Any) -> Iterator[list[subprocess.Popen[bytes]]]:
    app.control.purge()
    previous = {name: os.environ.get(name) for name in ("SVARUT_SIMULATOR_URL", "MASKINPORTEN_SIMULATOR_URL")}
    os.environ["SVARUT_SIMULATOR_URL"] = svarut_sim.url  # the worker's settings come from its environment
    os.environ["MASKINPORTEN_SIMULATOR_URL"] = maskinporten_sim.url
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        stop_worker(process, signal.SIGKILL)
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def test_worker_killed_mid_delivery_sends_the_letter_exactly_once(svarut_sim, workers):
    svarut_sim.hold_seconds = 60
    workers.append(start_worker(lease_seconds=3))
    person = cast(Person, PersonFactory())
    letter_id = letter_send(
        recipient_person_id=person.id,
        title="Vedtak om skoleskyss",
        template="letters/melding.html",
        context={"paragraphs": ["Du har rett til skoleskyss."]},
        idempotency_key="skyss-7",
    )  # committed at once; on_commit asks the worker to claim
    assert svarut_sim.first_send.wait(timeout=60), "the worker never reached SvarUt"
    stop_worker(workers[0], signal.SIGKILL)
    assert OutboxMessage.objects.get(kind="svarut.send").status == OutboxStatus.IN_PROGRESS

    svarut_sim.hold_seconds = 0
    workers.append(start_worker(lease_seconds=3))
    deadline = time.monotonic() + 90
    letter = Letter.objects.get(id=letter_id)
    while time.monotonic() < deadline and letter.state != LetterState.SENT:
        outbox_claim_due_task.apply_async()  # what beat does every few seconds
        time.sleep(1.5)
        letter.refresh_from_db()
    assert letter.state == LetterState.SENT
    assert svarut_sim.send_calls == 1  # the second worker looked the eksternReferanse up instead of resending …
    assert svarut_sim.lookup_calls >= 1
    (only,) = svarut_sim.by_ekstern_referanse("skyss-7")  # … so SvarUt holds it once
    assert letter.forsendelse_id == only.id
