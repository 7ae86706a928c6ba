"""E-mail marks: "attempting" is committed durably before a chunk goes out, "sent" right after each e-mail.

SMTP cannot deduplicate. A worker that dies leaves its unsent e-mails to be sent again (its fast "sent" marks
survive: only a database crash can lose them); after a database restart, e-mails that were being sent are marked
UNCERTAIN and not sent again. A row another worker re-claimed is not sent by the first one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import psycopg
import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging.models import Delivery, DeliveryStatus
from messaging.services import delivery as delivery_services
from messaging.services import notifications as notification_services
from messaging.services.delivery import deliveries_send
from messaging.services.notifications import deliveries_claim, deliveries_dispatch_batches, notify_persons
from oas import clock
from tests.messaging.conftest import new_person

pytestmark = pytest.mark.django_db(transaction=True)


def _committed() -> dict[str, int]:
    """Rows by state as another connection sees them (only committed data)."""
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"], dbname=s["NAME"], password=s["PASSWORD"]
    ) as other:
        sent, attempting = other.execute(
            "SELECT count(*) FILTER (WHERE status = 'sent'),"
            " count(*) FILTER (WHERE status = 'sending' AND attempted_at IS NOT NULL) FROM messaging_delivery"
        ).fetchone() or (0, 0)
    return {"sent": int(sent), "attempting": int(attempting)}


class WatchingBackend(BaseEmailBackend):
    """Records, at each send, what other connections see and this connection's commit mode."""

    seen: ClassVar[list[dict[str, Any]]] = []
    on_send: ClassVar[Any] = None

    def send_messages(self, email_messages: Any) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            mode = cursor.fetchone()
        WatchingBackend.seen.append({**_committed(), "mode": mode[0] if mode else "", "to": email_messages[0].to})
        if WatchingBackend.on_send is not None:
            WatchingBackend.on_send()
        return len(email_messages)


def _notify(n: int, key: str) -> list[int]:
    people = [new_person(email=f"{key}{i}@example.no", phone="") for i in range(n)]
    notify_persons(person_ids=[p.pk for p in people], key=key, title="Oppslag", url="/x/")
    return [i for batch in deliveries_dispatch_batches() for i in batch]


@pytest.fixture
def watching(settings: Any, monkeypatch: pytest.MonkeyPatch) -> type[WatchingBackend]:
    settings.EMAIL_BACKEND = "tests.messaging.test_delivery_marks.WatchingBackend"
    monkeypatch.setattr(delivery_services, "MAIL_CHUNK", 2)
    WatchingBackend.seen = []
    WatchingBackend.on_send = None
    return WatchingBackend


def test_a_chunk_is_committed_as_attempting_before_it_goes_out_and_each_e_mail_is_marked_when_sent(
    watching: type[WatchingBackend],
) -> None:
    ids = _notify(5, "marks")
    with CaptureQueriesContext(connection) as ctx:
        assert deliveries_send(ids=ids) == {"sent": 5, "retry": 0, "failed": 0}
    # Chunks of 2: the chunk being sent is visibly "attempting"; each e-mail is "sent" before the next goes out.
    assert [(s["sent"], s["attempting"]) for s in watching.seen] == [(0, 2), (1, 1), (2, 2), (3, 1), (4, 1)]
    # The per-e-mail marks use fast commits; the "attempting" marks are forced durable.
    assert {s["mode"] for s in watching.seen} == {"off"}
    sql = [q["sql"] for q in ctx.captured_queries]
    attempting = [i for i, q in enumerate(sql) if "SET attempted_at" in q]
    assert len(attempting) == 3
    assert all(sql[i - 1] == "SET LOCAL synchronous_commit = on" for i in attempting)
    assert _committed() == {"sent": 5, "attempting": 0}
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}
    with connection.cursor() as cursor:  # the session is back to the server's default
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)


def _die_after_attempting(ids: list[int]) -> list[Delivery]:
    """A worker claims the batch, commits "attempting" for its first chunk, then dies (SIGKILL: no cleanup)."""
    claimed = deliveries_claim(ids=ids)
    rows = list(Delivery.objects.filter(pk__in=claimed).order_by("pk"))
    stamp = rows[0].claimed_at
    assert stamp is not None
    assert delivery_services._mark_attempting([r.pk for r in rows[:2]], claimed_at=stamp) == {r.pk for r in rows[:2]}
    return rows


def test_a_killed_worker_s_unsent_chunk_is_sent_again_once(watching: type[WatchingBackend]) -> None:
    ids = _notify(3, "kill")
    rows = _die_after_attempting(ids)
    with clock.freeze(clock.now() + dt.timedelta(minutes=5)):  # the lease ran out; PostgreSQL did not restart
        again = [i for batch in deliveries_dispatch_batches() for i in batch]
        assert sorted(again) == sorted(ids)
        assert deliveries_send(ids=again) == {"sent": 3, "retry": 0, "failed": 0}
    assert sorted(s["to"][0] for s in watching.seen) == sorted(r.notification.person.email for r in rows)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert deliveries_dispatch_batches() == []


def test_after_a_database_restart_e_mails_that_were_being_sent_are_uncertain_and_not_sent_again(
    watching: type[WatchingBackend], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _notify(3, "crash")
    rows = _die_after_attempting(ids)
    later = clock.now() + dt.timedelta(minutes=5)
    # PostgreSQL crashed and started again after the attempt: fast "sent" marks of that moment may be lost.
    monkeypatch.setattr(notification_services, "_database_started_at", lambda: later - dt.timedelta(minutes=1))
    with clock.freeze(later):
        again = [i for batch in deliveries_dispatch_batches() for i in batch]
        assert sorted(again) == sorted(ids)
        assert deliveries_send(ids=again) == {"sent": 1, "retry": 0, "failed": 0}
    assert [s["to"] for s in watching.seen] == [[rows[2].notification.person.email]]
    status = dict(Delivery.objects.values_list("pk", "status"))
    assert [status[r.pk] for r in rows] == [DeliveryStatus.UNCERTAIN, DeliveryStatus.UNCERTAIN, DeliveryStatus.SENT]
    assert deliveries_dispatch_batches() == []  # nothing left to retry


def test_a_row_another_worker_reclaimed_is_not_sent_by_the_first(watching: type[WatchingBackend]) -> None:
    ids = _notify(3, "fence")
    rows = sorted(ids)

    def another_worker_takes_the_last_row() -> None:
        if len(watching.seen) == 1:
            Delivery.objects.filter(pk=rows[2]).update(claimed_at=clock.now() + dt.timedelta(seconds=1))

    watching.on_send = another_worker_takes_the_last_row
    assert deliveries_send(ids=ids) == {"sent": 2, "retry": 0, "failed": 0}
    assert len(watching.seen) == 2
    assert Delivery.objects.get(pk=rows[2]).status == DeliveryStatus.SENDING  # the other worker's to send
