"""Elevtall og lærertetthet (the school's "belegg og bemanning"): pupils per grade, teachers, and the lærernorm.

The lærernorm (forskrift til opplæringslova, from 2019; see ``../shared/domain/integrations-and-rules.md`` § 5,
"Lærernorm calculator uses the GSI numbers"): gruppestørrelse 2 in ordinary teaching at most **15 pupils per
teacher in 1.–4. trinn and 20 in 5.–10. trinn**, counted per school and main stage as Udir's GSI reports it
(1.–4., 5.–7. and 8.–10. trinn; each of the last two must keep 20).

GSI computes gruppestørrelse 2 from årstimer (pupils' hours over teachers' hours in ordinary teaching). OAS does
not hold the hours of every lesson, so it counts the same thing in årsverk: the pupils of the stage over the
teacher årsverk that teach the stage. A teacher's årsverk is their stillingsprosent at the school (teacher
positions only, capped at 100 %), split evenly over the classes and teaching groups they are assigned to
(``GroupAssignment``) and, within a group, over the grades of its pupils. Special-needs teachers (spesialpedagog)
are not counted (GSI leaves spesialundervisning out of gruppestørrelse 2), nor are teachers assigned to no group;
the page lists both so the leader can act on them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery

from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Employment, GroupAssignment, Placement, Service
from oas.people.positions import POSITIONS
from oas.periods import DATED, active_on
from school.models import GroupMembership, TeachingGroup

# (first grade, last grade, at most this many pupils per teacher årsverk): the lærernorm per main stage.
STAGES: tuple[tuple[int, int, int], ...] = ((1, 4, 15), (5, 7, 20), (8, 10, 20))
# Positions whose årsverk count as teachers in ordinary teaching (oas.people.positions).
NORM_TEACHER_POSITIONS = ("LAERER", "LEKTOR")
# Teachers listed on the page but not counted in the norm (spesialundervisning is outside gruppestørrelse 2).
OTHER_TEACHER_POSITIONS = ("SPESPED",)
ZERO = Decimal(0)
HUNDRED = Decimal(100)


def stage_of(grade: int) -> tuple[int, int, int] | None:
    """Return the main stage (first, last, limit) of a grade, None outside 1–10."""
    return next((s for s in STAGES if s[0] <= grade <= s[1]), None)


@dataclass(frozen=True)
class GradeRow:
    grade: int
    pupils: int
    classes: int


@dataclass(frozen=True)
class StageNorm:
    """One main stage: pupils, teacher årsverk teaching it, pupils per årsverk against the limit."""

    first: int
    last: int
    limit: int
    pupils: int
    teacher_fte: Decimal

    @property
    def pupils_per_teacher(self) -> Decimal | None:
        return (Decimal(self.pupils) / self.teacher_fte).quantize(Decimal("0.1")) if self.teacher_fte else None

    @property
    def teachers_required(self) -> Decimal:
        """The teacher årsverk the stage needs to keep the norm."""
        return (Decimal(self.pupils) / Decimal(self.limit)).quantize(Decimal("0.01"))

    @property
    def gap(self) -> Decimal:
        """Teacher årsverk above (positive) or below (negative) what the norm needs."""
        return (self.teacher_fte - self.teachers_required).quantize(Decimal("0.01"))

    @property
    def broken(self) -> bool:
        return self.pupils > 0 and (self.teacher_fte == 0 or Decimal(self.pupils) > self.teacher_fte * self.limit)


@dataclass(frozen=True)
class TeacherRow:
    employee_id: int
    name: str
    position: str
    fte: Decimal
    groups: tuple[str, ...]
    counted: bool  # counted in the norm (a teacher position with at least one group)
    stage_fte: dict[tuple[int, int], Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class SchoolStaffing:
    school_id: int
    day: dt.date
    grades: tuple[GradeRow, ...]
    stages: tuple[StageNorm, ...]
    teachers: tuple[TeacherRow, ...]

    @property
    def pupils(self) -> int:
        return sum(g.pupils for g in self.grades)

    @property
    def teacher_fte(self) -> Decimal:
        return sum((s.teacher_fte for s in self.stages), ZERO)

    @property
    def broken(self) -> bool:
        return any(s.broken for s in self.stages)

    @property
    def unassigned(self) -> tuple[TeacherRow, ...]:
        return tuple(t for t in self.teachers if not t.groups)


SCHOOL_KINDS = (OrgUnitKind.CLASS, OrgUnitKind.GROUP)


def school_staffing(*, school: OrgUnit, day: dt.date) -> SchoolStaffing:
    """Pupils per grade, the school's teachers and the lærernorm per main stage on ``day`` (four queries)."""
    return schools_staffing(schools=[school], day=day)[school.pk]


def schools_staffing(*, schools: list[OrgUnit], day: dt.date) -> dict[int, SchoolStaffing]:
    """``school_staffing`` for several schools in the same four queries (the leader's snapshot of every school)."""
    ids = [s.pk for s in schools]
    grade_rows: dict[int, list[GradeRow]] = defaultdict(list)
    for counted_row in (
        Placement.objects.filter(active_on(day, fields=DATED), service=Service.SCHOOL, unit_id__in=ids)
        .exclude(group__grade__isnull=True)
        .values("unit_id", "group__grade")
        .annotate(pupils=Count("child_id", distinct=True), classes=Count("group_id", distinct=True))
    ):
        grade_rows[counted_row["unit_id"]].append(
            GradeRow(grade=counted_row["group__grade"], pupils=counted_row["pupils"], classes=counted_row["classes"])
        )

    # The teachers employed at each school: årsverk (capped at 100 %), position, name.
    fte: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    position: dict[tuple[int, int], str] = {}
    titles: dict[tuple[int, int], str] = {}
    name: dict[int, str] = {}
    for school_id, employee_id, code, title, percentage, first, last in (
        Employment.objects.filter(
            active_on(day), unit_id__in=ids, position_code__in=NORM_TEACHER_POSITIONS + OTHER_TEACHER_POSITIONS
        )
        .values_list(
            "unit_id",
            "employee_id",
            "position_code",
            "position_title",
            "percentage",
            "employee__person__first_name",
            "employee__person__last_name",
        )
        .order_by("unit_id", "employee_id", "pk")
    ):
        key = (school_id, employee_id)
        fte[key] = min(HUNDRED, fte[key] + Decimal(percentage))
        if position.get(key) not in NORM_TEACHER_POSITIONS:
            position[key] = code
            titles[key] = title or POSITIONS.get(code, code)
        name[employee_id] = f"{first} {last}"

    # A teaching group's grades are its pupils' class grades.
    grade_of_pupil = Placement.objects.filter(
        active_on(day, fields=DATED), service=Service.SCHOOL, child_id=OuterRef("pupil_id")
    ).values("group__grade")[:1]
    group_grades: dict[int, set[int]] = defaultdict(set)
    for group_id, grade in (
        GroupMembership.objects.filter(
            active_on(day), group_id__in=TeachingGroup.objects.filter(school_id__in=ids).values("unit_id")
        )
        .annotate(grade=Subquery(grade_of_pupil))
        .values_list("group_id", "grade")
        .distinct()
    ):
        if grade is not None:
            group_grades[group_id].add(grade)

    # Each teacher's classes and teaching groups at the school (both are org units under the school).
    groups_of: dict[tuple[int, int], list[tuple[str, set[int]]]] = defaultdict(list)
    for group_school, employee_id, group_id, kind, group_grade, group_name in (
        GroupAssignment.objects.filter(active_on(day), employee_id__in={e for _s, e in fte})
        .filter(group__in=OrgUnit.objects.filter(active_on(day), parent_id__in=ids, kind__in=SCHOOL_KINDS))
        .values_list("group__parent_id", "employee_id", "group_id", "group__kind", "group__grade", "group__name")
        .order_by("group__grade", "group__name", "group_id")
    ):
        taught = {group_grade} if kind == OrgUnitKind.CLASS and group_grade else set(group_grades.get(group_id, set()))
        if group_school is not None:
            groups_of[(group_school, employee_id)].append((group_name, taught))

    return {
        school.pk: _school_report(
            school=school,
            day=day,
            grade_rows=grade_rows,
            fte=fte,
            position=position,
            titles=titles,
            name=name,
            groups_of=groups_of,
        )
        for school in schools
    }


def _school_report(
    *,
    school: OrgUnit,
    day: dt.date,
    grade_rows: dict[int, list[GradeRow]],
    fte: dict[tuple[int, int], Decimal],
    position: dict[tuple[int, int], str],
    titles: dict[tuple[int, int], str],
    name: dict[int, str],
    groups_of: dict[tuple[int, int], list[tuple[str, set[int]]]],
) -> SchoolStaffing:
    """One school's figures from the rows ``schools_staffing`` read (no query)."""
    stage_fte: dict[tuple[int, int], Decimal] = {(s[0], s[1]): ZERO for s in STAGES}
    teachers: list[TeacherRow] = []
    for (school_id, employee_id), percent in fte.items():
        if school_id != school.pk:
            continue
        key = (school_id, employee_id)
        groups = groups_of.get(key, [])
        counted = position[key] in NORM_TEACHER_POSITIONS and bool(groups)
        shares: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
        if counted:
            per_group = percent / HUNDRED / len(groups)
            for _name, taught in groups:
                taught_stages = [stage for g in sorted(taught) if (stage := stage_of(g)) is not None]
                for stage in taught_stages:
                    shares[(stage[0], stage[1])] += per_group / len(taught_stages)
        for stage_key, value in shares.items():
            stage_fte[stage_key] += value
        teachers.append(
            TeacherRow(
                employee_id=employee_id,
                name=name[employee_id],
                position=titles[key],
                fte=percent / HUNDRED,
                groups=tuple(n for n, _t in groups),
                counted=counted,
                stage_fte={k: v.quantize(Decimal("0.01")) for k, v in shares.items()},
            )
        )
    grades = tuple(sorted(grade_rows.get(school.pk, []), key=lambda g: g.grade))
    pupils_in: dict[tuple[int, int], int] = defaultdict(int)
    for row in grades:
        stage = stage_of(row.grade)
        if stage is not None:
            pupils_in[(stage[0], stage[1])] += row.pupils
    stages = tuple(
        StageNorm(
            first=first,
            last=last,
            limit=limit,
            pupils=pupils_in[(first, last)],
            teacher_fte=stage_fte[(first, last)].quantize(Decimal("0.01")),
        )
        for first, last, limit in STAGES
        if pupils_in[(first, last)] or stage_fte[(first, last)] or _covers(school, first, last)
    )
    return SchoolStaffing(
        school_id=school.pk,
        day=day,
        grades=grades,
        stages=stages,
        teachers=tuple(sorted(teachers, key=lambda t: (not t.counted, t.name))),
    )


def _covers(school: OrgUnit, first: int, last: int) -> bool:
    """Whether the school's registered grades (1–7, 8–10, 1–10) include part of the stage."""
    if school.first_grade is None or school.last_grade is None:
        return False
    return first <= school.last_grade and last >= school.first_grade
