"""Calendar with slot booking and the private ICS feed (parsed back with icalendar); arbeidsflate figures."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.test import Client

from messaging.models import Thread
from messaging.services.calendar import event_create, feed_token_create, feed_token_revoke
from messaging.services.threads import thread_start
from oas import clock
from oas.arbeidsflate.registry import registry
from oas.errors import PermissionDenied
from tests.messaging.conftest import World, login

pytestmark = pytest.mark.django_db


def _at(hour: int, days: int = 7) -> dt.datetime:
    return dt.datetime.combine(clock.today() + dt.timedelta(days=days), dt.time(hour), tzinfo=clock.OSLO)


def test_ics_feed_holds_my_childrens_events_and_a_revoked_token_is_404(world: World) -> None:
    event_create(
        user=world.user("contact_teacher"),
        unit_id=world.units["1A"].pk,
        title="Foreldremøte 1A",
        starts_at=_at(18),
        ends_at=_at(19),
    )
    event_create(
        user=world.user("principal"),
        unit_id=world.units["S1"].pk,
        title="Planleggingsdag",
        starts_at=_at(8, 10),
        ends_at=_at(16, 10),
    )
    event_create(
        user=world.user("other_teacher"),
        unit_id=world.units["S2"].pk,
        title="Annen skole",
        starts_at=_at(8),
        ends_at=_at(9),
    )
    token = feed_token_create(user=world.user("guardian"))
    response = Client().get(f"/meldinger/kalender/{token.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    titles = sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))
    assert titles == ["Foreldremøte 1A", "Planleggingsdag"]
    first = next(e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "Foreldremøte 1A")
    assert first.decoded("DTSTART") == _at(18)
    feed_token_revoke(user=world.user("guardian"))
    assert Client().get(f"/meldinger/kalender/{token.token}.ics").status_code == 404
    assert Client().get("/meldinger/kalender/ukjent.ics").status_code == 404


def test_staff_of_another_unit_cannot_add_events(world: World) -> None:
    with pytest.raises(PermissionDenied):
        event_create(
            user=world.user("other_teacher"), unit_id=world.units["1A"].pk, title="X", starts_at=_at(8), ends_at=_at(9)
        )


def test_guardian_books_one_parent_meeting_slot_per_child(world: World) -> None:
    event = event_create(
        user=world.user("contact_teacher"),
        unit_id=world.units["1A"].pk,
        title="Utviklingssamtale",
        starts_at=_at(14),
        ends_at=_at(15),
        slot_minutes=20,
    )
    slots = list(event.slots.order_by("starts_at"))
    assert len(slots) == 3
    guardian = login(Client(), world, "guardian")
    kid = world.children["kid_school"].pk
    assert guardian.get("/meldinger/kalender/").status_code == 200
    ok = guardian.post("/meldinger/kalender/", {"op": "bestill", "slot": slots[0].pk, "child": kid})
    assert ok.status_code == 302
    slots[0].refresh_from_db()
    assert slots[0].child_id == kid
    twice = guardian.post("/meldinger/kalender/", {"op": "bestill", "slot": slots[1].pk, "child": kid})
    assert twice.status_code == 409
    taken = login(Client(), world, "protected_guardian").post(
        "/meldinger/kalender/", {"op": "bestill", "slot": slots[0].pk, "child": world.children["kid_protected"].pk}
    )
    assert taken.status_code == 409
    stranger = login(Client(), world, "outsider").post(
        "/meldinger/kalender/", {"op": "bestill", "slot": slots[2].pk, "child": kid}
    )
    assert stranger.status_code == 404


def test_calendar_page_needs_a_login() -> None:
    assert Client().get("/meldinger/kalender/").status_code in (302, 403)


def test_arbeidsflate_shows_waiting_and_overdue_messages_with_links(world: World) -> None:
    thread: Thread = thread_start(
        user=world.user("protected_guardian"),
        child_id=world.children["kid_protected"].pk,
        unit_id=world.units["1A"].pk,
        subject="Hjelp",
        body="Kan dere ringe?",
    )
    tasks = {t.key: t for t in registry.tasks_for(user=world.user("contact_teacher"))}
    assert tasks["messaging.unanswered"].count == 1
    assert "messaging.overdue" not in tasks
    with clock.freeze(clock.now() + dt.timedelta(hours=49)):
        tasks = {t.key: t for t in registry.tasks_for(user=world.user("principal"))}
        overdue = tasks["messaging.overdue"]
        assert overdue.count == 1 and overdue.unit_id == thread.unit_id and overdue.severity == "warning"
        # The leader sees the figure; the conversation itself stays with the contact teacher (need-to-know).
        assert "Hjelp" not in login(Client(), world, "principal").get(overdue.url).content.decode()
        assert "Hjelp" in login(Client(), world, "contact_teacher").get(overdue.url).content.decode()
    other = {t.key for t in registry.tasks_for(user=world.user("other_teacher"))}
    assert "messaging.unanswered" not in other


def test_guardian_portal_shows_unread_messages(world: World) -> None:
    thread_start(
        user=world.user("contact_teacher"),
        child_id=world.children["kid_school"].pk,
        unit_id=world.units["1A"].pk,
        subject="Hei",
        body="Tekst",
    )
    page = login(Client(), world, "guardian").get("/portal/").content.decode()
    assert "uleste meldinger" in page
