"""Each e-mail is recorded as sent (committed) before the next one goes out: a killed worker re-sends none."""

from __future__ import annotations

from typing import Any, ClassVar

import psycopg
import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

from messaging.models import Delivery, DeliveryStatus
from messaging.services.delivery import deliveries_send
from messaging.services.notifications import deliveries_dispatch_batches, notify_persons
from tests.messaging.conftest import new_person

pytestmark = pytest.mark.django_db(transaction=True)


def _committed_sent() -> int:
    """Count SENT deliveries as another connection sees them (only committed rows)."""
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"] or None, port=s["PORT"] or None, user=s["USER"], dbname=s["NAME"], password=s["PASSWORD"]
    ) as other:
        row = other.execute("SELECT count(*) FROM messaging_delivery WHERE status = 'sent'").fetchone()
    return int(row[0]) if row else 0


class WatchingBackend(BaseEmailBackend):
    """Records, at each send, how many e-mails other connections already see as sent."""

    seen: ClassVar[list[int]] = []

    def send_messages(self, email_messages: Any) -> int:
        WatchingBackend.seen.append(_committed_sent())
        return len(email_messages)


def test_every_email_is_committed_as_sent_before_the_next_and_commit_mode_is_restored(settings: Any) -> None:
    settings.EMAIL_BACKEND = "tests.messaging.test_delivery_marks.WatchingBackend"
    WatchingBackend.seen = []
    people = [new_person(email=f"m{i}@example.no", phone="") for i in range(4)]
    notify_persons(person_ids=[p.pk for p in people], key="marks", title="Oppslag", url="/x/")
    ids = [i for batch in deliveries_dispatch_batches() for i in batch]
    assert deliveries_send(ids=ids) == {"sent": 4, "retry": 0, "failed": 0}
    assert WatchingBackend.seen == [0, 1, 2, 3]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
