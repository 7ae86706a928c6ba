"""Staff 'new message': a search-as-you-type child picker over the children the staff member may message."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from messaging.models import Thread
from oas.audit.models import AuditEvent
from tests.messaging.conftest import World, login

pytestmark = pytest.mark.django_db


def _search(client: Client, q: str) -> Any:
    return client.get("/meldinger/ny/barn/", {"q": q}, headers={"HX-Request": "true"})


def test_a_contact_teacher_finds_a_child_in_their_class_with_birth_date_and_group_and_the_read_is_audited(
    world: World,
) -> None:
    kid = world.children["kid_school"]
    teacher = login(Client(), world, "contact_teacher")
    page = teacher.get("/meldinger/ny/").content.decode()
    assert 'hx-get="/meldinger/ny/barn/"' in page and "Barnets ID" not in page
    response = _search(teacher, kid.last_name[:4])
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{kid.pk}"' in html
    assert kid.first_name in html and "2019" in html and "1A" in html
    assert not kid.street_address or kid.street_address not in html  # never an address
    assert f'value="{world.children["kid_other"].pk}"' not in html
    row = AuditEvent.objects.filter(event="messaging.child_search").latest("pk")
    assert kid.pk in row.person_ids
    created = teacher.post(
        "/meldinger/ny/",
        {"unit": world.units["1A"].pk, "child": kid.pk, "subject": "Tur", "body": "Husk matpakke"},
    )
    assert created.status_code == 302
    assert Thread.objects.get().child_id == kid.pk


def test_staff_of_another_unit_find_nobody_and_guardians_cannot_search(world: World) -> None:
    kid = world.children["kid_school"]
    other = login(Client(), world, "other_teacher")
    html = _search(other, kid.last_name[:4]).content.decode()
    assert f'value="{kid.pk}"' not in html
    assert not AuditEvent.objects.filter(event="messaging.child_search").exists()
    assert _search(login(Client(), world, "guardian"), kid.last_name[:4]).status_code == 403
    assert _search(Client(), kid.last_name[:4]).status_code in (302, 403)
