"""Allowed request for the SFO admission office page, which had only a denied test."""

from __future__ import annotations

from typing import Any, cast

from django.test import Client
from django.urls import reverse

from tests.access.conftest import World


def test_sector_admission_opens_the_sfo_rounds(client: Client, world: World) -> None:
    client.force_login(cast(Any, world.user("sector_admin")))
    assert client.get(reverse("sfo_pages:office_rounds")).status_code == 200


def test_a_teacher_is_refused_the_sfo_rounds(client: Client, world: World) -> None:
    client.force_login(cast(Any, world.user("teacher")))
    assert client.get(reverse("sfo_pages:office_rounds")).status_code == 403


def test_a_guardian_opens_the_sfo_portal(client: Client, world: World) -> None:
    client.force_login(cast(Any, world.user("guardian")))
    assert client.get(reverse("sfo_pages:portal")).status_code == 200


def test_staff_are_refused_the_sfo_portal_and_anonymous_visitors_are_sent_to_login(
    client: Client, world: World
) -> None:
    client.force_login(cast(Any, world.user("teacher")))
    assert client.get(reverse("sfo_pages:portal")).status_code == 403
    client.logout()
    response = client.get(reverse("sfo_pages:portal"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
