"""Build a school's timetable from the school's own classes, teaching groups and teachers (demo and benchmarks).

The plan of hours per grade (60-minute periods a week) is a typical Norwegian distribution that meets Udir's
minimums; maths and English go to the school's teaching groups when it has them, the class's core subjects to
its contact teacher, and the practical subjects (gym, music, arts and crafts, food and health) to the least
loaded other teacher, who then keeps the subject across classes as a specialist would.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction

from oas.organisation.models import OrgUnit
from oas.people.models import Employment
from oas.periods import active_on
from school.public import school_year_on, subject_names, timetable_groups
from timetable import services
from timetable.models import (
    ParallelBlock,
    Requirement,
    Room,
    RoomKind,
    RunStatus,
    SolverRun,
    TeacherFrame,
    TimetableVersion,
    VersionStatus,
)

TEACHER_POSITIONS = ("LAERER", "LEKTOR", "SPESPED")
FULL_FRAME_HOURS = 20  # 60-minute teaching hours a week at 100 % (a simplification of the årsramme)
CORE = ("NOR", "SAF", "KRLE", "NAT")

# grade band -> [(subject, hours a week, double lessons, room kind, max a day)]
PLAN: dict[tuple[int, int], list[tuple[str, int, int, str, int]]] = {
    (1, 4): [
        ("NOR", 6, 0, "", 2),
        ("MAT", 4, 0, "", 1),
        ("ENG", 1, 0, "", 1),
        ("NAT", 1, 0, "", 1),
        ("SAF", 1, 0, "", 1),
        ("KRLE", 1, 0, "", 1),
        ("KHV", 2, 1, RoomKind.ART, 2),
        ("MUS", 1, 0, RoomKind.MUSIC, 1),
        ("KRO", 2, 0, RoomKind.GYM, 1),
    ],
    (5, 7): [
        ("NOR", 4, 0, "", 1),
        ("MAT", 3, 0, "", 1),
        ("ENG", 2, 0, "", 1),
        ("NAT", 2, 0, RoomKind.SCIENCE, 1),
        ("SAF", 2, 0, "", 1),
        ("KRLE", 2, 0, "", 1),
        ("KHV", 2, 1, RoomKind.ART, 2),
        ("MUS", 1, 0, RoomKind.MUSIC, 1),
        ("KRO", 2, 0, RoomKind.GYM, 1),
        ("MHE", 1, 0, RoomKind.KITCHEN, 1),
    ],
    (8, 10): [
        ("NOR", 3, 0, "", 1),
        ("MAT", 3, 0, "", 1),
        ("ENG", 2, 0, "", 1),
        ("NAT", 2, 0, RoomKind.SCIENCE, 1),
        ("SAF", 2, 0, "", 1),
        ("KRLE", 1, 0, "", 1),
        ("KHV", 2, 1, RoomKind.ART, 2),
        ("MUS", 1, 0, RoomKind.MUSIC, 1),
        ("KRO", 2, 0, RoomKind.GYM, 1),
        ("MHE", 1, 0, RoomKind.KITCHEN, 1),
        ("FSP", 2, 0, "", 1),
        ("UTV", 1, 0, "", 1),
    ],
}
SPECIAL_ROOMS = (RoomKind.GYM, RoomKind.MUSIC, RoomKind.ART, RoomKind.KITCHEN, RoomKind.SCIENCE)


def plan_for(grade: int) -> list[tuple[str, int, int, str, int]]:
    for (first, last), plan in PLAN.items():
        if first <= grade <= last:
            return plan
    return PLAN[(1, 4)]


def rooms_ensure(*, school: OrgUnit, classes: int) -> None:
    """Give the school a classroom per class and one room of each special type (and a second gym when large)."""
    wanted = [(f"K{i + 1:02d}", f"Klasserom {i + 1}", RoomKind.CLASSROOM) for i in range(classes)]
    labels = {k: str(label) for k, label in RoomKind.choices}
    for kind in SPECIAL_ROOMS:
        count = max(1, (classes + 11) // 12) if kind in (RoomKind.GYM, RoomKind.ART) else max(1, (classes + 17) // 18)
        wanted += [
            (f"{kind.upper()}{i + 1}", f"{labels[kind]} {i + 1}" if count > 1 else labels[kind], kind)
            for i in range(count)
        ]
    existing = set(Room.objects.filter(school=school).values_list("code", flat=True))
    Room.objects.bulk_create(
        [Room(school=school, code=code, name=name, kind=kind) for code, name, kind in wanted if code not in existing]
    )


@transaction.atomic
def demo_version_build(  # noqa: PLR0912, PLR0915 - one plan
    *, school: OrgUnit, day: dt.date, user: Any = None, new_draft: bool = False
) -> TimetableVersion:
    """Create (once) the school year's draft with rooms, frames and requirements from the school's groups.

    ``new_draft`` (the school page's button): a draft to work on — the open draft if there is one, else a new one
    beside the published timetable (the seed's call returns the year's version, whatever its status).
    """
    year = school_year_on(municipality_id=school.municipality_id, day=day)
    start, end = (year.start_date, year.end_date) if year else (day, day + dt.timedelta(days=300))
    name = f"Timeplan {year.name}" if year else "Timeplan"
    versions = TimetableVersion.objects.filter(school=school, name__startswith=name, is_variant=False).order_by("pk")
    existing = versions.filter(name=name).first()
    if new_draft:
        draft = versions.filter(status=VersionStatus.DRAFT).last()
        if draft is not None:
            return draft
        if existing is not None:
            name = f"{name} (utkast {versions.count() + 1})"
    elif existing is not None:
        return existing
    version = services.version_create(
        school_id=school.pk,
        name=name,
        valid_from=start,
        valid_to=end,
        school_year_id=year.id if year else 0,
        school_year_name=year.name if year else "",
        user=user,
    )
    groups = timetable_groups(school_id=school.pk, day=day)
    classes = [g for g in groups if g.kind == "class"]
    rooms_ensure(school=school, classes=len(classes))
    names = subject_names()
    employments = (
        Employment.objects.filter(active_on(day), unit=school, position_code__in=TEACHER_POSITIONS)
        .order_by("employee__employee_number")
        .values_list("employee_id", "percentage")
    )
    frame: dict[int, int] = {}
    for employee_id, percentage in employments:
        frame[employee_id] = max(frame.get(employee_id, 0), round(float(percentage) * FULL_FRAME_HOURS / 100))
    TeacherFrame.objects.bulk_create(
        [
            TeacherFrame(
                version=version, teacher_id=t, position_percent=round(hours * 100 / FULL_FRAME_HOURS), frame_hours=hours
            )
            for t, hours in frame.items()
        ]
    )
    load: dict[int, int] = defaultdict(int)
    specialist: dict[str, int] = {}
    by_subject_class: dict[tuple[str, int], Any] = {}
    for g in groups:
        if g.kind != "class":
            for class_id in g.class_ids:
                by_subject_class[(g.subject_code, class_id)] = g
    done_groups: set[int] = set()
    blocks: dict[int, ParallelBlock] = {}

    def least_loaded(exclude: set[int]) -> int | None:
        candidates = [t for t in frame if t not in exclude] or list(frame)
        if not candidates:
            return None
        return min(candidates, key=lambda t: (load[t] / max(frame[t], 1), t))

    for klass in sorted(classes, key=lambda c: (c.grade or 0, c.name)):
        grade = klass.grade or 1
        contact = klass.teacher_employee_ids[0] if klass.teacher_employee_ids else None
        for code, hours, doubles, room_kind, per_day in plan_for(grade):
            group = by_subject_class.get((code, klass.id))
            if group is not None:
                if group.id in done_groups:
                    continue
                done_groups.add(group.id)
                teachers = list(group.teacher_employee_ids) or [t for t in [least_loaded(set())] if t]
                target, class_ids = group.id, list(group.class_ids) or [klass.id]
            else:
                if (
                    code in CORE
                    and contact is not None
                    and load[contact] + hours <= frame.get(contact, FULL_FRAME_HOURS)
                ):
                    teacher = contact
                elif code in specialist and load[specialist[code]] + hours <= frame.get(specialist[code], 0):
                    teacher = specialist[code]
                else:
                    chosen = least_loaded({contact} if contact else set())
                    if chosen is None:
                        continue
                    teacher = chosen
                    if code not in CORE:
                        specialist[code] = teacher
                teachers, target, class_ids = [teacher], klass.id, [klass.id]
            req = Requirement.objects.create(
                version=version,
                subject_code=code,
                subject_name=names.get(code, code),
                group_id=target,
                hours_per_week=hours,
                double_lessons=doubles,
                max_per_day=per_day,
                room_kind=room_kind,
                block=_block(blocks, version, grade) if code == "FSP" else None,
            )
            req.classes.set(class_ids)
            req.teachers.set(teachers)
            for t in teachers:
                load[t] += hours
    return version


def _block(blocks: dict[int, ParallelBlock], version: TimetableVersion, grade: int) -> ParallelBlock:
    if grade not in blocks:
        blocks[grade] = ParallelBlock.objects.create(version=version, name=f"{grade}. trinn fremmedspråk")
    return blocks[grade]


def demo_timetable_publish(
    *, school: OrgUnit, day: dt.date, seed: int = 0, seconds: int = 30, feasible_only: bool = False
) -> TimetableVersion:
    """Build, generate (synchronously) and publish the school's demo timetable; idempotent.

    ``feasible_only`` sets the soft weights to zero, so the first timetable without violations ends the run (tests).
    """
    version = demo_version_build(school=school, day=day)
    if version.status != "draft" or version.lessons.exists():
        return version
    if feasible_only:
        version.weight_teacher_gaps = version.weight_spread = version.weight_late = version.weight_free_day = 0
        version.save(update_fields=["weight_teacher_gaps", "weight_spread", "weight_late", "weight_free_day"])
    run = SolverRun.objects.create(
        version=version, seed=seed, time_limit_seconds=seconds, created_at=version.created_at
    )
    run = services.run_execute(run_id=run.pk) or run
    if run.status == RunStatus.DONE:
        return services.version_publish(version_id=version.pk)
    return version
