"""Reads of the timetable domain: versions, the week, the solver's view of a version, grids, clashes."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from oas.access.evaluation import access_queryset
from oas.people.models import Employee, Person
from school.public import pupil_group_ids
from timetable.models import (
    DAY_NAMES,
    Lesson,
    Period,
    PeriodKind,
    Requirement,
    Room,
    RoomKind,
    TimetableVersion,
    Unavailability,
    VersionStatus,
)
from timetable.solver import Problem, SReq

NO_GAP_LAST_GRADE = 7


def lesson_periods(*, version: TimetableVersion) -> list[Period]:
    """Return the version's lesson periods in order (the solver's period index is the list index)."""
    return list(version.periods.filter(kind=PeriodKind.LESSON).order_by("position"))


def day_names(*, version: TimetableVersion) -> list[str]:
    """Return the names of the version's school days."""
    return [str(name) for name in DAY_NAMES[: version.days_per_week]]


def versions_for_school(*, school_id: int) -> QuerySet[TimetableVersion]:
    """Return the school's timetable versions, newest first."""
    return TimetableVersion.objects.filter(school_id=school_id).order_by("-valid_from", "-pk")


def versions_for_user(*, user: Any, action: str = "timetable.version.read") -> QuerySet[TimetableVersion]:
    """Return the versions the user may see (filtered in the database)."""
    return access_queryset(user=user, action=action, queryset=TimetableVersion.objects.select_related("school"))


def published_version(*, school_id: int, day: dt.date) -> TimetableVersion | None:
    """Return the timetable that applies at the school on ``day``: a published variant first, then the main one."""
    qs = TimetableVersion.objects.filter(
        school_id=school_id, status=VersionStatus.PUBLISHED, valid_from__lte=day, valid_to__gte=day
    )
    return qs.order_by("-is_variant", "-published_at").first()


def employee_name(employee: Employee) -> str:
    return f"{employee.person.first_name} {employee.person.last_name}"


@dataclass
class SolverInput:
    problem: Problem
    periods: list[Period]
    requirements: dict[int, Requirement]
    teachers: dict[int, Employee]
    fixed_lessons: list[Lesson] = field(default_factory=list)


def version_requirements(*, version: TimetableVersion) -> list[Requirement]:
    """Return the version's requirements with group, classes, teachers and block (few queries)."""
    return list(version.requirements.select_related("group", "block").prefetch_related("classes", "teachers__person"))


def solver_input(*, version: TimetableVersion) -> SolverInput:  # noqa: PLR0912 - one mapping
    """Build the solver's ``Problem`` from a version (locked lessons become fixed lessons)."""
    periods = lesson_periods(version=version)
    index_of = {p.position: i for i, p in enumerate(periods)}
    requirements = version_requirements(version=version)
    teachers: dict[int, Employee] = {}
    sreqs = []
    no_gap: set[int] = set()
    for req in requirements:
        class_ids = tuple(sorted(c.pk for c in req.classes.all())) or (req.group_id,)
        for klass in req.classes.all():
            if klass.grade is not None and klass.grade <= NO_GAP_LAST_GRADE:
                no_gap.add(klass.pk)
        for teacher in req.teachers.all():
            teachers[teacher.pk] = teacher
        sreqs.append(
            SReq(
                id=req.pk,
                lengths=tuple(req.lengths),
                teachers=tuple(sorted(t.pk for t in req.teachers.all())),
                classes=class_ids,
                room_kind=req.room_kind if req.room_kind != RoomKind.CLASSROOM else "",
                max_per_day=req.max_per_day,
                block=req.block_id,
            )
        )
    unavailable: dict[int, set[tuple[int, int]]] = defaultdict(set)
    room_off: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for row in Unavailability.objects.filter(version=version):
        slots = (
            {(row.day, index_of[row.position])}
            if row.position is not None and row.position in index_of
            else {(row.day, i) for i in range(len(periods))}
        )
        if row.teacher_id:
            unavailable[row.teacher_id] |= slots
        elif row.room_id:
            room_off[row.room_id] |= slots
    capacity: dict[str, dict[tuple[int, int], int]] = {}
    for room in Room.objects.filter(school_id=version.school_id).exclude(kind=RoomKind.CLASSROOM):
        by_slot = capacity.setdefault(room.kind, {})
        for d in range(version.days_per_week):
            for i in range(len(periods)):
                if (d, i) not in room_off[room.pk]:
                    by_slot[(d, i)] = by_slot.get((d, i), 0) + 1
    # A room type nobody has still limits the lessons that need it: zero everywhere.
    for req in requirements:
        if req.room_kind and req.room_kind != RoomKind.CLASSROOM:
            capacity.setdefault(req.room_kind, {})
    locked = list(version.lessons.filter(locked=True).order_by("pk"))
    fixed = [(lsn.requirement_id, lsn.day, index_of.get(lsn.position, -1), lsn.length) for lsn in locked]
    frames = {f.teacher_id: f for f in version.frames.all()}
    problem = Problem(
        days=version.days_per_week,
        periods=len(periods),
        requirements=sreqs,
        late_periods=frozenset(i for i, p in enumerate(periods) if p.late),
        no_gap_classes=frozenset(no_gap),
        teacher_unavailable=dict(unavailable),
        room_capacity=capacity,
        fixed=fixed,
        preferred_free_day={t: f.preferred_free_day for t, f in frames.items() if f.preferred_free_day is not None},
        weight_teacher_gaps=version.weight_teacher_gaps,
        weight_spread=version.weight_spread,
        weight_late=version.weight_late,
        weight_free_day=version.weight_free_day,
    )
    return SolverInput(
        problem=problem,
        periods=periods,
        requirements={r.pk: r for r in requirements},
        teachers=teachers,
        fixed_lessons=locked,
    )


def version_lessons(
    *, version: TimetableVersion, class_id: int | None = None, teacher_id: int | None = None, room_id: int | None = None
) -> list[Lesson]:
    """Return the version's lessons, optionally for one class (or group), teacher or room."""
    qs = Lesson.objects.filter(version=version).select_related("requirement__group", "room")
    if class_id is not None:
        qs = qs.filter(Q(requirement__classes=class_id) | Q(requirement__group_id=class_id))
    if teacher_id is not None:
        qs = qs.filter(requirement__teachers=teacher_id)
    if room_id is not None:
        qs = qs.filter(room_id=room_id)
    return list(qs.distinct().prefetch_related("requirement__teachers__person").order_by("day", "position"))


def lessons_for_groups(*, version: TimetableVersion, group_ids: list[int]) -> list[Lesson]:
    """Return the lessons of any of ``group_ids`` (a pupil's class and teaching groups)."""
    qs = Lesson.objects.filter(version=version).filter(
        Q(requirement__group_id__in=group_ids) | Q(requirement__classes__in=group_ids, requirement__group__kind="class")
    )
    return list(
        qs.distinct()
        .select_related("requirement__group", "room")
        .prefetch_related("requirement__teachers__person")
        .order_by("day", "position")
    )


@dataclass(frozen=True)
class GridCell:
    lessons: list[Lesson]


def grid(*, version: TimetableVersion, lessons: list[Lesson]) -> list[dict[str, Any]]:
    """Return rows (one per period, breaks included) with one cell per day for a week grid."""
    periods = list(version.periods.order_by("position"))
    lesson_positions = [p.position for p in periods if p.kind == PeriodKind.LESSON]
    covering: dict[tuple[int, int], list[Lesson]] = defaultdict(list)
    for lesson in lessons:
        if lesson.position not in lesson_positions:
            continue
        start = lesson_positions.index(lesson.position)
        for pos in lesson_positions[start : start + lesson.length]:
            covering[(lesson.day, pos)].append(lesson)
    return [
        {
            "period": p,
            "cells": [covering.get((d, p.position), []) for d in range(version.days_per_week)],
        }
        for p in periods
    ]


def lesson_clashes(*, lesson: Lesson, day: int, position: int, ignore: tuple[int, ...] = ()) -> list[str]:
    """Return, in Norwegian, what would clash if ``lesson`` started at (day, position); empty when it fits."""
    version = lesson.version
    periods = lesson_periods(version=version)
    positions = [p.position for p in periods]
    problems: list[str] = []
    if position not in positions or not 0 <= day < version.days_per_week:
        return [_("Tidspunktet finnes ikke i uken.")]
    start = positions.index(position)
    covered = positions[start : start + lesson.length]
    if len(covered) < lesson.length:
        return [_("Timen går ut over slutten av dagen.")]
    req = lesson.requirement
    teacher_ids = set(req.teachers.values_list("pk", flat=True))
    class_ids = set(req.classes.values_list("pk", flat=True)) | {req.group_id}
    others = (
        Lesson.objects.filter(version=version, day=day)
        .exclude(pk__in=(lesson.pk, *ignore))
        .select_related("requirement__group", "room")
        .prefetch_related("requirement__teachers__person", "requirement__classes")
    )
    day_name = str(DAY_NAMES[day])
    for other in others:
        o_start = positions.index(other.position) if other.position in positions else -1
        o_covered = set(positions[o_start : o_start + other.length]) if o_start >= 0 else set()
        if not o_covered & set(covered):
            continue
        o_req = other.requirement
        if req.block_id is not None and o_req.block_id == req.block_id:
            continue
        label = f"{o_req.group.name} {o_req.subject_name}"
        problems.extend(
            _("%(name)s har %(lesson)s %(day)s da.") % {"name": employee_name(t), "lesson": label, "day": day_name}
            for t in o_req.teachers.all()
            if t.pk in teacher_ids
        )
        o_classes = {c.pk for c in o_req.classes.all()} | {o_req.group_id}
        if o_classes & class_ids:
            problems.append(_("Elevene har allerede %(lesson)s %(day)s da.") % {"lesson": label, "day": day_name})
        if lesson.room_id and other.room_id == lesson.room_id:
            problems.append(
                _("Rommet %(room)s er opptatt av %(lesson)s %(day)s da.")
                % {"room": lesson.room, "lesson": label, "day": day_name}
            )
    off = Unavailability.objects.filter(version=version, day=day, teacher_id__in=teacher_ids).filter(
        Q(position__isnull=True) | Q(position__in=covered)
    )
    problems.extend(
        _("%(name)s er ikke tilgjengelig %(day)s da.")
        % {"name": employee_name(row.teacher) if row.teacher else "", "day": day_name}
        for row in off.select_related("teacher__person")
    )
    return list(dict.fromkeys(problems))


def teacher_for_user(*, user: Any) -> Employee | None:
    """Return the employee behind a staff account, if any."""
    account = getattr(user, "account", None)
    employee_id = getattr(account, "employee_id", None)
    return Employee.objects.filter(pk=employee_id).select_related("person").first() if employee_id else None


def teacher_person_ids(*, lessons: list[Lesson]) -> list[int]:
    """Return the person ids of the teachers of ``lessons`` (for the audit log)."""
    return sorted({t.person_id for lsn in lessons for t in lsn.requirement.teachers.all()})


def persons_by_ids(ids: list[int]) -> dict[int, Person]:
    return {p.pk: p for p in Person.objects.filter(pk__in=ids)}


def published_versions_for_teacher(*, teacher_id: int, day: dt.date) -> list[TimetableVersion]:
    """Return the published timetables that apply on ``day`` at the schools where the teacher has lessons."""
    schools = (
        Requirement.objects.filter(
            teachers=teacher_id,
            version__status=VersionStatus.PUBLISHED,
            version__valid_from__lte=day,
            version__valid_to__gte=day,
        )
        .values_list("version__school_id", flat=True)
        .distinct()
    )
    out = []
    for school_id in sorted(set(schools)):
        version = published_version(school_id=school_id, day=day)
        if version is not None:
            out.append(version)
    return out


def child_week(*, child_id: int, day: dt.date) -> tuple[TimetableVersion, list[Lesson]] | None:
    """Return the published timetable that applies to the pupil on ``day`` and the pupil's lessons in it."""
    group_ids = pupil_group_ids(pupil_id=child_id, day=day)
    if not group_ids:
        return None
    schools = (
        Requirement.objects.filter(Q(group_id__in=group_ids) | Q(classes__in=group_ids))
        .filter(version__status=VersionStatus.PUBLISHED, version__valid_from__lte=day, version__valid_to__gte=day)
        .values_list("version__school_id", flat=True)
        .distinct()
    )
    for school_id in sorted(set(schools)):
        version = published_version(school_id=school_id, day=day)
        if version is not None:
            return version, lessons_for_groups(version=version, group_ids=group_ids)
    return None


def parallel_block_problems(*, requirements: list[Requirement], block_id: int | None = None) -> list[str]:
    """Return why these requirements cannot form one parallel block (empty when they can), in Norwegian.

    The solver places every member of a block in the same periods, so the members need the same lesson lengths
    (hours a week and double lessons), no teacher in two of them, and no requirement in another block already.
    """
    problems: list[str] = []
    if len(requirements) < 2:
        problems.append(str(_("En blokk må ha minst to grupper som skal ha timer samtidig.")))
    lengths = {(r.hours_per_week, r.double_lessons) for r in requirements}
    if len(lengths) > 1:
        problems.append(
            str(
                _("Timene i en blokk må være like lange: %(members)s.")
                % {
                    "members": "; ".join(
                        _("%(subject)s %(group)s har %(hours)s timer, %(doubles)s dobbelttimer")
                        % {
                            "subject": r.subject_name,
                            "group": r.group.name,
                            "hours": r.hours_per_week,
                            "doubles": r.double_lessons,
                        }
                        for r in requirements
                    )
                }
            )
        )
    seen: dict[int, Requirement] = {}
    for req in requirements:
        for teacher in req.teachers.all():
            other = seen.get(teacher.pk)
            if other is not None:
                problems.append(
                    str(
                        _("%(teacher)s underviser både %(a)s og %(b)s og kan ikke ha dem samtidig.")
                        % {
                            "teacher": employee_name(teacher),
                            "a": f"{other.subject_name} {other.group.name}",
                            "b": f"{req.subject_name} {req.group.name}",
                        }
                    )
                )
            seen[teacher.pk] = req
    problems.extend(
        str(
            _("%(subject)s %(group)s er allerede i blokka %(block)s.")
            % {"subject": req.subject_name, "group": req.group.name, "block": req.block.name}
        )
        for req in requirements
        if req.block_id is not None and req.block_id != block_id and req.block is not None
    )
    return problems
