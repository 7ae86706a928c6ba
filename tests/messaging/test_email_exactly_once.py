"""E-mail over real SMTP (the loopback simulator): marked sent exactly when the server may accept it.

The message is transferred up to the end-of-data line; the "sent" mark is written to PostgreSQL's socket but held
back (TCP_CORK), the end-of-data line goes out, and the mark is released. A worker killed before the mark leaves
nothing at the server and the e-mail is sent again later; killed right after the end of data, the kernel still
sends the mark; a refusal after the end of data takes the mark back.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection

from integrations.mail.simulator import SmtpSimulator
from messaging.models import Delivery, DeliveryStatus
from messaging.services import delivery as delivery_services
from messaging.services.delivery import deliveries_send
from messaging.services.notifications import deliveries_dispatch_batches, notify_persons
from oas import clock
from tests.integrations.worker_helpers import ROOT
from tests.integrations.worker_helpers import test_database_url as subprocess_database_url
from tests.messaging.conftest import new_person

pytestmark = pytest.mark.django_db(transaction=True)


class _Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs in the worker's code path (finally blocks aside)."""


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
    return [i for batch in deliveries_dispatch_batches() for i in batch]


def test_e_mails_go_out_over_smtp_once_each_with_dot_stuffing(smtp: SmtpSimulator) -> None:
    ids = _notify(3, "smtp", title=".Planleggingsdag")
    assert deliveries_send(ids=ids) == {"sent": 3, "retry": 0, "failed": 0}
    assert len(smtp.messages) == 3
    assert smtp.duplicates == 0
    assert {m.recipients for m in smtp.messages} == {(f"smtp{i}@example.no",) for i in range(3)}
    # A body line starting with "." is stuffed on the wire and arrives whole (not read as the end of data).
    assert all(b"\n.Planleggingsdag." in m.data for m in smtp.messages)
    keys = {d.delivery_key for d in Delivery.objects.all()}
    assert {m.message_id for m in smtp.messages} == {f"<{k}@oas>" for k in keys}
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_a_worker_killed_before_the_mark_leaves_nothing_at_the_server_and_it_is_sent_once_later(
    smtp: SmtpSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _notify(2, "kill")
    real_mark = delivery_services._mark_sent_then

    def killed_at_the_mark(pk: int, *, then: object) -> None:
        raise _Killed

    monkeypatch.setattr(delivery_services, "_mark_sent_then", killed_at_the_mark)
    with pytest.raises(_Killed):
        deliveries_send(ids=ids)
    assert smtp.messages == []  # the whole message was transferred, but never its end-of-data line
    monkeypatch.setattr(delivery_services, "_mark_sent_then", real_mark)
    with clock.freeze(clock.now() + dt.timedelta(minutes=5)):  # the lease ran out; the database did not restart
        again = [i for batch in deliveries_dispatch_batches() for i in batch]
        assert deliveries_send(ids=again) == {"sent": 2, "retry": 0, "failed": 0}
    assert len(smtp.messages) == 2
    assert smtp.duplicates == 0
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


@pytest.mark.parametrize(("code", "status"), [(554, DeliveryStatus.FAILED), (451, DeliveryStatus.PENDING)])
def test_a_refusal_after_the_end_of_data_takes_the_mark_back(smtp: SmtpSimulator, code: int, status: str) -> None:
    ids = _notify(2, f"refuse{code}")
    smtp.refuse_next(code)
    counts = deliveries_send(ids=ids)
    assert counts["sent"] == 1
    assert len(smtp.messages) == 1
    refused = Delivery.objects.exclude(status=DeliveryStatus.SENT).get()
    assert refused.status == status
    assert str(code) in refused.last_error


def _status_seen_by_another_connection(pk: int) -> str:
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"], dbname=s["NAME"], password=s["PASSWORD"]
    ) as other:
        row = other.execute("SELECT status FROM messaging_delivery WHERE id = %s", [pk]).fetchone()
    assert row is not None
    return str(row[0])


_over_tcp = pytest.mark.skipif(
    str(connection.settings_dict.get("HOST") or "").startswith("/"),
    reason="TCP_CORK needs the database over TCP (the embedded server listens on a Unix socket)",
)


@_over_tcp
def test_the_sent_mark_waits_in_the_kernel_until_the_end_of_data_line_is_written() -> None:
    """Corked, the mark does not wake PostgreSQL, so a worker preempted by it cannot be killed between the writes."""
    [pk] = _notify(1, "cork")
    Delivery.objects.filter(pk=pk).update(status=DeliveryStatus.SENDING)
    seen_during: list[str] = []

    def end_of_data() -> None:
        time.sleep(0.1)  # ample time for PostgreSQL to run the UPDATE, had it been sent (the cork holds < 200 ms)
        seen_during.append(_status_seen_by_another_connection(pk))

    delivery_services._mark_sent_then(pk, then=end_of_data)
    assert seen_during == [DeliveryStatus.SENDING]
    assert _status_seen_by_another_connection(pk) == DeliveryStatus.SENT
    Delivery.objects.filter(pk=pk).update(status=DeliveryStatus.PENDING)  # the connection is usable afterwards
    assert Delivery.objects.get(pk=pk).status == DeliveryStatus.PENDING


_KILLED_AFTER_END_OF_DATA = """
import os, signal, smtplib, sys
import django
django.setup()
from django.conf import settings
settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", int(sys.argv[1])
settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
real_send = smtplib.SMTP.send
def send(self, s):
    real_send(self, s)
    if s == b".\\r\\n":
        os.kill(os.getpid(), signal.SIGKILL)  # the worker dies the instant the end of data is written
smtplib.SMTP.send = send
from messaging.services.delivery import deliveries_send
deliveries_send(ids=[int(i) for i in sys.argv[2:]])
"""


def test_a_worker_killed_right_after_the_end_of_data_line_has_its_e_mail_delivered_and_marked_sent(
    smtp: SmtpSimulator,
) -> None:
    """The real SIGKILL: the corked mark is sent by the kernel when the dying process's sockets are closed."""
    ids = _notify(2, "sigkill")
    env = dict(os.environ, DATABASE_URL=subprocess_database_url(), DJANGO_SETTINGS_MODULE="oas.settings.test")
    done = subprocess.run(  # noqa: S603 - our own interpreter with a fixed script
        [sys.executable, "-c", _KILLED_AFTER_END_OF_DATA, str(smtp.port), *map(str, ids)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr.decode()[-2000:]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (len(smtp.messages) < 1 or _sent_count() < 1):
        time.sleep(0.05)
    assert len(smtp.messages) == 1  # the first e-mail reached the server; the second was never begun
    [first] = smtp.messages
    sent = Delivery.objects.get(status=DeliveryStatus.SENT)
    assert first.message_id == f"<{sent.delivery_key}@oas>"  # and it is the one marked sent
    assert Delivery.objects.filter(status=DeliveryStatus.SENDING).count() == 1
    with clock.freeze(clock.now() + dt.timedelta(minutes=5)):  # the lease runs out: the other one is sent, once
        again = [i for batch in deliveries_dispatch_batches() for i in batch]
        assert deliveries_send(ids=again)["sent"] == 1
    assert len(smtp.messages) == 2
    assert smtp.duplicates == 0


def _sent_count() -> int:
    return Delivery.objects.filter(status=DeliveryStatus.SENT).count()
