"""Notification e-mail is delivered at least once, and a copy sent again is recognisable by its Message-ID.

Each chunk of e-mails is committed as "attempting" before it goes out; each e-mail is committed "sent" as soon as
the SMTP server accepted it. A worker that dies in between leaves its e-mails to be sent again when the lease runs
out: nothing is lost, and the only duplicates are the e-mails that were in flight, each with the same Message-ID.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any, ClassVar

import psycopg
import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

from integrations.mail.simulator import SmtpSimulator
from messaging.models import Delivery, DeliveryStatus
from messaging.services import delivery as delivery_services
from messaging.services.delivery import deliveries_send, delivery_message_id
from messaging.services.notifications import deliveries_claim, deliveries_dispatch_batches, notify_persons
from oas import clock
from tests.integrations.worker_helpers import ROOT
from tests.integrations.worker_helpers import test_database_url as subprocess_database_url
from tests.messaging.conftest import new_person

pytestmark = pytest.mark.django_db(transaction=True)

LATER = dt.timedelta(minutes=5)  # past the delivery lease: a dead worker's rows are claimable again


@pytest.fixture
def smtp(settings: Any) -> Iterator[SmtpSimulator]:
    with SmtpSimulator() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        yield server


def _notify(n: int, key: str, title: str = "Oppslag") -> list[int]:
    people = [new_person(email=f"{key}{i}@example.no", phone="") for i in range(n)]
    notify_persons(person_ids=[p.pk for p in people], key=key, title=title, url="/x/")
    return _due()


def _due() -> list[int]:
    return [i for batch in deliveries_dispatch_batches() for i in batch]


def _message_ids() -> set[str]:
    return {delivery_message_id(delivery=d) for d in Delivery.objects.select_related("notification")}


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


def test_e_mails_go_out_over_smtp_once_each_with_the_delivery_s_message_id(
    smtp: SmtpSimulator, demo_municipality: object
) -> None:
    ids = _notify(3, "smtp", title=".Planleggingsdag")
    assert deliveries_send(ids=ids) == {"sent": 3, "retry": 0, "failed": 0}
    assert smtp.duplicates == 0
    assert {m.recipients for m in smtp.messages} == {(f"smtp{i}@example.no",) for i in range(3)}
    # A body line starting with "." is stuffed on the wire and arrives whole (not read as the end of data).
    assert all(b"\n.Planleggingsdag." in m.data for m in smtp.messages)
    assert {m.message_id for m in smtp.messages} == _message_ids()
    assert all(m.message_id.startswith("<oas-") and m.message_id.endswith("-email@127.0.0.1>") for m in smtp.messages)
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert deliveries_send(ids=ids) == {}  # a redelivered task sends nothing
    assert len(smtp.messages) == 3


def test_each_copy_of_a_shared_e_mail_is_the_message_django_composes_for_it(
    smtp: SmtpSimulator, demo_municipality: object
) -> None:
    """The batch composes the shared part once; each copy must equal Django's own message for that recipient."""
    import email
    from email.policy import default

    from django.core.mail import get_connection

    from messaging.services.delivery import _email_message, _SharedMail

    ids = _notify(2, "shared", title="Planleggingsdag på fredag")
    rows = list(Delivery.objects.filter(pk__in=ids).select_related("notification__person").order_by("pk"))
    mail = get_connection()
    mail.open()
    _SharedMail().send(mail, _email_message(rows[0], mail))  # the shared part plus its own lines
    mail.send_messages([_email_message(rows[0], mail)])  # Django's whole message, for comparison
    mail.close()
    ours, djangos = (email.message_from_bytes(m.data, policy=default) for m in smtp.messages)
    for header in ("Subject", "From", "To", "Message-ID", "Content-Type", "MIME-Version"):
        assert ours[header] == djangos[header], header
    assert ours["Subject"] == "Planleggingsdag på fredag"
    assert ours["To"] == "shared0@example.no"
    assert ours.get_content() == djangos.get_content()
    assert "Logg inn for å lese" in ours.get_content()
    assert smtp.messages[0].recipients == ("shared0@example.no",)


class WatchingBackend(BaseEmailBackend):
    """Records, at each send, what other connections see: the committed marks."""

    seen: ClassVar[list[dict[str, Any]]] = []
    on_send: ClassVar[Any] = None

    def send_messages(self, email_messages: Any) -> int:
        WatchingBackend.seen.append({**_committed(), "to": email_messages[0].to})
        if WatchingBackend.on_send is not None:
            WatchingBackend.on_send()
        return len(email_messages)


@pytest.fixture
def watching(settings: Any, monkeypatch: pytest.MonkeyPatch) -> type[WatchingBackend]:
    settings.EMAIL_BACKEND = "tests.messaging.test_email_delivery.WatchingBackend"
    monkeypatch.setattr(delivery_services, "MAIL_CHUNK", 2)
    WatchingBackend.seen = []
    WatchingBackend.on_send = None
    return WatchingBackend


def test_a_chunk_is_committed_as_attempting_before_it_goes_out_and_each_e_mail_is_committed_sent_after(
    watching: type[WatchingBackend],
) -> None:
    ids = _notify(5, "marks")
    assert deliveries_send(ids=ids) == {"sent": 5, "retry": 0, "failed": 0}
    # Chunks of 2: the chunk being sent is visibly "attempting"; each e-mail is "sent" before the next goes out.
    assert [(s["sent"], s["attempting"]) for s in watching.seen] == [(0, 2), (1, 1), (2, 2), (3, 1), (4, 1)]
    assert _committed() == {"sent": 5, "attempting": 0}
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}


_KILLED_AFTER_THE_SERVER_ACCEPTED = """
import os, signal, sys
import django
django.setup()
from django.conf import settings
settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", int(sys.argv[1])
settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
import smtplib
real_sendmail = smtplib.SMTP.sendmail
def sendmail(self, *args, **kwargs):
    real_sendmail(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)  # the server took the e-mail; the worker dies before recording it
smtplib.SMTP.sendmail = sendmail
from messaging.services.delivery import deliveries_send
deliveries_send(ids=[int(i) for i in sys.argv[2:]])
"""


def test_a_worker_killed_after_the_server_accepted_an_e_mail_loses_nothing_and_resends_it_with_the_same_id(
    smtp: SmtpSimulator, demo_municipality: object
) -> None:
    ids = _notify(3, "sigkill")
    env = dict(os.environ, DATABASE_URL=subprocess_database_url(), DJANGO_SETTINGS_MODULE="devtools.settings.test")
    done = subprocess.run(  # noqa: S603 - our own interpreter with a fixed script
        [sys.executable, "-c", _KILLED_AFTER_THE_SERVER_ACCEPTED, str(smtp.port), *map(str, ids)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]
    [in_flight] = smtp.messages  # the first e-mail reached the server; the others were never begun
    assert _committed() == {"sent": 0, "attempting": 3}  # the chunk was marked before it went out
    assert _due() == []  # the dead worker's lease still holds
    with clock.freeze(clock.now() + LATER):
        again = _due()
        assert sorted(again) == sorted(ids)
        assert deliveries_send(ids=again) == {"sent": 3, "retry": 0, "failed": 0}
    assert {m.message_id for m in smtp.messages} == _message_ids()  # none lost
    assert smtp.duplicates == 1  # the one in flight at the kill …
    assert [m.message_id for m in smtp.messages].count(in_flight.message_id) == 2  # … with the same Message-ID
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert _due() == []


def test_a_worker_killed_before_sending_its_chunk_sends_every_e_mail_once_later(
    watching: type[WatchingBackend],
) -> None:
    ids = _notify(3, "kill")
    claims = deliveries_claim(ids=ids)  # a worker claims the batch, marks its first chunk, then dies
    rows = list(Delivery.objects.filter(pk__in=[c.row_id for c in claims]).order_by("pk"))
    assert rows[0].claim_token is not None
    assert delivery_services._mark_attempting([r.pk for r in rows[:2]], claim_token=claims[0].claim_token) == {
        r.pk for r in rows[:2]
    }
    with clock.freeze(clock.now() + LATER):
        again = _due()
        assert sorted(again) == sorted(ids)
        assert deliveries_send(ids=again) == {"sent": 3, "retry": 0, "failed": 0}
    assert sorted(s["to"][0] for s in watching.seen) == sorted(f"kill{i}@example.no" for i in range(3))
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert _due() == []


def test_a_row_another_worker_reclaimed_is_not_sent_by_the_first(watching: type[WatchingBackend]) -> None:
    ids = _notify(3, "fence")
    rows = sorted(ids)

    def another_worker_takes_the_last_row() -> None:
        if len(watching.seen) == 1:
            Delivery.objects.filter(pk=rows[2]).update(claim_token=uuid.uuid4())

    watching.on_send = another_worker_takes_the_last_row
    assert deliveries_send(ids=ids) == {"sent": 2, "retry": 0, "failed": 0}
    assert len(watching.seen) == 2
    assert Delivery.objects.get(pk=rows[2]).status == DeliveryStatus.SENDING  # the other worker's to send


@pytest.mark.parametrize(("code", "status"), [(554, DeliveryStatus.FAILED), (451, DeliveryStatus.PENDING)])
def test_a_refused_e_mail_fails_or_waits_for_a_retry_and_the_session_goes_on(
    smtp: SmtpSimulator, code: int, status: str
) -> None:
    ids = _notify(3, f"refuse{code}")
    smtp.refuse_next(code)
    assert deliveries_send(ids=ids)["sent"] == 2
    assert len(smtp.messages) == 2
    refused = Delivery.objects.exclude(status=DeliveryStatus.SENT).get()
    assert refused.status == status
    assert str(code) in refused.last_error
    assert refused.attempted_at is None


def test_an_unreachable_smtp_server_means_a_retry_with_backoff_not_a_loss(settings: Any) -> None:
    ids = _notify(2, "down")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    assert deliveries_send(ids=ids) == {"sent": 0, "retry": 2, "failed": 0}
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    assert _due() == []  # backing off
    with SmtpSimulator() as server, clock.freeze(clock.now() + LATER):
        settings.EMAIL_PORT = server.port
        assert deliveries_send(ids=_due()) == {"sent": 2, "retry": 0, "failed": 0}
        assert {m.message_id for m in server.messages} == _message_ids()
