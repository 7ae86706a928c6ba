"""A date-limited variant (eksamensuke) in the teachers' Office 365 calendars: on its dates its lessons instead of the
main timetable's, through the outbox; withdrawn, the main lessons come back on those dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.urls import reverse

from integrations.msgraph.simulator import GraphSimulator
from oas.arbeidsflate.registry import registry
from tests.timetable.conftest import TimetableDemo, login, persona_user
from tests.timetable.test_office365 import _deliver_all
from timetable import services
from timetable.models import CalendarEntry, DayChange, Lesson, TimetableVersion, VersionStatus
from timetable.public import day_change_record, lessons_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def graph_sim(settings: Any) -> Iterator[GraphSimulator]:
    with GraphSimulator() as server:
        sim = cast(GraphSimulator, server)
        settings.MSGRAPH_SIMULATOR_URL = sim.url
        settings.INTEGRATION_MODES = {**settings.INTEGRATION_MODES, "msgraph": "simulator"}
        yield sim


def _exam_week(tt: TimetableDemo, today: dt.date) -> tuple[TimetableVersion, dt.date, dt.date]:
    """A draft variant for next week (Monday to Friday) with one lesson fewer per day than the main timetable."""
    monday = today + dt.timedelta(days=7 - today.weekday())
    friday = monday + dt.timedelta(days=4)
    variant = services.version_copy(version_id=tt.version.pk, name="Eksamensuke")
    TimetableVersion.objects.filter(pk=variant.pk).update(is_variant=True, valid_from=monday, valid_to=friday)
    variant.refresh_from_db()
    return variant, monday, friday


def test_a_published_variant_replaces_the_main_lessons_on_its_dates_and_withdrawn_gives_them_back(
    tt_demo: TimetableDemo, graph_sim: GraphSimulator, frozen_today: dt.date
) -> None:
    _deliver_all()
    variant, monday, friday = _exam_week(tt_demo, frozen_today)
    # The exam week: 1A's first lesson on Monday is an exam in another subject's time, its last one is gone.
    first = (
        Lesson.objects.filter(version=variant, requirement__group=tt_demo.demo.class_1a, day=0)
        .exclude(requirement__teachers__entra_object_id="")
        .order_by("position")
        .first()
    )
    assert first is not None
    main_first = Lesson.objects.get(
        version=tt_demo.version,
        day=0,
        position=first.position,
        requirement__subject_code=first.requirement.subject_code,
        requirement__group=tt_demo.demo.class_1a,
    )
    base = CalendarEntry.objects.filter(lesson=main_first, active=True, date__isnull=True).first()
    assert base is not None
    user = base.microsoft_user
    before = len(CalendarEntry.objects.filter(active=True))

    services.version_publish(version_id=variant.pk)
    _deliver_all()

    tt_demo.version.refresh_from_db()
    assert tt_demo.version.status == VersionStatus.PUBLISHED  # the variant does not replace the main timetable
    base.refresh_from_db()
    assert monday.isoformat() in base.hidden_dates
    events = graph_sim.events(user)
    series = next(e for e in events if e["type"] == "seriesMaster" and e["start"] == base.event["start"])
    assert monday.isoformat() in series["_cancelled"]  # the main lesson is not in the calendar that Monday
    assert series["_cancelled"] == [monday.isoformat()]  # and only then
    mine = CalendarEntry.objects.filter(variant=variant, teacher=base.teacher, lesson=first, active=True).get()
    variant_event = next(e for e in events if e.get("start") == mine.event["start"] and e["type"] == "seriesMaster")
    assert variant_event["recurrence"]["range"]["startDate"] == monday.isoformat()
    assert variant_event["recurrence"]["range"]["endDate"] == friday.isoformat()
    assert len(CalendarEntry.objects.filter(active=True)) > before
    # Publishing nothing new again sends nothing.
    from integrations.models import OutboxMessage

    rows = OutboxMessage.objects.count()
    from timetable.office365 import calendar_sync_school

    calendar_sync_school(school_id=tt_demo.demo.school.pk)
    assert OutboxMessage.objects.count() == rows

    # Withdrawn from the version page (the principal only): the variant's events go, the main lessons come back.
    url = reverse("timetable:version", args=[variant.pk])
    assert "Trekk tilbake varianten" in login("rektor").get(url).content.decode()
    assert login("laerer").post(url, {"handling": "trekk_tilbake_variant"}).status_code == 404  # reader, not manager
    assert login("rektor").post(url, {"handling": "trekk_tilbake_variant"}).status_code == 302
    variant.refresh_from_db()
    assert variant.status == VersionStatus.ARCHIVED
    _deliver_all()
    events = graph_sim.events(user)
    assert not any(e.get("start") == mine.event["start"] and e["type"] == "seriesMaster" for e in events)
    restored = [
        e for e in events if e["type"] == "singleInstance" and e["start"]["dateTime"].startswith(monday.isoformat())
    ]
    assert [e["subject"] for e in restored].count(base.event["subject"]) >= 1
    base.refresh_from_db()
    assert base.hidden_dates == []


def test_day_changes_follow_a_published_variant_on_its_dates_and_come_back_when_it_is_withdrawn(
    tt_demo: TimetableDemo, graph_sim: GraphSimulator, frozen_today: dt.date
) -> None:
    variant, monday, _friday = _exam_week(tt_demo, frozen_today)
    tuesday = monday + dt.timedelta(days=1)
    klass = tt_demo.demo.class_1a
    main = Lesson.objects.filter(version=tt_demo.version, requirement__group=klass).order_by("position")
    on_monday, on_tuesday = main.filter(day=0).first(), main.filter(day=1).first()
    assert on_monday is not None and on_tuesday is not None
    cancelled = day_change_record(lesson_id=on_monday.pk, date=monday, cancelled=True)
    unmatched = day_change_record(lesson_id=on_tuesday.pk, date=tuesday, cancelled=True)
    # The exam week has no lesson at Tuesday's time: that day change has nothing to follow.
    Lesson.objects.filter(
        version=variant,
        requirement__group=klass,
        requirement__subject_code=on_tuesday.requirement.subject_code,
        day=1,
        position=on_tuesday.position,
    ).delete()

    services.version_publish(version_id=variant.pk)

    moved = DayChange.objects.get(pk=cancelled.id)
    assert moved.lesson.version_id == variant.pk and moved.lesson.position == on_monday.position
    assert any(p.cancelled for p in lessons_on([klass.pk], monday)[klass.pk])  # still cancelled that Monday
    left = DayChange.objects.get(pk=unmatched.id)
    assert left.lesson_id == on_tuesday.pk and left.needs_attention_version_id == variant.pk
    task = {t.key: t for t in registry.tasks_for(user=persona_user("rektor"))}["timetable.daychanges_follow_up"]
    assert task.count == 1 and task.url == reverse("timetable:version", args=[variant.pk])

    services.version_withdraw(version_id=variant.pk)

    back = DayChange.objects.get(pk=cancelled.id)
    assert back.lesson_id == on_monday.pk  # the main lesson is taught that Monday again, and still cancelled
    assert any(p.cancelled for p in lessons_on([klass.pk], monday)[klass.pk])
    assert DayChange.objects.get(pk=unmatched.id).needs_attention_version_id is None
    assert "timetable.daychanges_follow_up" not in {t.key for t in registry.tasks_for(user=persona_user("rektor"))}
