"""Day changes: one lesson of the published timetable cancelled, in another room or with a substitute on a date.

``day_change_record`` (exported by ``timetable.public`` for the substitutes module) writes the change, notifies the
guardians of the group's pupils and the teachers once per revision (``messaging.public.notify``, idempotent per key),
and queues the Office 365 changes in the same transaction: the teachers' occurrence that day is cancelled (cancelled,
or a substitute teaches it) or gets the new room; the substitute gets a single event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from integrations.public import office365_event_put, office365_occurrence_change
from messaging.public import notify
from oas import clock
from oas.access.getters import access_object
from oas.access.principal import Actor
from oas.audit.services import audit_record
from oas.errors import DomainError
from oas.people.models import Employee, PersonRelation, RelationKind
from oas.periods import active_on
from school.public import PlannedLesson, group_pupil_ids
from timetable.models import (
    DAY_NAMES,
    CalendarEntry,
    DayChange,
    Lesson,
    LessonChange,
    Requirement,
    Room,
    TimetableVersion,
    VersionStatus,
)
from timetable.office365 import calendar_entry_remove, lesson_event, restored_single_put, restored_singles
from timetable.selectors import employee_name, lesson_periods, published_version


@dataclass(frozen=True)
class DayChangeInfo:
    """A day change as other apps see it."""

    id: int
    lesson_id: int
    date: dt.date
    cancelled: bool
    room_name: str
    substitute_employee_id: int | None
    revision: int
    changed: bool  # False when recording it again changed nothing


def describe(change: DayChange) -> str:
    """Return the change in Norwegian, e.g. «avlyst», «i rom 204», «vikar: Kari Nordmann»."""
    parts = []
    if change.cancelled:
        parts.append(_("avlyst"))
    else:
        if change.room_id and change.room:
            parts.append(_("i rom %(room)s") % {"room": change.room.name})
        if change.substitute_id and change.substitute:
            parts.append(_("vikar: %(name)s") % {"name": employee_name(change.substitute)})
    if change.note:
        parts.append(change.note)
    return ", ".join(parts)


def _validate(
    *, lesson: Lesson, date: dt.date, cancelled: bool, room_id: int | None, substitute_employee_id: int | None
) -> None:
    version = lesson.version
    if version.status != VersionStatus.PUBLISHED:
        raise DomainError(_("Dagsendringer gjelder bare den publiserte timeplanen."), code="not_published")
    if not version.valid_from <= date <= version.valid_to:
        raise DomainError(_("Datoen er utenfor perioden timeplanen gjelder for."), fields={"date": [_("Utenfor.")]})
    if date.weekday() != lesson.day:
        raise DomainError(
            _("Timen er på %(day)s, ikke på denne datoen.") % {"day": DAY_NAMES[lesson.day]},
            fields={"date": [_("Feil ukedag.")]},
        )
    if not cancelled and room_id is None and substitute_employee_id is None:
        raise DomainError(_("Velg avlysning, nytt rom eller vikar."), code="empty")
    if room_id is not None and not Room.objects.filter(pk=room_id, school_id=version.school_id).exists():
        raise DomainError(_("Rommet finnes ikke på skolen."), fields={"room": [_("Ukjent rom.")]})
    if substitute_employee_id is not None:
        if not Employee.objects.filter(pk=substitute_employee_id, active=True).exists():
            raise DomainError(_("Vikaren finnes ikke."), fields={"substitute": [_("Ukjent ansatt.")]})
        if lesson.requirement.teachers.filter(pk=substitute_employee_id).exists():
            raise DomainError(_("Vikaren har allerede timen."), fields={"substitute": [_("Har timen.")]})


def day_change_record(
    *,
    lesson_id: int,
    date: dt.date,
    cancelled: bool = False,
    room_id: int | None = None,
    substitute_employee_id: int | None = None,
    note: str = "",
    user: Actor | None = None,
) -> DayChangeInfo:
    """Record (or change) a lesson's change on ``date``; with ``user``, they must be allowed to manage the version.

    Without ``user`` it is the system (the substitutes module's jobs). Recording the same again changes nothing and
    notifies no one.
    """
    lesson = Lesson.objects.select_related("version", "requirement__group", "room").get(pk=lesson_id)
    if user is not None:
        access_object(
            user=user, queryset=TimetableVersion.objects.all(), id=lesson.version_id, action="timetable.version.manage"
        )
    _validate(
        lesson=lesson, date=date, cancelled=cancelled, room_id=room_id, substitute_employee_id=substitute_employee_id
    )
    room_id = None if cancelled else room_id
    substitute_employee_id = None if cancelled else substitute_employee_id
    with transaction.atomic():
        now = clock.now()
        change = DayChange.objects.select_for_update().filter(lesson=lesson, date=date).first()
        before_substitute = change.substitute_id if change else None
        was_absent = bool(change and (change.cancelled or change.substitute_id))
        if change is not None and (change.cancelled, change.room_id, change.substitute_id, change.note) == (
            cancelled,
            room_id,
            substitute_employee_id,
            note,
        ):
            return _info(change, changed=False)
        if change is None:
            change = DayChange(lesson=lesson, date=date, created_at=now, created_by_user_id=getattr(user, "pk", None))
        else:
            change.revision += 1
        change.cancelled, change.room_id, change.substitute_id, change.note = (
            cancelled,
            room_id,
            substitute_employee_id,
            note,
        )
        change.updated_at = now
        change.save()
        change = DayChange.objects.select_related("room", "substitute__person", "lesson__requirement__group").get(
            pk=change.pk
        )
        audit_record(
            action="update",
            event="timetable.daychange.record",
            object_type="timetable.DayChange",
            object_id=change.pk,
            details={"lesson": lesson.pk, "date": date.isoformat(), "revision": change.revision},
        )
        _office365(change=change, lesson=lesson, before_substitute=before_substitute, was_absent=was_absent)
        _notify(change=change, lesson=lesson)
    return _info(change, changed=True)


def _info(change: DayChange, *, changed: bool) -> DayChangeInfo:
    return DayChangeInfo(
        id=change.pk,
        lesson_id=change.lesson_id,
        date=change.date,
        cancelled=change.cancelled,
        room_name=change.room.name if change.room_id and change.room else "",
        substitute_employee_id=change.substitute_id,
        revision=change.revision,
        changed=changed,
    )


def _office365(*, change: DayChange, lesson: Lesson, before_substitute: int | None, was_absent: bool) -> None:
    """Queue the calendar changes of this revision (occurrences of the teachers' series, the substitute's event)."""
    absent = change.cancelled or bool(change.substitute_id)
    _teachers_day(
        lesson=lesson,
        date=change.date,
        was_absent=was_absent,
        absent=absent,
        room_name=change.room.name if change.room_id and change.room else None,
        change_key=f"{change.pk}:r{change.revision}",
    )
    # The substitute's own event on the day (removed when the substitute changes or the lesson is cancelled).
    single = CalendarEntry.objects.filter(day_change=change, active=True).first()
    if single is not None and (change.substitute_id != single.teacher_id or change.cancelled):
        calendar_entry_remove(entry=single)
        single = None
    substitute = change.substitute
    if substitute is None or not substitute.entra_object_id or (before_substitute == substitute.pk and single):
        return
    periods = lesson_periods(version=lesson.version)
    positions = [p.position for p in periods]
    if lesson.position not in positions:
        return
    first = positions.index(lesson.position)
    covered = periods[first : first + lesson.length]
    room = change.room or lesson.room
    event = lesson_event(
        lesson=lesson,
        start=dt.datetime.combine(change.date, covered[0].start_time),
        end=dt.datetime.combine(change.date, covered[-1].end_time),
        room_name=room.name if room else "",
        note=_("Vikartime fra OAS."),
        until=None,
    )
    entry = CalendarEntry.objects.create(
        school_id=lesson.version.school_id,
        teacher=substitute,
        microsoft_user=substitute.entra_object_id,
        group_id=lesson.requirement.group_id,
        subject_code=lesson.requirement.subject_code,
        day=lesson.day,
        position=lesson.position,
        date=change.date,
        day_change=change,
        lesson=lesson,
        event=event,
        updated_at=clock.now(),
    )
    office365_event_put(key=entry.key, user=entry.microsoft_user, revision=entry.revision, event=event)


def _teachers_day(
    *, lesson: Lesson, date: dt.date, was_absent: bool, absent: bool, room_name: str | None, change_key: str
) -> None:
    """Make each teacher's calendar show the lesson on ``date`` as absent (cancelled, or a substitute takes it), in
    ``room_name``, or as planned (``room_name`` None, not absent).

    A cancelled occurrence cannot be brought back in Graph: a lesson that is there again after its occurrence was
    cancelled gets a single event (``office365.restored_single_put``), removed again when it is absent once more.
    """
    for entry in CalendarEntry.objects.filter(lesson=lesson, active=True, date__isnull=True):
        singles = restored_singles(lesson_id=lesson.pk, date=date, teacher_id=entry.teacher_id)
        key = f"{change_key}:{entry.pk}"
        if absent:
            for single in singles:
                calendar_entry_remove(entry=single)
            if not was_absent and not singles:
                office365_occurrence_change(
                    series_key=entry.key, user=entry.microsoft_user, day=date, change_key=key, cancel=True
                )
        elif date.isoformat() in entry.hidden_dates:
            continue  # a published variant applies that day: the lesson is not in the calendar then
        elif singles or was_absent:
            restored_single_put(series=entry, lesson=lesson, date=date, room_name=room_name)
        else:
            planned = lesson.room.name if lesson.room else ""
            office365_occurrence_change(
                series_key=entry.key,
                user=entry.microsoft_user,
                day=date,
                change_key=key,
                cancel=False,
                changes={"location": {"displayName": room_name if room_name is not None else planned}},
            )


def day_change_withdraw(*, lesson_id: int, date: dt.date, user: Actor | None = None) -> DayChangeInfo:
    """Withdraw the lesson's change on ``date``: the lesson goes as planned again that day.

    With ``user`` they must be allowed to manage the version (as for recording it); without, it is the system. The
    people told of the change are told of the withdrawal once; Office 365 shows the lesson as planned again (the
    substitute's event removed); who withdrew what and when is kept as a ``LessonChange`` and in the audit log.
    """
    lesson = Lesson.objects.select_related("version", "requirement__group", "room").get(pk=lesson_id)
    if user is not None:
        access_object(
            user=user, queryset=TimetableVersion.objects.all(), id=lesson.version_id, action="timetable.version.manage"
        )
    with transaction.atomic():
        change = (
            DayChange.objects.select_for_update(of=("self",))
            .select_related("room", "substitute__person", "needs_attention_version")
            .filter(lesson=lesson, date=date)
            .first()
        )
        if change is None:
            raise DomainError(_("Timen har ingen dagsendring denne dagen (den kan være trukket tilbake)."), code="none")
        if lesson.version.status != VersionStatus.PUBLISHED and change.needs_attention_version_id is None:
            raise DomainError(_("Dagsendringer gjelder bare den publiserte timeplanen."), code="not_published")
        if date < clock.today():
            raise DomainError(
                _("Dagen er passert; en dagsendring for en dag som har vært, kan ikke trekkes tilbake."), code="past"
            )
        info = _info(change, changed=True)
        before = {
            "date": date.isoformat(),
            "cancelled": change.cancelled,
            "room": change.room_id,
            "substitute": change.substitute_id,
            "note": change.note,
            "revision": change.revision,
            "recorded_by": change.created_by_user_id,
        }
        if change.needs_attention_version_id is None:
            _teachers_day(
                lesson=lesson,
                date=date,
                was_absent=change.cancelled or bool(change.substitute_id),
                absent=False,
                room_name=None,
                change_key=f"{change.pk}:withdrawn",
            )
        for single in CalendarEntry.objects.filter(day_change=change, active=True):
            calendar_entry_remove(entry=single)
        _notify_withdrawn(change=change, lesson=lesson)
        LessonChange.objects.create(
            version=lesson.version,
            lesson=lesson,
            action="daychange_withdraw",
            before=before,
            after={},
            user_id=getattr(user, "pk", None),
            at=clock.now(),
        )
        audit_record(
            action="delete",
            event="timetable.daychange.withdraw",
            person_ids=sorted(set(change.notified_staff_ids)),
            object_type="timetable.DayChange",
            object_id=change.pk,
            details={"lesson": lesson.pk, **before},
        )
        change.delete()
    return info


def _notify_withdrawn(*, change: DayChange, lesson: Lesson) -> None:
    """Tell those who were told of the change (any revision) that it is withdrawn, once."""
    req = lesson.requirement
    if not change.notified_guardian_ids and not change.notified_staff_ids:
        # Recorded before OAS kept who was told: tell those it would tell now.
        guardians, staff = _audience(change=change, lesson=lesson)
        change.notified_guardian_ids, change.notified_staff_ids = sorted(guardians), sorted(staff)
    title = _("Endringen er trukket tilbake %(date)s: %(subject)s (%(group)s) går som planlagt") % {
        "date": date_format(change.date, "l j. F"),
        "subject": req.subject_name,
        "group": req.group.name,
    }
    if change.notified_guardian_ids:
        notify(
            person_ids=sorted(set(change.notified_guardian_ids)),
            key=f"timetable.daychange:{change.pk}:withdrawn:guardians",
            title=title,
            url=reverse("timetable:portal"),
            unit_id=lesson.version.school_id,
        )
    if change.notified_staff_ids:
        notify(
            person_ids=sorted(set(change.notified_staff_ids)),
            key=f"timetable.daychange:{change.pk}:withdrawn:staff",
            title=title,
            url=reverse("timetable:mine"),
            staff=True,
        )


def _audience(*, change: DayChange, lesson: Lesson) -> tuple[set[int], set[int]]:
    """Return who is told of the change: the guardians of the group's pupils, and the teachers and substitute."""
    req = lesson.requirement
    pupils = group_pupil_ids(group_id=req.group_id, day=change.date)
    guardians = set(
        PersonRelation.objects.filter(
            active_on(change.date), child_id__in=pupils, kind=RelationKind.GUARDIAN
        ).values_list("adult_id", flat=True)
    )
    staff = set(req.teachers.values_list("person_id", flat=True))
    if change.substitute_id and change.substitute:
        staff.add(change.substitute.person_id)
    return guardians, staff


def _notify(*, change: DayChange, lesson: Lesson) -> None:
    """Tell the guardians of the group's pupils and the teachers (and the substitute), once per revision."""
    req = lesson.requirement
    guardians, staff = _audience(change=change, lesson=lesson)
    title = _("Endring i timeplanen %(date)s: %(subject)s (%(group)s) %(what)s") % {
        "date": date_format(change.date, "l j. F"),
        "subject": req.subject_name,
        "group": req.group.name,
        "what": describe(change),
    }
    if guardians:
        notify(
            person_ids=sorted(guardians),
            key=f"timetable.daychange:{change.pk}:r{change.revision}:guardians",
            title=title,
            url=reverse("timetable:portal"),
            unit_id=lesson.version.school_id,
        )
    if staff:
        notify(
            person_ids=sorted(staff),
            key=f"timetable.daychange:{change.pk}:r{change.revision}:staff",
            title=title,
            url=reverse("timetable:mine"),
            staff=True,
        )
    change.notified_guardian_ids = sorted(set(change.notified_guardian_ids) | guardians)
    change.notified_staff_ids = sorted(set(change.notified_staff_ids) | staff)
    change.save(update_fields=["notified_guardian_ids", "notified_staff_ids"])


def day_changes_for(*, lesson_ids: list[int], start: dt.date, end: dt.date) -> dict[tuple[int, dt.date], DayChange]:
    """Return the day changes of ``lesson_ids`` between ``start`` and ``end`` (inclusive), by (lesson, date)."""
    rows = DayChange.objects.filter(lesson_id__in=lesson_ids, date__gte=start, date__lte=end).select_related(
        "room", "substitute__person"
    )
    return {(c.lesson_id, c.date): c for c in rows}


def substitute_lessons(*, employee_id: int, start: dt.date, end: dt.date) -> list[DayChange]:
    """Return the lessons ``employee_id`` takes as a substitute between ``start`` and ``end``."""
    return list(
        DayChange.objects.filter(substitute_id=employee_id, cancelled=False, date__gte=start, date__lte=end)
        .select_related("lesson__requirement__group", "lesson__version", "room", "lesson__room")
        .order_by("date", "lesson__position")
    )


@dataclass(frozen=True)
class ChangeRow:
    """A day change as a page lists it."""

    date: dt.date
    lesson: Lesson
    text: str
    cancelled: bool
    substitute_for_me: bool = False


def changes_for_display(
    *, lessons: list[Lesson], today: dt.date, days: int = 14, substitute_id: int | None = None
) -> list[ChangeRow]:
    """Return the changes to ``lessons`` from ``today`` for ``days`` days (and, with ``substitute_id``, the lessons
    that employee takes as a substitute); the lessons of this week carry theirs as ``lesson.day_change_text``."""
    end = today + dt.timedelta(days=days - 1)
    monday = today - dt.timedelta(days=today.weekday())
    found = day_changes_for(lesson_ids=[lsn.pk for lsn in lessons], start=min(monday, today), end=end)
    by_id = {lsn.pk: lsn for lsn in lessons}
    rows = []
    for (lesson_id, date), change in sorted(found.items(), key=lambda item: (item[0][1], by_id[item[0][0]].position)):
        lesson = by_id[lesson_id]
        text = describe(change)
        if date == monday + dt.timedelta(days=lesson.day):
            lesson.day_change_text = text  # type: ignore[attr-defined]
            lesson.day_change_cancelled = change.cancelled  # type: ignore[attr-defined]
        if date >= today:
            rows.append(ChangeRow(date=date, lesson=lesson, text=text, cancelled=change.cancelled))
    if substitute_id is not None:
        rows.extend(
            ChangeRow(date=c.date, lesson=c.lesson, text=describe(c), cancelled=False, substitute_for_me=True)
            for c in substitute_lessons(employee_id=substitute_id, start=today, end=end)
        )
    return sorted(rows, key=lambda r: (r.date, r.lesson.position))


def lessons_on(group_ids: list[int], day: dt.date) -> dict[int, list[PlannedLesson]]:
    """Return, per class or teaching group among ``group_ids`` that a published timetable covers on ``day``, its
    lessons that day with that day's changes (cancelled, another room, a substitute); an empty list when the
    timetable has no lessons for it that day, and a group without a published timetable is left out.

    A class also has the lessons of the class requirements it is among (``classes``). Lesson numbers count the day's
    lesson periods from 1 (breaks not counted); a double lesson is one lesson with its first and last number that
    ends when its last period ends. Registered as school's lessons reader (attendance per lesson and the "lesson not
    registered" task).
    """
    wanted = set(group_ids)
    if not wanted:
        return {}
    covering = (
        Requirement.objects.filter(
            Q(group_id__in=wanted) | Q(classes__in=wanted),
            version__status=VersionStatus.PUBLISHED,
            version__valid_from__lte=day,
            version__valid_to__gte=day,
        )
        .values_list("group_id", "classes", "version__school_id")
        .distinct()
    )
    schools: dict[int, set[int]] = {}
    for group_id, class_id, school_id in covering:
        for gid in {group_id, class_id} & wanted:
            schools.setdefault(gid, set()).add(school_id)
    versions: dict[int, TimetableVersion | None] = {}
    groups_of: dict[int, list[int]] = {}  # version id → the groups it applies to
    by_id: dict[int, TimetableVersion] = {}
    for gid, school_ids in schools.items():
        for school_id in sorted(school_ids):
            if school_id not in versions:
                versions[school_id] = published_version(school_id=school_id, day=day)
            version = versions[school_id]
            if version is not None:
                by_id[version.pk] = version
                groups_of.setdefault(version.pk, []).append(gid)
                break
    out: dict[int, list[PlannedLesson]] = {}
    for version_id, gids in groups_of.items():
        for gid in gids:
            out[gid] = []
        out.update(_version_lessons(version=by_id[version_id], group_ids=gids, day=day))
    return out


def _version_lessons(
    *, version: TimetableVersion, group_ids: list[int], day: dt.date
) -> dict[int, list[PlannedLesson]]:
    lessons = list(
        Lesson.objects.filter(version=version, day=day.weekday())
        .filter(
            Q(requirement__group_id__in=group_ids)
            | Q(requirement__classes__in=group_ids, requirement__group__kind="class")
        )
        .distinct()
        .select_related("requirement", "room")
        .order_by("position")
    )
    # The classes (among group_ids) of the class requirements: a class has the lessons of those it is among.
    among: dict[int, set[int]] = {}
    for requirement_id, class_id in Requirement.classes.through.objects.filter(
        requirement_id__in={lsn.requirement_id for lsn in lessons},
        orgunit_id__in=group_ids,
        requirement__group__kind="class",
    ).values_list("requirement_id", "orgunit_id"):
        among.setdefault(requirement_id, set()).add(class_id)
    periods = lesson_periods(version=version)
    positions = [p.position for p in periods]
    changes = day_changes_for(lesson_ids=[lsn.pk for lsn in lessons], start=day, end=day)
    out: dict[int, list[PlannedLesson]] = {}
    for lsn in lessons:
        if lsn.position not in positions:
            continue
        first = positions.index(lsn.position)
        last = min(first + max(lsn.length, 1), len(periods)) - 1
        change = changes.get((lsn.pk, day))
        room = change.room if change and change.room_id else lsn.room
        owners = ({lsn.requirement.group_id} & set(group_ids)) | among.get(lsn.requirement_id, set())
        for gid in sorted(owners):
            out.setdefault(gid, []).append(
                PlannedLesson(
                    group_id=gid,
                    number=first + 1,
                    last=last + 1,
                    start=periods[first].start_time,
                    end=periods[last].end_time,
                    subject=lsn.requirement.subject_name,
                    room=room.name if room else "",
                    cancelled=bool(change and change.cancelled),
                    change=describe(change) if change else "",
                )
            )
    return out


# --- A new version replaces the old: its day changes follow the lessons ---------------------------------------


def _match_key(lesson: Lesson) -> tuple[int, str, frozenset[int], int, int]:
    req = lesson.requirement
    return (req.group_id, req.subject_code, frozenset(t.pk for t in req.teachers.all()), lesson.day, lesson.position)


def day_changes_carry(*, version: TimetableVersion, replaced_ids: list[int]) -> list[DayChange]:
    """Move the day changes from today on of the replaced versions' lessons to the matching lessons of ``version``
    (same group, subject, teachers, day and period); those without a match are marked for the office to follow up
    (``needs_attention_version``), never dropped. Returns the carried changes (in the publishing transaction)."""
    start = max(clock.today(), version.valid_from)
    changes = list(
        DayChange.objects.select_for_update(of=("self",))
        .filter(lesson__version_id__in=replaced_ids, date__gte=start, date__lte=version.valid_to)
        .select_related("lesson__requirement", "room")
        .prefetch_related("lesson__requirement__teachers")
        .order_by("date", "pk")
    )
    if not changes:
        return []
    new_lessons = Lesson.objects.filter(version=version).select_related("requirement")
    index = {_match_key(lsn): lsn for lsn in new_lessons.prefetch_related("requirement__teachers")}
    taken = set(DayChange.objects.filter(lesson__version=version).values_list("lesson_id", "date"))
    carried: list[DayChange] = []
    for change in changes:
        old_lesson = change.lesson
        match = index.get(_match_key(old_lesson))
        if match is None or (match.pk, change.date) in taken:
            change.needs_attention_version = version
            change.save(update_fields=["needs_attention_version"])
            event = "timetable.daychange.needs_attention"
        else:
            CalendarEntry.objects.filter(lesson=old_lesson, date=change.date).update(lesson=match)
            change.lesson, change.needs_attention_version = match, None
            change.save(update_fields=["lesson", "needs_attention_version"])
            taken.add((match.pk, change.date))
            carried.append(change)
            event = "timetable.daychange.carry"
        audit_record(
            action="update",
            event=event,
            object_type="timetable.DayChange",
            object_id=change.pk,
            details={"from_lesson": old_lesson.pk, "to_lesson": change.lesson_id, "version": version.pk},
        )
    return carried


def day_changes_carried_calendar(*, changes: list[DayChange], version: TimetableVersion) -> None:
    """Queue the carried changes' calendar occurrences again on the new lessons' series (after the calendar sync)."""
    for change in changes:
        lesson = Lesson.objects.select_related("version", "requirement__group", "room").get(pk=change.lesson_id)
        _teachers_day(
            lesson=lesson,
            date=change.date,
            was_absent=False,
            absent=change.cancelled or bool(change.substitute_id),
            room_name=change.room.name if change.room_id and change.room else None,
            change_key=f"{change.pk}:carried:{version.pk}",
        )


def day_changes_to_follow_up(*, version: TimetableVersion) -> list[DayChange]:
    """Return the day changes (from today) that publishing ``version`` could not carry to a lesson of it."""
    return list(
        DayChange.objects.filter(needs_attention_version=version, date__gte=clock.today())
        .select_related("lesson__requirement__group", "room", "substitute__person")
        .order_by("date", "lesson__position")
    )
