"""The notice page: the whole municipality for sector roles, and several units at once."""

from __future__ import annotations

import pytest
from django.test import Client

from messaging.models import Notice, NoticeRecipient
from tests.messaging.conftest import World, login, person

pytestmark = pytest.mark.django_db


def test_a_sector_advisor_sends_a_notice_to_the_whole_municipality_from_the_page(world: World) -> None:
    municipality_id = world.units["office"].municipality_id
    advisor = login(Client(), world, "advisor")
    page = advisor.get("/meldinger/oppslag/ny/").content.decode()
    assert f'name="municipality" value="{municipality_id}"' in page
    response = advisor.post(
        "/meldinger/oppslag/ny/",
        {
            "sender_unit": world.units["office"].pk,
            "municipality": municipality_id,
            "title": "Stengt på grunn av snø",
            "body": "Alle barnehager og skoler holder stengt i morgen.",
        },
    )
    assert response.status_code == 200, response.content.decode()
    notice = Notice.objects.get()
    assert notice.target_municipality_id == municipality_id
    reached = set(NoticeRecipient.objects.values_list("guardian_id", flat=True))
    assert person(world, "guardian").pk in reached
    assert person(world, "protected_guardian").pk in reached


def test_a_teacher_is_not_offered_the_municipality_and_a_forged_post_writes_nothing(world: World) -> None:
    municipality_id = world.units["office"].municipality_id
    teacher = login(Client(), world, "contact_teacher")
    assert 'name="municipality"' not in teacher.get("/meldinger/oppslag/ny/").content.decode()
    response = teacher.post(
        "/meldinger/oppslag/ny/",
        {"sender_unit": world.units["1A"].pk, "municipality": municipality_id, "title": "X", "body": "Y"},
    )
    assert response.status_code == 400
    assert not Notice.objects.exists()


def test_a_principal_sends_one_notice_to_several_units_but_not_to_a_unit_outside_their_school(world: World) -> None:
    principal = login(Client(), world, "principal")
    response = principal.post(
        "/meldinger/oppslag/ny/",
        {
            "sender_unit": world.units["S1"].pk,
            "targets": [world.units["1A"].pk, world.units["SFO1"].pk],
            "title": "Juleavslutning",
            "body": "Velkommen",
        },
    )
    assert response.status_code == 200
    notice = Notice.objects.get()
    assert set(notice.target_units.values_list("pk", flat=True)) == {world.units["1A"].pk, world.units["SFO1"].pk}
    refused = principal.post(
        "/meldinger/oppslag/ny/",
        {
            "sender_unit": world.units["S1"].pk,
            "targets": [world.units["1A"].pk, world.units["K1"].pk],
            "title": "X",
            "body": "Y",
        },
    )
    assert refused.status_code == 400
    assert Notice.objects.count() == 1
