"""NUL and lone surrogates in message text are refused with a clear message, never silently altered."""

from __future__ import annotations

import pytest
from django.test import Client

from messaging.models import Message, Thread
from messaging.services.threads import message_reply, thread_start
from oas.errors import ValidationError
from tests.messaging.conftest import World, login

pytestmark = pytest.mark.django_db


def _thread(world: World) -> Thread:
    return thread_start(
        user=world.user("contact_teacher"),
        child_id=world.children["kid_protected"].pk,
        unit_id=world.units["1A"].pk,
        subject="Om uka",
        body="Hei fra skolen",
    )


@pytest.mark.parametrize("body", ["før\x00etter", "før\ud800etter", "\udfff"])
def test_service_refuses_nul_and_lone_surrogates_and_writes_nothing(world: World, body: str) -> None:
    thread = _thread(world)
    with pytest.raises(ValidationError) as caught:
        message_reply(user=world.user("contact_teacher"), thread_id=thread.pk, body=body)
    assert caught.value.code == "invalid_characters"
    assert "ikke kan lagres" in caught.value.message
    assert thread.messages.count() == 1


def test_staff_page_refuses_nul_with_400_and_a_clear_message(world: World) -> None:
    thread = _thread(world)
    client = login(Client(), world, "contact_teacher")
    response = client.post(f"/meldinger/{thread.pk}/", {"body": "hei\x00du"})
    assert response.status_code == 400
    assert "ikke kan lagres" in response.content.decode()
    assert thread.messages.count() == 1
    ok = client.post(f"/meldinger/{thread.pk}/", {"body": "hei du"})
    assert ok.status_code == 302


def test_staff_page_refuses_a_lone_surrogate_sent_as_bytes(world: World) -> None:
    """A surrogate encoded as bytes (CESU-8) is not UTF-8; Django would replace it, so it is refused."""
    thread = _thread(world)
    client = login(Client(), world, "contact_teacher")
    response = client.post(
        f"/meldinger/{thread.pk}/", b"body=hei%ED%A0%80du", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "ikke kan lagres" in response.content.decode()
    assert thread.messages.count() == 1


def test_new_thread_page_refuses_nul_in_the_subject(world: World) -> None:
    client = login(Client(), world, "contact_teacher")
    before = Thread.objects.count()
    response = client.post(
        "/meldinger/ny/",
        {
            "child": world.children["kid_protected"].pk,
            "unit": world.units["1A"].pk,
            "subject": "Om\x00uka",
            "body": "Tekst",
        },
    )
    assert response.status_code == 400
    assert Thread.objects.count() == before


@pytest.mark.parametrize("raw", ['{"body": "hei\\u0000du"}', '{"body": "hei\\ud800du"}'])
def test_api_refuses_nul_and_lone_surrogates_with_400(world: World, raw: str) -> None:
    thread = _thread(world)
    response = login(Client(), world, "protected_guardian").post(
        f"/api/v1/messaging/threads/{thread.pk}/messages", raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert "body" in response.json()["fields"]
    assert Message.objects.filter(thread=thread).count() == 1
