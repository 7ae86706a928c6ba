"""Teachers' lessons in their Office 365 calendars: the wanted events, compared with what was queued before.

``calendar_sync_school`` runs in the transaction that publishes a version (and from ``manage.py
timetable_office365_sync``): it builds one weekly series per teacher and lesson of the school's published timetables,
compares them with the ``CalendarEntry`` rows (what earlier syncs queued) and writes outbox rows
(``integrations.public.office365_*``) only for the differences: a new lesson creates an event, a moved lesson or one in
another room updates its event, a lesson that is gone deletes it. Running it again queues nothing. Teachers without a
Microsoft account (``Employee.entra_object_id``) are skipped and named on the version's page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from integrations.public import office365_event_delete, office365_event_put, office365_occurrence_change
from oas import clock
from oas.people.models import Employee
from timetable.models import CalendarEntry, DayChange, Lesson, Period, TimetableVersion, VersionStatus
from timetable.selectors import employee_name, lesson_periods

TIMEZONE = "W. Europe Standard Time"  # Graph's (Windows) name for Europe/Oslo
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CATEGORY = "OAS timeplan"


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    skipped_teachers: list[str] = field(default_factory=list)


def _span(periods: list[Period], lesson: Lesson) -> tuple[dt.time, dt.time] | None:
    positions = [p.position for p in periods]
    if lesson.position not in positions:
        return None
    first = positions.index(lesson.position)
    covered = periods[first : first + lesson.length]
    return covered[0].start_time, covered[-1].end_time


def lesson_event(
    *, lesson: Lesson, start: dt.datetime, end: dt.datetime, room_name: str, note: str = "", until: dt.date | None
) -> dict[str, Any]:
    """Return a Graph event for a lesson: a weekly series until ``until``, or one event when ``until`` is None."""
    req = lesson.requirement
    event: dict[str, Any] = {
        "subject": f"{req.subject_name} ({req.group.name})",
        "body": {"contentType": "text", "content": note or _("Fra timeplanen i OAS.")},
        "start": {"dateTime": start.isoformat(), "timeZone": TIMEZONE},
        "end": {"dateTime": end.isoformat(), "timeZone": TIMEZONE},
        "location": {"displayName": room_name},
        "showAs": "busy",
        "isReminderOn": False,
        "categories": [CATEGORY],
    }
    if until is not None:
        event["recurrence"] = {
            "pattern": {
                "type": "weekly",
                "interval": 1,
                "daysOfWeek": [WEEKDAYS[lesson.day]],
                "firstDayOfWeek": "monday",
            },
            "range": {"type": "endDate", "startDate": start.date().isoformat(), "endDate": until.isoformat()},
        }
    return event


def _series(version: TimetableVersion, lesson: Lesson, periods: list[Period], today: dt.date) -> dict[str, Any] | None:
    span = _span(periods, lesson)
    if span is None:
        return None
    first = version.valid_from + dt.timedelta(days=(lesson.day - version.valid_from.weekday()) % 7)
    if first > version.valid_to:
        return None
    return lesson_event(
        lesson=lesson,
        start=dt.datetime.combine(first, span[0]),
        end=dt.datetime.combine(first, span[1]),
        room_name=lesson.room.name if lesson.room else "",
        until=version.valid_to,
    )


def calendar_versions(*, school_id: int, today: dt.date) -> list[TimetableVersion]:
    """Return the school's published timetables that are not over: the main ones, then the date-limited variants."""
    return list(
        TimetableVersion.objects.filter(
            school_id=school_id, status=VersionStatus.PUBLISHED, valid_to__gte=today
        ).order_by("is_variant", "valid_from", "pk")
    )


def unmapped_teachers(*, version: TimetableVersion) -> list[str]:
    """Return the names of the version's teachers who have lessons but no Microsoft account (they are skipped)."""
    teachers = Employee.objects.filter(
        Q(entra_object_id="") | Q(entra_object_id__isnull=True),
        timetable_requirements__version=version,
        timetable_requirements__lessons__isnull=False,
    ).select_related("person")
    return sorted({employee_name(t) for t in teachers})


Key = tuple[int, int, str, int, int, int]  # teacher, group, subject, day, position, variant (0 = main timetable)


def calendar_sync_school(*, school_id: int, today: dt.date | None = None) -> SyncResult:  # noqa: PLR0912, PLR0915
    """Queue the differences between the published lessons and the school's calendar entries (in the caller's
    transaction).

    A published variant's lessons become series of their own over the variant's dates, and the main series'
    occurrences on those dates are cancelled (``hidden_dates``); when the variant is withdrawn, the main lessons come
    back on those dates as single events (Graph cannot restore a cancelled occurrence).
    """
    today = today or clock.today()
    result = SyncResult()
    wanted: dict[Key, tuple[Lesson, Employee, dict[str, Any], TimetableVersion | None]] = {}
    skipped: set[str] = set()
    variants: list[TimetableVersion] = []
    for version in calendar_versions(school_id=school_id, today=today):
        variant_id = version.pk if version.is_variant else 0
        if version.is_variant:
            variants.append(version)
        periods = lesson_periods(version=version)
        lessons = (
            Lesson.objects.filter(version=version)
            .select_related("requirement__group", "room")
            .prefetch_related("requirement__teachers__person")
            .order_by("day", "position", "pk")
        )
        for lesson in lessons:
            event = None
            for teacher in lesson.requirement.teachers.all():
                if not teacher.entra_object_id:
                    skipped.add(employee_name(teacher))
                    continue
                event = event or _series(version, lesson, periods, today)
                if event is None:
                    break
                key = (
                    teacher.pk,
                    lesson.requirement.group_id,
                    lesson.requirement.subject_code,
                    lesson.day,
                    lesson.position,
                    variant_id,
                )
                wanted.setdefault(key, (lesson, teacher, event, version if variant_id else None))
    result.skipped_teachers = sorted(skipped)
    existing = {
        (e.teacher_id, e.group_id, e.subject_code, e.day, e.position, e.variant_id or 0): e
        for e in CalendarEntry.objects.select_for_update().filter(school_id=school_id, active=True, date__isnull=True)
    }
    now = clock.now()
    # Same slot: unchanged or updated. Then a lesson of the same teacher, group and subject that moved: updated.
    unmatched_old: dict[tuple[int, int, str, int], list[CalendarEntry]] = defaultdict(list)
    for key, old in existing.items():
        if key not in wanted:
            unmatched_old[(*key[:3], key[5])].append(old)
    renewed: set[int] = set()  # entries whose series was written again (Graph drops a series' exceptions then)
    for key, (lesson, teacher, event, variant) in wanted.items():
        entry: CalendarEntry | None = existing.get(key)
        if entry is None and unmatched_old.get((*key[:3], key[5])):
            entry = unmatched_old[(*key[:3], key[5])].pop(0)
        if entry is None:
            entry = CalendarEntry.objects.create(
                school_id=school_id,
                teacher=teacher,
                microsoft_user=teacher.entra_object_id,
                group_id=key[1],
                subject_code=key[2],
                day=key[3],
                position=key[4],
                lesson=lesson,
                variant=variant,
                event=event,
                updated_at=now,
            )
            office365_event_put(key=entry.key, user=entry.microsoft_user, revision=entry.revision, event=event)
            result.created += 1
            continue
        if entry.event == event and entry.microsoft_user == teacher.entra_object_id:
            if entry.lesson_id != lesson.pk:
                entry.lesson = lesson
                entry.save(update_fields=["lesson"])
            result.unchanged += 1
            continue
        entry.day, entry.position, entry.lesson, entry.event = key[3], key[4], lesson, event
        entry.revision += 1
        entry.updated_at = now
        entry.save()
        renewed.add(entry.pk)
        office365_event_put(key=entry.key, user=entry.microsoft_user, revision=entry.revision, event=event)
        result.updated += 1
    for entries in unmatched_old.values():
        for entry in entries:
            calendar_entry_remove(entry=entry)
            result.deleted += 1
    _hide_variant_dates(school_id=school_id, variants=variants, today=today, renewed=renewed)
    return result


def _hide_variant_dates(*, school_id: int, variants: list[TimetableVersion], today: dt.date, renewed: set[int]) -> None:
    """Cancel the main series' occurrences on the dates a published variant applies, restore those no longer hidden."""
    covered: set[dt.date] = set()
    for variant in variants:
        day = max(variant.valid_from, today)
        while day <= variant.valid_to:
            covered.add(day)
            day += dt.timedelta(days=1)
    entries = CalendarEntry.objects.select_for_update(of=("self",)).filter(
        school_id=school_id, active=True, date__isnull=True, variant__isnull=True
    )
    for entry in entries.select_related("lesson__requirement__group", "lesson__room", "lesson__version"):
        recurrence = entry.event.get("recurrence", {}).get("range", {})
        if not recurrence:
            continue
        first, last = dt.date.fromisoformat(recurrence["startDate"]), dt.date.fromisoformat(recurrence["endDate"])
        wanted = {d for d in covered if d.weekday() == entry.day and first <= d <= last}
        old = {dt.date.fromisoformat(d) for d in entry.hidden_dates}
        past = {d for d in old if d < today}
        if entry.pk in renewed:
            old = past  # the series was written again: its earlier cancellations are gone in Graph
        for day in sorted(wanted - old):
            for single in restored_singles(lesson_id=entry.lesson_id, date=day, teacher_id=entry.teacher_id):
                calendar_entry_remove(entry=single)
            office365_occurrence_change(
                series_key=entry.key,
                user=entry.microsoft_user,
                day=day,
                change_key=f"variant:{entry.pk}:r{entry.revision}:{day.isoformat()}:{clock.now().isoformat()}",
                cancel=True,
            )
        for day in sorted(old - wanted - past):
            if entry.lesson is None:
                continue
            change = DayChange.objects.filter(lesson=entry.lesson, date=day).select_related("room").first()
            if change is not None and (change.cancelled or change.substitute_id):
                continue  # the teacher does not have the lesson that day anyway
            room_name = change.room.name if change is not None and change.room else None
            restored_single_put(series=entry, lesson=entry.lesson, date=day, room_name=room_name)
        hidden = sorted(d.isoformat() for d in wanted | past)
        if hidden != entry.hidden_dates:
            entry.hidden_dates = hidden
            entry.save(update_fields=["hidden_dates"])


def restored_singles(*, lesson_id: int | None, date: dt.date, teacher_id: int) -> list[CalendarEntry]:
    """Return the active single events that stand in for a cancelled occurrence of the lesson on ``date``."""
    if lesson_id is None:
        return []
    return list(
        CalendarEntry.objects.filter(
            lesson_id=lesson_id, date=date, teacher_id=teacher_id, day_change__isnull=True, active=True
        )
    )


def restored_single_put(
    *, series: CalendarEntry, lesson: Lesson, date: dt.date, room_name: str | None = None
) -> CalendarEntry | None:
    """Put the teacher's lesson on ``date`` back as a single event (its series occurrence was cancelled); with
    ``room_name``, in that room. Returns the entry, or None when the lesson's periods are gone."""
    periods = lesson_periods(version=lesson.version)
    span = _span(periods, lesson)
    if span is None:
        return None
    room = room_name if room_name is not None else (lesson.room.name if lesson.room else "")
    event = lesson_event(
        lesson=lesson,
        start=dt.datetime.combine(date, span[0]),
        end=dt.datetime.combine(date, span[1]),
        room_name=room,
        until=None,
    )
    found = restored_singles(lesson_id=lesson.pk, date=date, teacher_id=series.teacher_id)
    entry = found[0] if found else None
    if entry is not None and entry.event == event:
        return entry
    if entry is None:
        entry = CalendarEntry.objects.create(
            school_id=series.school_id,
            teacher_id=series.teacher_id,
            microsoft_user=series.microsoft_user,
            group_id=series.group_id,
            subject_code=series.subject_code,
            day=lesson.day,
            position=lesson.position,
            date=date,
            lesson=lesson,
            event=event,
            updated_at=clock.now(),
        )
    else:
        entry.event, entry.revision, entry.updated_at = event, entry.revision + 1, clock.now()
        entry.save(update_fields=["event", "revision", "updated_at"])
    office365_event_put(key=entry.key, user=entry.microsoft_user, revision=entry.revision, event=event)
    return entry


def calendar_entry_remove(*, entry: CalendarEntry) -> None:
    """Deactivate an entry and queue the deletion of its event."""
    entry.active = False
    entry.revision += 1
    entry.updated_at = clock.now()
    entry.save(update_fields=["active", "revision", "updated_at"])
    office365_event_delete(key=entry.key, user=entry.microsoft_user, revision=entry.revision)
