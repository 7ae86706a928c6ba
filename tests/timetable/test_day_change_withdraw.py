"""Withdrawing a day change (the lesson goes as planned again, those told are told once, Office 365 follows, who and
when is kept), and day changes following their lessons when a new version replaces the published one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.urls import reverse

from integrations.msgraph.simulator import GraphSimulator
from messaging.models import Notification
from oas import clock
from oas.access.getters import AccessNotFound
from oas.arbeidsflate.registry import registry
from oas.audit.models import AuditEvent
from oas.errors import DomainError
from oas.people.models import Employee
from tests.timetable.conftest import TimetableDemo, login, persona_user
from tests.timetable.test_office365 import _deliver_all
from timetable import services
from timetable.models import CalendarEntry, DayChange, Lesson, LessonChange, Room, VersionStatus
from timetable.public import day_change_record, day_change_withdraw, lessons_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def graph_sim(settings: Any) -> Iterator[GraphSimulator]:
    with GraphSimulator() as server:
        sim = cast(GraphSimulator, server)
        settings.MSGRAPH_SIMULATOR_URL = sim.url
        settings.INTEGRATION_MODES = {**settings.INTEGRATION_MODES, "msgraph": "simulator"}
        yield sim


def _class_lessons(tt: TimetableDemo, *, after: dt.date, n: int = 1) -> list[tuple[Lesson, dt.date]]:
    """Lessons of 1A taught by a teacher with a Microsoft account, each with its next date after ``after``."""
    lessons = (
        Lesson.objects.filter(version=tt.version, requirement__group=tt.demo.class_1a)
        .exclude(requirement__teachers__entra_object_id="")
        .order_by("day", "position")
        .distinct()[:n]
    )
    found = [(lsn, after + dt.timedelta(days=(lsn.day - after.weekday()) % 7 or 7)) for lsn in lessons]
    assert len(found) == n
    return found


def _singles_on(sim: GraphSimulator, user: str, date: dt.date) -> list[dict[str, Any]]:
    return [
        e
        for e in sim.events(user)
        if e["type"] == "singleInstance" and e["start"]["dateTime"].startswith(date.isoformat())
    ]


def _series(sim: GraphSimulator, entry: CalendarEntry) -> dict[str, Any]:
    return next(
        e
        for e in sim.events(entry.microsoft_user)
        if e["type"] == "seriesMaster" and e["subject"] == entry.event["subject"] and e["start"] == entry.event["start"]
    )


def test_a_withdrawn_cancellation_goes_as_planned_tells_those_told_once_and_comes_back_in_office365(
    tt_demo: TimetableDemo, graph_sim: GraphSimulator, frozen_today: dt.date
) -> None:
    _deliver_all()
    [(lesson, date)] = _class_lessons(tt_demo, after=frozen_today)
    entry = CalendarEntry.objects.filter(lesson=lesson, active=True, date__isnull=True).first()
    assert entry is not None
    change = day_change_record(lesson_id=lesson.pk, date=date, cancelled=True, note="Kurs")
    _deliver_all()
    assert date.isoformat() in _series(graph_sim, entry)["_cancelled"]
    told = set(
        Notification.objects.filter(key__startswith=f"timetable.daychange:{change.id}:r").values_list(
            "person_id", flat=True
        )
    )
    assert told  # guardians of 1A's pupils and the teachers
    rektor = persona_user("rektor")

    info = day_change_withdraw(lesson_id=lesson.pk, date=date, user=rektor)

    assert info.cancelled and not DayChange.objects.filter(lesson=lesson, date=date).exists()
    # The lesson goes as planned that day (attendance, the arbeidsflate, the pages read lessons_on).
    planned = next(p for p in lessons_on([tt_demo.demo.class_1a.pk], date)[tt_demo.demo.class_1a.pk] if p.change == "")
    assert not any(p.cancelled for p in lessons_on([tt_demo.demo.class_1a.pk], date)[tt_demo.demo.class_1a.pk])
    assert planned is not None
    # Exactly those told of the change are told of the withdrawal, once.
    withdrawn = Notification.objects.filter(key__startswith=f"timetable.daychange:{change.id}:withdrawn")
    assert {n.person_id for n in withdrawn} == told
    assert all("trukket tilbake" in n.title for n in withdrawn)
    count = withdrawn.count()
    with pytest.raises(DomainError):
        day_change_withdraw(lesson_id=lesson.pk, date=date, user=rektor)
    assert withdrawn.count() == count
    # Who and when.
    record = LessonChange.objects.get(lesson=lesson, action="daychange_withdraw")
    assert record.user_id == rektor.pk and record.before["cancelled"] and record.before["note"] == "Kurs"
    assert AuditEvent.objects.filter(event="timetable.daychange.withdraw", object_id=str(change.id)).exists()
    # Office 365: Graph cannot restore a cancelled occurrence, so the teacher gets the lesson as its own event.
    _deliver_all()
    singles = _singles_on(graph_sim, entry.microsoft_user, date)
    assert len(singles) == 1 and singles[0]["subject"] == entry.event["subject"]
    # Cancelled again: the stand-in event goes again.
    day_change_record(lesson_id=lesson.pk, date=date, cancelled=True)
    _deliver_all()
    assert _singles_on(graph_sim, entry.microsoft_user, date) == []


def test_withdrawing_a_room_change_with_a_substitute_removes_the_substitutes_event_and_restores_the_room(
    tt_demo: TimetableDemo, graph_sim: GraphSimulator, frozen_today: dt.date
) -> None:
    _deliver_all()
    (lesson, date), (other, other_date) = _class_lessons(tt_demo, after=frozen_today, n=2)
    room = Room.objects.filter(school=tt_demo.demo.school).exclude(pk=other.room_id or 0).first()
    assert room is not None
    substitute = (
        Employee.objects.filter(timetable_requirements__version=tt_demo.version)
        .exclude(entra_object_id="")
        .exclude(pk__in=lesson.requirement.teachers.all())
        .first()
    )
    assert substitute is not None
    day_change_record(lesson_id=lesson.pk, date=date, substitute_employee_id=substitute.pk)
    day_change_record(lesson_id=other.pk, date=other_date, room_id=room.pk)
    _deliver_all()
    assert len(_singles_on(graph_sim, substitute.entra_object_id, date)) == 1
    other_entry = CalendarEntry.objects.filter(lesson=other, active=True, date__isnull=True).first()
    assert other_entry is not None
    assert _series(graph_sim, other_entry)["_exceptions"][other_date.isoformat()] == {
        "location": {"displayName": room.name}
    }

    day_change_withdraw(lesson_id=lesson.pk, date=date)  # the system (the substitutes module)
    day_change_withdraw(lesson_id=other.pk, date=other_date)
    _deliver_all()

    assert _singles_on(graph_sim, substitute.entra_object_id, date) == []
    planned = other.room.name if other.room else ""
    assert _series(graph_sim, other_entry)["_exceptions"][other_date.isoformat()] == {
        "location": {"displayName": planned}
    }
    assert not DayChange.objects.exists()


def test_the_lesson_page_withdraws_a_day_change_for_managers_only(
    tt_demo: TimetableDemo, frozen_today: dt.date
) -> None:
    [(lesson, date)] = _class_lessons(tt_demo, after=frozen_today)
    day_change_record(lesson_id=lesson.pk, date=date, cancelled=True)
    url = reverse("timetable:lesson", args=[lesson.pk])
    page = login("rektor").get(url).content.decode()
    assert f'data-withdraw="{date.isoformat()}"' in page
    data = {"handling": "trekk_tilbake", "dato": date.isoformat()}
    assert login("laerer").post(url, data).status_code == 403
    assert login("foresatt").post(url, data).status_code == 403
    assert login("annenlaerer").post(url, data).status_code == 403
    with pytest.raises(AccessNotFound):
        day_change_withdraw(lesson_id=lesson.pk, date=date, user=persona_user("laerer"))
    assert DayChange.objects.filter(lesson=lesson, date=date).exists()
    response = login("rektor").post(url, data, follow=True)
    assert response.status_code == 200
    assert "Dagsendringen er trukket tilbake" in response.content.decode()
    assert not DayChange.objects.filter(lesson=lesson, date=date).exists()
    again = login("rektor").post(url, data, follow=True).content.decode()
    assert "ingen dagsendring denne dagen" in again


def test_a_new_version_carries_day_changes_to_matching_lessons_and_lists_the_rest_for_the_office(
    tt_demo: TimetableDemo, graph_sim: GraphSimulator, frozen_today: dt.date
) -> None:
    _deliver_all()
    (kept, kept_date), (gone, gone_date) = _class_lessons(tt_demo, after=frozen_today, n=2)
    past_date = kept_date - dt.timedelta(days=7)
    assert past_date < frozen_today
    day_change_record(lesson_id=kept.pk, date=kept_date, cancelled=True)
    unmatched = day_change_record(lesson_id=gone.pk, date=gone_date, cancelled=True)
    past = DayChange.objects.create(
        lesson=kept, date=past_date, cancelled=True, created_at=clock.now(), updated_at=clock.now()
    )
    _deliver_all()
    copy = services.version_copy(version_id=tt_demo.version.pk, name="Ny timeplan")
    # The new version has no lesson for ``gone`` at its day and period (it moved to another day).
    moved = Lesson.objects.filter(
        version=copy,
        requirement__subject_code=gone.requirement.subject_code,
        requirement__group=gone.requirement.group,
        day=gone.day,
        position=gone.position,
    )
    assert moved.update(day=(gone.day + 1) % copy.days_per_week) == 1
    match = Lesson.objects.get(
        version=copy,
        requirement__subject_code=kept.requirement.subject_code,
        requirement__group=kept.requirement.group,
        day=kept.day,
        position=kept.position,
    )

    services.version_publish(version_id=copy.pk, user=persona_user("rektor"))

    tt_demo.version.refresh_from_db()
    assert tt_demo.version.status == VersionStatus.ARCHIVED
    carried = DayChange.objects.get(date=kept_date, cancelled=True, lesson__version=copy)
    assert carried.lesson_id == match.pk and carried.needs_attention_version_id is None
    day = lessons_on([tt_demo.demo.class_1a.pk], kept_date)[tt_demo.demo.class_1a.pk]
    assert any(p.cancelled for p in day)  # still cancelled on its day, in the new timetable
    left = DayChange.objects.get(pk=unmatched.id)
    assert left.lesson_id == gone.pk and left.needs_attention_version_id == copy.pk  # not dropped
    past.refresh_from_db()
    assert past.lesson_id == kept.pk  # a day that has been stays where it was
    # Office 365: the carried cancellation holds on the new lesson's series.
    _deliver_all()
    entry = CalendarEntry.objects.filter(lesson=match, active=True, date__isnull=True).first()
    assert entry is not None
    assert kept_date.isoformat() in _series(graph_sim, entry)["_cancelled"]
    # The office sees what needs attention on the new version's page, and withdraws it there.
    url = reverse("timetable:version", args=[copy.pk])
    page = login("rektor").get(url).content.decode()
    assert "Dagsendringer som trenger oppfølging" in page
    assert f'data-follow-up="{gone.pk}-{gone_date.isoformat()}"' in page
    assert "trenger oppfølging" not in login("laerer").get(url).content.decode()
    data = {"handling": "trekk_tilbake_dagsendring", "time": gone.pk, "dato": gone_date.isoformat()}
    assert login("laerer").post(url, data).status_code == 404  # reads the version, may not manage it
    assert login("foresatt").post(url, data).status_code == 403
    # The rektor's arbeidsflate has the task, linking to that page; a teacher's has not.
    rektor, laerer = persona_user("rektor"), persona_user("laerer")
    tasks = {t.key: t for t in registry.tasks_for(user=rektor)}
    task = tasks["timetable.daychanges_follow_up"]
    assert (task.count, task.url, task.severity) == (1, url, "warning")
    assert "timetable.daychanges_follow_up" not in {t.key for t in registry.tasks_for(user=laerer)}
    assert login("rektor").post(url, data).status_code == 302
    assert not DayChange.objects.filter(pk=unmatched.id).exists()
    assert "timetable.daychanges_follow_up" not in {t.key for t in registry.tasks_for(user=rektor)}
    assert Notification.objects.filter(key__startswith=f"timetable.daychange:{unmatched.id}:withdrawn").exists()
