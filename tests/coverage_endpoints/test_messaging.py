"""Allowed and denied requests for the messaging pages and API that lacked one of them."""

from __future__ import annotations

from typing import Any, cast

from django.test import Client
from django.urls import reverse

from tests.access.conftest import World


def test_contact_teacher_opens_the_new_thread_page(client: Client, world: World) -> None:
    client.force_login(cast(Any, world.user("contact_teacher")))
    assert client.get(reverse("messaging:staff-thread-new")).status_code == 200


def test_guardian_is_refused_the_staff_new_thread_page(client: Client, world: World) -> None:
    client.force_login(cast(Any, world.user("guardian")))
    assert client.get(reverse("messaging:staff-thread-new")).status_code == 403


def test_contact_teacher_lists_threads_through_the_api(client: Client, world: World) -> None:
    client.force_login(cast(Any, world.user("contact_teacher")))
    assert client.get("/api/v1/messaging/threads").status_code == 200


def test_anonymous_caller_is_refused_the_thread_api(client: Client, world: World) -> None:
    assert client.get("/api/v1/messaging/threads").status_code in (401, 403)
