"""The inboxes cost the same number of queries for one thread as for many (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from messaging.models import Thread
from messaging.services.threads import thread_start
from tests.messaging.conftest import World, login

pytestmark = pytest.mark.django_db


def _thread(world: World, n: int) -> Thread:
    return thread_start(
        user=world.user("contact_teacher"),
        child_id=world.children["kid_protected"].pk,
        unit_id=world.units["1A"].pk,
        subject=f"Om uka {n}",
        body="Hei fra skolen",
    )


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("contact_teacher", "/meldinger/"),
        ("protected_guardian", "/meldinger/portal/"),
        ("protected_guardian", "/api/v1/messaging/threads"),
    ],
)
def test_the_inbox_query_count_does_not_grow_with_the_number_of_threads(
    world: World, persona: str, url: str, django_assert_max_num_queries
) -> None:
    _thread(world, 0)
    client = login(Client(), world, persona)
    client.get(url)  # warm per-session caches
    one = _count(client, url)
    for n in range(1, 8):
        _thread(world, n)
    with django_assert_max_num_queries(one):
        response = client.get(url)
    assert response.status_code == 200
    assert "Om uka 7" in response.content.decode()
