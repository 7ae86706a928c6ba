"""Issue 13, point 13: every module asks the kernel relation policy which adults may do what for a child."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oas import clock
from oas.errors import NotFound
from tests.policy.scenario import Scenario, staff_user


def _parent_meeting(scenario: Scenario) -> Any:
    from messaging.services.calendar import event_create

    starts = clock.now() + dt.timedelta(days=5)
    return event_create(
        user=staff_user(scenario.kindergarten, "STYRER"),
        title="Foreldresamtaler høst",
        starts_at=starts,
        unit_id=scenario.department.pk,
        slot_minutes=20,
        slot_count=3,
    )


def test_a_parent_without_foreldreansvar_sees_no_calendar_and_books_no_slot(client, scenario):
    from messaging.selectors import events_for_user
    from messaging.services.calendar import slot_book

    event = _parent_meeting(scenario)
    user = scenario.parent_without.user
    assert events_for_user(user=user) == []
    slot = event.slots.order_by("starts_at").first()
    with pytest.raises(NotFound):
        slot_book(user=user, slot_id=slot.pk, child_id=scenario.theo.pk)
    slot.refresh_from_db()
    assert slot.child_id is None
    client.force_login(user)
    response = client.get("/meldinger/kalender/")
    assert response.status_code == 200
    assert "Foreldresamtaler" not in response.content.decode()


def test_the_resident_mother_books_a_slot(scenario):
    from messaging.selectors import events_for_user
    from messaging.services.calendar import slot_book

    event = _parent_meeting(scenario)
    assert event.pk in {e.pk for e in events_for_user(user=scenario.theo_mother.user)}
    slot = event.slots.order_by("starts_at").first()
    booked = slot_book(user=scenario.theo_mother.user, slot_id=slot.pk, child_id=scenario.theo.pk)
    assert booked.child_id == scenario.theo.pk


def test_a_foster_parent_reports_his_foster_child_sick_and_opens_innsyn(client, scenario):
    from attendance.services import absence_report

    absence_report(user=scenario.foster.user, child_id=scenario.theo.pk)
    client.force_login(scenario.foster.user)
    assert client.get(f"/portal/barn/{scenario.theo.pk}/innsyn/").status_code == 200


def test_a_parent_without_foreldreansvar_cannot_report_absence_or_open_innsyn(client, scenario):
    from attendance.services import absence_report

    with pytest.raises(NotFound):
        absence_report(user=scenario.parent_without.user, child_id=scenario.theo.pk)
    client.force_login(scenario.parent_without.user)
    assert client.get(f"/portal/barn/{scenario.theo.pk}/innsyn/").status_code == 404


def test_the_policy_answers_the_same_for_every_module(scenario):
    from oas.access.relations import ChildRight, child_adult_ids, user_child_ids

    theo, sofie = scenario.theo.pk, scenario.sofie.pk
    information = child_adult_ids(child_ids=[theo, sofie], right=ChildRight.INFORMATION)
    assert set(information[theo]) == {scenario.theo_mother.person_id, scenario.foster.person_id}
    assert set(information[sofie]) == {scenario.mother.person_id, scenario.father.person_id}
    whereabouts = child_adult_ids(child_ids=[sofie], right=ChildRight.WHEREABOUTS)
    assert whereabouts[sofie] == [scenario.mother.person_id]
    residence = child_adult_ids(child_ids=[theo, sofie], right=ChildRight.RESIDENCE)
    assert set(residence[theo]) == {scenario.theo_mother.person_id, scenario.foster.person_id}
    assert residence[sofie] == [scenario.mother.person_id]
    assert user_child_ids(user=scenario.parent_without.user, right=ChildRight.INFORMATION) == set()
    assert user_child_ids(user=scenario.father.user, right=ChildRight.PICKUP) == set()
