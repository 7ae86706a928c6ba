"""Staff calendar pages: create/edit/cancel events for a group, unit or the municipality; slots; ICS."""

from __future__ import annotations

import datetime as dt
from typing import Any

import icalendar
import pytest
from django.test import Client

from messaging.models import Event, EventSlot, Notification
from messaging.services.calendar import event_create, feed_token_create
from oas import clock
from oas.audit.models import AuditEvent
from tests.messaging.conftest import World, login, person

pytestmark = pytest.mark.django_db


def _local(hour: int, days: int = 7) -> str:
    return (clock.today() + dt.timedelta(days=days)).isoformat() + f"T{hour:02d}:00"


def _at(hour: int, days: int = 7) -> dt.datetime:
    return dt.datetime.combine(clock.today() + dt.timedelta(days=days), dt.time(hour), tzinfo=clock.OSLO)


def _ics_titles(world: World, persona: str) -> list[str]:
    token = feed_token_create(user=world.user(persona))
    cal = icalendar.Calendar.from_ical(Client().get(f"/meldinger/kalender/{token.token}.ics").content)
    return sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))


def test_a_contact_teacher_creates_a_parent_meeting_with_n_slots_of_m_minutes_that_reaches_the_ics_feed(
    world: World,
) -> None:
    teacher = login(Client(), world, "contact_teacher")
    assert teacher.get("/meldinger/kalender/hendelser/").status_code == 200
    response = teacher.post(
        "/meldinger/kalender/hendelser/",
        {
            "scope": "enhet",
            "target": world.units["1A"].pk,
            "title": "Foreldresamtaler 1A",
            "starts_at": _local(14),
            "bookable": "1",
            "slot_count": "4",
            "slot_minutes": "15",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get(title="Foreldresamtaler 1A")
    assert event.unit_id == world.units["1A"].pk and event.bookable
    assert event.ends_at == _at(15)
    assert [s.starts_at.minute for s in event.slots.order_by("starts_at")] == [0, 15, 30, 45]
    assert AuditEvent.objects.filter(event="messaging.event.create", object_id=str(event.pk)).exists()
    assert _ics_titles(world, "guardian") == ["Foreldresamtaler 1A"]
    assert "Foreldresamtaler 1A" in teacher.get("/meldinger/kalender/hendelser/").content.decode()


def test_staff_cannot_create_events_for_a_unit_they_do_not_work_in_and_nothing_is_written(world: World) -> None:
    other = login(Client(), world, "other_teacher")
    response = other.post(
        "/meldinger/kalender/hendelser/",
        {"scope": "enhet", "target": world.units["1A"].pk, "title": "X", "starts_at": _local(8), "ends_at": _local(9)},
    )
    assert response.status_code == 400
    assert not Event.objects.exists()
    bad = other.post(
        "/meldinger/kalender/hendelser/",
        {"scope": "enhet", "target": world.units["S2"].pk, "title": "X", "starts_at": "i morgen"},
    )
    assert bad.status_code == 400
    assert not Event.objects.exists()


def test_guardians_cannot_open_the_event_pages(world: World) -> None:
    guardian = login(Client(), world, "guardian")
    assert guardian.get("/meldinger/kalender/hendelser/").status_code == 403


def test_a_sector_advisor_puts_a_planning_day_in_every_familys_calendar_but_a_teacher_may_not(world: World) -> None:
    municipality_id = world.units["office"].municipality_id
    advisor = login(Client(), world, "advisor")
    page = advisor.get("/meldinger/kalender/hendelser/").content.decode()
    assert f'value="kommune-{municipality_id}"' in page
    response = advisor.post(
        "/meldinger/kalender/hendelser/",
        {
            "scope": f"kommune-{municipality_id}",
            "title": "Planleggingsdag",
            "starts_at": _local(8, 10),
            "ends_at": _local(16, 10),
        },
    )
    assert response.status_code == 302
    assert Event.objects.get().municipality_id == municipality_id
    assert _ics_titles(world, "guardian") == ["Planleggingsdag"]
    teacher = login(Client(), world, "contact_teacher")
    assert f'value="kommune-{municipality_id}"' not in teacher.get("/meldinger/kalender/hendelser/").content.decode()
    refused = teacher.post(
        "/meldinger/kalender/hendelser/",
        {
            "scope": f"kommune-{municipality_id}",
            "title": "Fridag",
            "starts_at": _local(8, 11),
            "ends_at": _local(16, 11),
        },
    )
    assert refused.status_code == 400
    assert Event.objects.count() == 1


def _ics_events(world: World, persona: str) -> dict[str, Any]:
    """The persona's feed parsed back with icalendar, by UID."""
    token = feed_token_create(user=world.user(persona))
    cal = icalendar.Calendar.from_ical(Client().get(f"/meldinger/kalender/{token.token}.ics").content)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_staff_edit_and_cancel_their_events_and_the_feed_carries_sequence_and_status_cancelled(world: World) -> None:
    """Subscribed calendars only drop an event that stays in the feed as CANCELLED with a higher SEQUENCE."""
    event = event_create(
        user=world.user("contact_teacher"),
        unit_id=world.units["1A"].pk,
        title="Foreldremøte",
        starts_at=_at(18),
        ends_at=_at(19),
    )
    uid = f"oas-event-{event.pk}@oas"
    created = _ics_events(world, "guardian")[uid]
    assert (str(created["STATUS"]), int(created["SEQUENCE"])) == ("CONFIRMED", 0)
    teacher = login(Client(), world, "contact_teacher")
    assert teacher.get(f"/meldinger/kalender/hendelser/{event.pk}/").status_code == 200
    with clock.freeze(clock.now() + dt.timedelta(minutes=5)):
        edited = teacher.post(
            f"/meldinger/kalender/hendelser/{event.pk}/",
            {"title": "Foreldremøte (flyttet)", "starts_at": _local(17), "ends_at": _local(18), "location": "Aulaen"},
        )
    assert edited.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.starts_at, event.location) == ("Foreldremøte (flyttet)", _at(17), "Aulaen")
    moved = _ics_events(world, "guardian")[uid]
    assert str(moved["SUMMARY"]) == "Foreldremøte (flyttet)" and moved.decoded("DTSTART") == _at(17)
    assert int(moved["SEQUENCE"]) > int(created["SEQUENCE"])
    assert moved.decoded("DTSTAMP") > created.decoded("DTSTAMP")
    assert moved.decoded("LAST-MODIFIED") == moved.decoded("DTSTAMP")
    with clock.freeze(clock.now() + dt.timedelta(minutes=10)):
        assert teacher.post(f"/meldinger/kalender/hendelser/{event.pk}/avlys/").status_code == 302
    cancelled = _ics_events(world, "guardian")[uid]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) > int(moved["SEQUENCE"])
    assert cancelled.decoded("DTSTAMP") > moved.decoded("DTSTAMP")
    # Gone from the pages, not editable or cancellable again, and its slots cannot be booked.
    assert "Foreldremøte" not in login(Client(), world, "guardian").get("/meldinger/kalender/").content.decode()
    assert f"/hendelser/{event.pk}/" not in teacher.get("/meldinger/kalender/hendelser/").content.decode()
    assert teacher.get(f"/meldinger/kalender/hendelser/{event.pk}/").status_code == 404
    assert teacher.post(f"/meldinger/kalender/hendelser/{event.pk}/avlys/").status_code == 404
    assert AuditEvent.objects.filter(event="messaging.event.cancel", object_id=str(event.pk)).count() == 1


def test_an_unchanged_save_keeps_the_sequence_and_old_cancelled_events_leave_the_feed(world: World) -> None:
    event = event_create(
        user=world.user("contact_teacher"), unit_id=world.units["1A"].pk, title="Møte", starts_at=_at(8), ends_at=_at(9)
    )
    teacher = login(Client(), world, "contact_teacher")
    same = {"title": "Møte", "starts_at": _local(8), "ends_at": _local(9)}
    assert teacher.post(f"/meldinger/kalender/hendelser/{event.pk}/", same).status_code == 302
    event.refresh_from_db()
    assert event.sequence == 0
    assert teacher.post(f"/meldinger/kalender/hendelser/{event.pk}/avlys/").status_code == 302
    assert f"oas-event-{event.pk}@oas" in _ics_events(world, "guardian")
    with clock.freeze(clock.now() + dt.timedelta(days=100)):
        assert f"oas-event-{event.pk}@oas" not in _ics_events(world, "guardian")


def test_slots_of_a_cancelled_parent_meeting_cannot_be_booked(world: World) -> None:
    event = event_create(
        user=world.user("contact_teacher"),
        unit_id=world.units["1A"].pk,
        title="Utviklingssamtale",
        starts_at=_at(14),
        slot_minutes=20,
        slot_count=2,
    )
    first = event.slots.order_by("starts_at").first()
    assert first is not None
    teacher = login(Client(), world, "contact_teacher")
    assert teacher.post(f"/meldinger/kalender/hendelser/{event.pk}/avlys/").status_code == 302
    guardian = login(Client(), world, "guardian")
    kid = world.children["kid_school"].pk
    assert guardian.post("/meldinger/kalender/", {"op": "bestill", "slot": first.pk, "child": kid}).status_code == 404
    assert EventSlot.objects.get(pk=first.pk).child_id is None


def test_staff_of_another_unit_can_neither_see_edit_nor_cancel_an_event(world: World) -> None:
    event = event_create(
        user=world.user("contact_teacher"),
        unit_id=world.units["1A"].pk,
        title="Foreldremøte",
        starts_at=_at(18),
        ends_at=_at(19),
    )
    other = login(Client(), world, "other_teacher")
    assert f"/hendelser/{event.pk}/" not in other.get("/meldinger/kalender/hendelser/").content.decode()
    assert (
        f"/hendelser/{event.pk}/"
        in login(Client(), world, "principal").get("/meldinger/kalender/hendelser/").content.decode()
    )
    assert other.get(f"/meldinger/kalender/hendelser/{event.pk}/").status_code == 404
    assert other.post(f"/meldinger/kalender/hendelser/{event.pk}/", {"title": "X"}).status_code == 404
    assert other.post(f"/meldinger/kalender/hendelser/{event.pk}/avlys/").status_code == 404
    event.refresh_from_db()
    assert event.title == "Foreldremøte"


def test_a_guardian_cancels_their_own_booking_but_not_someone_elses(world: World) -> None:
    event = event_create(
        user=world.user("contact_teacher"),
        unit_id=world.units["1A"].pk,
        title="Utviklingssamtale",
        starts_at=_at(14),
        slot_minutes=20,
        slot_count=2,
    )
    first, second = event.slots.order_by("starts_at")
    guardian = login(Client(), world, "guardian")
    kid = world.children["kid_school"].pk
    assert guardian.post("/meldinger/kalender/", {"op": "bestill", "slot": first.pk, "child": kid}).status_code == 302
    page = guardian.get("/meldinger/kalender/").content.decode()
    assert "Mine bestilte timer" in page and "Avbestill" in page
    stranger = login(Client(), world, "protected_guardian")
    assert stranger.post("/meldinger/kalender/", {"op": "avbestill", "slot": first.pk}).status_code == 404
    assert EventSlot.objects.get(pk=first.pk).child_id == kid
    assert guardian.post("/meldinger/kalender/", {"op": "avbestill", "slot": first.pk}).status_code == 302
    assert EventSlot.objects.get(pk=first.pk).child_id is None
    assert guardian.post("/meldinger/kalender/", {"op": "bestill", "slot": second.pk, "child": kid}).status_code == 302


def test_a_booked_meeting_keeps_its_times_and_cancelling_it_notifies_the_guardian_who_booked(world: World) -> None:
    event = event_create(
        user=world.user("contact_teacher"),
        unit_id=world.units["1A"].pk,
        title="Utviklingssamtale",
        starts_at=_at(14),
        slot_minutes=30,
        slot_count=2,
    )
    guardian = login(Client(), world, "guardian")
    first = event.slots.order_by("starts_at").first()
    assert first is not None
    kid = world.children["kid_school"].pk
    assert guardian.post("/meldinger/kalender/", {"op": "bestill", "slot": first.pk, "child": kid}).status_code == 302
    teacher = login(Client(), world, "contact_teacher")
    moved = teacher.post(
        f"/meldinger/kalender/hendelser/{event.pk}/",
        {"title": "Utviklingssamtale", "starts_at": _local(15), "ends_at": _local(16)},
    )
    assert moved.status_code == 400
    event.refresh_from_db()
    assert event.starts_at == _at(14)
    assert teacher.post(f"/meldinger/kalender/hendelser/{event.pk}/avlys/").status_code == 302
    assert Notification.objects.filter(person=person(world, "guardian"), key=f"event-cancel-{event.pk}").exists()
