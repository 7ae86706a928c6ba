"""Day changes: recorded once, shown on their day in every view and the ICS feed, the people affected notified once,
the Office 365 occurrence cancelled or changed through the outbox; the page is for those who manage the timetable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.core import signing
from django.urls import reverse

from integrations.models import OutboxMessage
from integrations.msgraph.simulator import GraphSimulator
from messaging.models import Notification
from oas.access.getters import AccessNotFound
from oas.errors import DomainError
from oas.people.models import Employee, PersonRelation, RelationKind
from tests.timetable.conftest import TimetableDemo, login, persona_user
from tests.timetable.test_office365 import _deliver_all
from timetable.models import CalendarEntry, DayChange, Lesson, Room
from timetable.public import day_change_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def graph_sim(settings: Any) -> Iterator[GraphSimulator]:
    with GraphSimulator() as server:
        sim = cast(GraphSimulator, server)
        settings.MSGRAPH_SIMULATOR_URL = sim.url
        yield sim


def _class_lesson(tt: TimetableDemo, *, after: dt.date) -> tuple[Lesson, dt.date]:
    """A lesson of 1A taught by a teacher with a Microsoft account, and its next date after ``after``."""
    lesson = (
        Lesson.objects.filter(version=tt.version, requirement__group=tt.demo.class_1a)
        .exclude(requirement__teachers__entra_object_id="")
        .order_by("day", "position")
        .first()
    )
    assert lesson is not None
    date = after + dt.timedelta(days=(lesson.day - after.weekday()) % 7 or 7)
    return lesson, date


def test_a_cancelled_lesson_is_shown_on_its_day_notified_once_and_cancelled_in_office365(
    tt_demo: TimetableDemo, graph_sim: GraphSimulator, frozen_today: dt.date
) -> None:
    _deliver_all()  # the publish's calendar events
    lesson, date = _class_lesson(tt_demo, after=frozen_today)
    entry = CalendarEntry.objects.get(lesson=lesson, active=True, teacher=lesson.requirement.teachers.first())
    series = next(
        e
        for e in graph_sim.events(entry.microsoft_user)
        if e["subject"] == entry.event["subject"] and e["start"] == entry.event["start"]
    )
    rows = OutboxMessage.objects.count()
    change = day_change_record(lesson_id=lesson.pk, date=date, cancelled=True, note="Lærer på kurs")
    assert change.changed and change.revision == 1
    guardian = tt_demo.demo.child_1a.relations_as_child.filter(kind=RelationKind.GUARDIAN).first()
    assert guardian is not None
    guardians = set(
        PersonRelation.objects.filter(
            child__placements__group=tt_demo.demo.class_1a, kind=RelationKind.GUARDIAN
        ).values_list("adult_id", flat=True)
    )
    notes = Notification.objects.filter(key__startswith=f"timetable.daychange:{change.id}:")
    teachers = set(lesson.requirement.teachers.values_list("person_id", flat=True))
    assert {n.person_id for n in notes} == guardians | teachers
    assert guardian.adult_id in {n.person_id for n in notes}
    assert all("avlyst" in n.title for n in notes)
    # Recorded again (the substitutes module runs twice): nothing new, nobody notified twice.
    again = day_change_record(lesson_id=lesson.pk, date=date, cancelled=True, note="Lærer på kurs")
    assert not again.changed and again.revision == 1
    assert Notification.objects.filter(key__startswith=f"timetable.daychange:{change.id}:").count() == notes.count()
    assert OutboxMessage.objects.count() == rows + lesson.requirement.teachers.exclude(entra_object_id="").count()
    # Office 365: exactly that day's occurrence is gone; the series and the other weeks stay.
    graph_sim.fail("429", retry_after="2")
    outcomes = _deliver_all()
    assert outcomes.get("pending") == 1
    held = graph_sim.event(entry.microsoft_user, series["id"])
    assert held is not None and held["_cancelled"] == [date.isoformat()]
    # The guardian's week and ICS, the teacher's week: on the day it applies.
    with_date = date.strftime("%Y-%m-%d")
    portal = login("foresatt").get(reverse("timetable:portal")).content.decode()
    assert f'data-day-change="{lesson.pk}-{with_date}"' in portal and "avlyst" in portal
    token = signing.dumps(
        {"k": "c", "u": persona_user("foresatt").pk, "c": tt_demo.demo.child_1a.pk}, salt="timetable.ics"
    )
    feed = login("foresatt").get(reverse("timetable:ics", args=[token])).content.decode()
    block = feed.split(f"UID:oas-lesson-{lesson.pk}-{date:%Y%m%d}@oas")[1].split("END:VEVENT")[0]
    assert "STATUS:CANCELLED" in block and "SUMMARY:Avlyst: " in block
    assert feed.count("STATUS:CANCELLED") == 1
    week = login("rektor").get(
        reverse("timetable:week", args=[tt_demo.version.pk]) + f"?klasse={tt_demo.demo.class_1a.pk}"
    )
    assert f'data-day-change="{lesson.pk}-{with_date}"' in week.content.decode()


def test_a_room_change_and_a_substitute_reach_office365_and_the_substitutes_own_week(
    tt_demo: TimetableDemo, graph_sim: GraphSimulator, frozen_today: dt.date
) -> None:
    _deliver_all()
    lesson, date = _class_lesson(tt_demo, after=frozen_today)
    entry = CalendarEntry.objects.filter(lesson=lesson, active=True).first()
    assert entry is not None
    room = Room.objects.filter(school=tt_demo.demo.school).exclude(pk=lesson.room_id or 0).first()
    assert room is not None
    day_change_record(lesson_id=lesson.pk, date=date, room_id=room.pk)
    _deliver_all()
    series_id = next(
        e["id"]
        for e in graph_sim.events(entry.microsoft_user)
        if e["subject"] == entry.event["subject"] and e["start"] == entry.event["start"]
    )
    assert graph_sim.event(entry.microsoft_user, series_id)["_exceptions"] == {  # type: ignore[index]
        date.isoformat(): {"location": {"displayName": room.name}}
    }
    substitute = (
        Employee.objects.filter(timetable_requirements__version=tt_demo.version)
        .exclude(entra_object_id="")
        .exclude(pk__in=lesson.requirement.teachers.all())
        .first()
    )
    assert substitute is not None
    change = day_change_record(lesson_id=lesson.pk, date=date, room_id=room.pk, substitute_employee_id=substitute.pk)
    assert change.revision == 2
    _deliver_all()
    singles = [e for e in graph_sim.events(substitute.entra_object_id) if e["type"] == "singleInstance"]
    assert len(singles) == 1 and singles[0]["location"]["displayName"] == room.name
    assert singles[0]["start"]["dateTime"].startswith(date.isoformat())
    held = graph_sim.event(entry.microsoft_user, series_id)
    assert held is not None and held["_cancelled"] == [date.isoformat()]  # the absent teacher's occurrence
    assert Notification.objects.filter(
        key=f"timetable.daychange:{change.id}:r2:staff", person=substitute.person
    ).exists()


def test_day_changes_are_refused_on_a_wrong_day_and_for_users_who_do_not_manage_the_timetable(
    tt_demo: TimetableDemo, frozen_today: dt.date
) -> None:
    lesson, date = _class_lesson(tt_demo, after=frozen_today)
    with pytest.raises(DomainError):
        day_change_record(lesson_id=lesson.pk, date=date + dt.timedelta(days=1), cancelled=True)
    with pytest.raises(DomainError):
        day_change_record(lesson_id=lesson.pk, date=date)
    with pytest.raises(AccessNotFound):
        day_change_record(lesson_id=lesson.pk, date=date, cancelled=True, user=persona_user("laerer"))
    assert not DayChange.objects.exists()
    assert day_change_record(lesson_id=lesson.pk, date=date, cancelled=True, user=persona_user("rektor")).changed


def test_the_lesson_page_records_a_day_change_for_managers_only(tt_demo: TimetableDemo, frozen_today: dt.date) -> None:
    lesson, date = _class_lesson(tt_demo, after=frozen_today)
    url = reverse("timetable:lesson", args=[lesson.pk])
    page = login("rektor").get(url)
    assert page.status_code == 200 and "Registrer dagsendring" in page.content.decode()
    data = {"handling": "dagsendring", "dato": date.isoformat(), "avlyst": "1"}
    assert login("laerer").get(url).status_code == 403  # no timetable.version.manage anywhere
    assert login("laerer").post(url, data).status_code == 403
    assert login("foresatt").post(url, data).status_code == 403
    assert not DayChange.objects.exists()
    response = login("rektor").post(url, data)
    assert response.status_code == 302
    assert DayChange.objects.get().cancelled
    api = login("foresatt").get(reverse("timetable:api_child", args=[tt_demo.demo.child_1a.pk])).json()
    changed = next(t for t in api["timer"] if t["id"] == lesson.pk)
    assert changed["endringer"] == [
        {"dato": date.isoformat(), "avlyst": True, "rom": "", "vikar": "", "tekst": "avlyst"}
    ]
    bad = login("rektor").post(url, {**data, "dato": "ikke en dato"}, follow=True)
    assert "Skriv en gyldig dato." in bad.content.decode()
    # The published week links each lesson to this page for managers only.
    week = reverse("timetable:week", args=[tt_demo.version.pk]) + f"?klasse={tt_demo.demo.class_1a.pk}"
    assert url in login("rektor").get(week).content.decode()
    assert url not in login("laerer").get(week).content.decode()
