"""Pages and API: an allowed and a denied request each; protected addresses; HTML rendered inert; step-up."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from messaging.models import Thread, ThreadSide
from messaging.services.notices import notice_create
from messaging.services.threads import message_reply, thread_start
from tests.messaging.conftest import World, login, login_high, person

pytestmark = pytest.mark.django_db


def _thread(world: World, *, sensitive: bool = False, body: str = "Hei fra skolen") -> Thread:
    return thread_start(
        user=world.user("contact_teacher"),
        child_id=world.children["kid_protected"].pk,
        unit_id=world.units["1A"].pk,
        subject="Om uka",
        body=body,
        sensitive=sensitive,
    )


def test_staff_inbox_lists_the_threads_the_teacher_is_on_and_not_the_whole_schools(world: World) -> None:
    thread = _thread(world)
    response = login(Client(), world, "contact_teacher").get("/meldinger/")
    assert response.status_code == 200
    assert thread.subject in response.content.decode()
    other = login(Client(), world, "teacher").get("/meldinger/")  # works at the school, not on the thread
    assert other.status_code == 200
    assert thread.subject not in other.content.decode()


def test_staff_inbox_is_refused_to_a_guardian_and_hides_other_units(world: World, client: Client) -> None:
    _thread(world)
    assert login(client, world, "guardian").get("/meldinger/").status_code == 403
    other = Client()
    assert "Om uka" not in login(other, world, "other_teacher").get("/meldinger/").content.decode()


def test_staff_thread_page_is_allowed_for_the_mailbox_and_404_for_another_unit(world: World, client: Client) -> None:
    thread = _thread(world)
    assert login(client, world, "contact_teacher").get(f"/meldinger/{thread.pk}/").status_code == 200
    assert login(Client(), world, "other_teacher").get(f"/meldinger/{thread.pk}/").status_code == 404


def test_staff_reply_through_the_page(world: World, client: Client) -> None:
    thread = _thread(world)
    response = login(client, world, "contact_teacher").post(f"/meldinger/{thread.pk}/", {"body": "Nytt svar"})
    assert response.status_code == 302
    assert thread.messages.filter(body="Nytt svar").exists()


def test_guardian_thread_shows_own_side_and_never_the_other_parents_reply(world: World) -> None:
    thread = _thread(world)
    message_reply(user=world.user("other_guardian"), thread_id=thread.pk, body="Fars hemmelige svar")
    mother = login(Client(), world, "protected_guardian").get(f"/meldinger/portal/{thread.pk}/")
    assert mother.status_code == 200
    assert "Hei fra skolen" in mother.content.decode()
    assert "Fars hemmelige svar" not in mother.content.decode()
    outsider = login(Client(), world, "outsider").get(f"/meldinger/portal/{thread.pk}/")
    assert outsider.status_code == 404


def _visible(html: str) -> str:
    """The page without CSRF tokens (random text that may contain anything)."""
    return re.sub(r'value="[^"]*"|"X-CSRFToken": "[^"]*"', "", html)


def test_guardian_not_living_with_a_strengt_fortrolig_child_sees_no_unit_or_contact_details(world: World) -> None:
    thread = _thread(world)
    mother = person(world, "protected_guardian")
    page = _visible(login(Client(), world, "other_guardian").get(f"/meldinger/portal/{thread.pk}/").content.decode())
    assert world.units["1A"].name not in page.replace("Hei fra skolen", "")
    assert world.units["S1"].name not in page
    for secret in (mother.phone, mother.email, mother.full_name):
        if secret:
            assert secret not in page
    inbox = _visible(login(Client(), world, "other_guardian").get("/meldinger/portal/").content.decode())
    assert world.units["1A"].name not in inbox.replace("Om uka", "")


def test_html_and_script_in_messages_are_rendered_inert(world: World, client: Client) -> None:
    thread = _thread(world, body='<script>alert("x")</script><img src=x onerror=alert(1)>')
    page = login(client, world, "contact_teacher").get(f"/meldinger/{thread.pk}/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;" in page
    assert "<img src=x" not in page


def test_sensitive_thread_needs_a_level_high_step_up(world: World) -> None:
    thread = _thread(world, sensitive=True, body="Sensitivt innhold")
    plain = login(Client(), world, "protected_guardian", acr="idporten-loa-substantial")
    response = plain.get(f"/meldinger/portal/{thread.pk}/")
    assert response.status_code == 302
    assert "stepup" in response["Location"] or "step" in response["Location"]
    api = plain.get(f"/api/v1/messaging/threads/{thread.pk}")
    assert api.status_code == 403
    assert "Sensitivt innhold" not in api.content.decode()
    high = login_high(Client(), world, "protected_guardian")
    page = high.get(f"/meldinger/portal/{thread.pk}/")
    assert page.status_code == 200
    assert "Sensitivt innhold" in page.content.decode()


def test_guardian_inbox_is_for_guardians_only(world: World) -> None:
    _thread(world)
    assert login(Client(), world, "protected_guardian").get("/meldinger/portal/").status_code == 200
    assert login(Client(), world, "teacher").get("/meldinger/portal/").status_code == 404
    assert Client().get("/meldinger/portal/").status_code in (302, 403)


def test_notice_compose_sends_to_a_class_and_is_refused_to_other_units(world: World) -> None:
    teacher = login(Client(), world, "contact_teacher")
    assert teacher.get("/meldinger/oppslag/ny/").status_code == 200
    response = teacher.post(
        "/meldinger/oppslag/ny/",
        {
            "sender_unit": world.units["1A"].pk,
            "targets": [world.units["1A"].pk],
            "title": "Tur",
            "body": "Ta med niste",
        },
    )
    assert response.status_code == 200
    assert "Oppslaget er sendt" in response.content.decode()
    assert login(Client(), world, "guardian").get("/meldinger/oppslag/ny/").status_code == 403
    other = login(Client(), world, "other_teacher").post(
        "/meldinger/oppslag/ny/",
        {"sender_unit": world.units["S2"].pk, "targets": [world.units["1A"].pk], "title": "X", "body": "Y"},
    )
    assert other.status_code == 400


def test_guardian_notice_page_and_reply_to_sender_only(world: World) -> None:
    notice = notice_create(
        user=world.user("contact_teacher"),
        sender_unit_id=world.units["1A"].pk,
        title="Foreldremøte",
        body="Velkommen",
        target_unit_ids=[world.units["1A"].pk],
        replies_to_sender=True,
    )
    mother = login(Client(), world, "protected_guardian")
    assert mother.get(f"/meldinger/portal/oppslag/{notice.pk}/").status_code == 200
    response = mother.post(f"/meldinger/portal/oppslag/{notice.pk}/", {"body": "Vi kommer"})
    assert response.status_code == 302
    thread = Thread.objects.get(notice=notice)
    assert ThreadSide.objects.filter(thread=thread).count() == 1
    assert login(Client(), world, "outsider").get(f"/meldinger/portal/oppslag/{notice.pk}/").status_code == 404


def test_api_thread_list_carries_permitted_actions_and_refuses_anonymous(world: World, client: Client) -> None:
    _thread(world)
    data = login(client, world, "contact_teacher").get("/api/v1/messaging/threads").json()
    assert data["results"][0]["permitted_actions"]
    assert "messaging.thread.read" in data["results"][0]["permitted_actions"]
    assert Client().get("/api/v1/messaging/threads").status_code in (401, 403)


def test_api_reply_allowed_for_own_side_and_404_for_outsider(world: World) -> None:
    thread = _thread(world)
    ok = login(Client(), world, "protected_guardian").post(
        f"/api/v1/messaging/threads/{thread.pk}/messages", {"body": "Takk"}, content_type="application/json"
    )
    assert ok.status_code == 201
    assert ok.json()["side_id"] is not None
    denied = login(Client(), world, "outsider").post(
        f"/api/v1/messaging/threads/{thread.pk}/messages", {"body": "Hei"}, content_type="application/json"
    )
    assert denied.status_code == 404


def test_api_thread_start_allowed_for_staff_and_refused_for_unrelated_child(world: World) -> None:
    payload = {
        "child_id": world.children["kid_school"].pk,
        "unit_id": world.units["1A"].pk,
        "subject": "S",
        "body": "B",
    }
    ok = login(Client(), world, "contact_teacher").post(
        "/api/v1/messaging/threads/new", payload, content_type="application/json"
    )
    assert ok.status_code == 201
    denied = login(Client(), world, "other_teacher").post(
        "/api/v1/messaging/threads/new", payload, content_type="application/json"
    )
    assert denied.status_code == 404


def test_api_notice_create_allowed_and_denied(world: World) -> None:
    payload = {
        "sender_unit_id": world.units["1A"].pk,
        "title": "T",
        "body": "B",
        "target_unit_ids": [world.units["1A"].pk],
    }
    ok = login(Client(), world, "contact_teacher").post(
        "/api/v1/messaging/notices", payload, content_type="application/json"
    )
    assert ok.status_code == 201
    assert ok.json()["status"] == "sent"
    denied = login(Client(), world, "guardian").post(
        "/api/v1/messaging/notices", payload, content_type="application/json"
    )
    assert denied.status_code == 403
