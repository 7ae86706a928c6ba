"""School-year rollover (skoleårsskifte) of a municipality: one operation, previewed first, run at most once.

Every pupil of a class moves up a grade into a class of the new school year created from the old one (1A → 2A at the
same school; the last grade of a primary school → 8th grade at the municipality's lower secondary school); the
10th-graders leave (their school placement ends on the last school day). Nothing is deleted: the old classes, their
placements, attendance and contact teachers keep their history and simply end the day before the new year starts.
A ``Rollover`` row per old school year makes a second run return the first one's result and change nothing.

``rollover_plan`` only reads (the preview); ``rollover_run`` writes, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from oas import clock
from oas.access.services import roles_recompute_for_employees
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError
from oas.organisation.models import Municipality, OrgUnit, OrgUnitKind, Ownership, SchoolType
from oas.organisation.services import orgunit_bulk_create
from oas.people.models import GroupAssignment, GroupRole, Placement, Service
from oas.periods import DATED, active_on
from school.models import ClassSuccession, GroupMembership, Rollover, SchoolYear, TeachingGroup
from school.services import school_year_ensure

LAST_GRADE = 10


@dataclass(frozen=True)
class ClassMove:
    """One old class and the class of the new year its pupils move into."""

    old_class_id: int
    old_name: str
    school_id: int
    new_school_id: int
    new_name: str
    new_code: str
    new_grade: int
    placement_ids: tuple[int, ...]
    pupil_ids: tuple[int, ...]


@dataclass(frozen=True)
class ClassLeaving:
    """A class whose pupils leave school (10th grade), or whose next school is missing (``stranded``)."""

    old_class_id: int
    old_name: str
    school_id: int
    placement_ids: tuple[int, ...]
    pupil_ids: tuple[int, ...]


@dataclass
class SchoolPlan:
    """The preview of one school: classes created, pupils moving up, leaving, and sent on to another school."""

    school_id: int
    name: str
    classes_created: list[str] = field(default_factory=list)
    pupils_up: int = 0
    pupils_out: int = 0
    pupils_in: int = 0
    leavers: int = 0
    stranded: int = 0


@dataclass(frozen=True)
class RolloverPlan:
    municipality: Municipality
    from_year: SchoolYear
    to_start: dt.date
    cutover: dt.date
    moves: list[ClassMove]
    leaving: list[ClassLeaving]
    stranded: list[ClassLeaving]
    schools: list[SchoolPlan]
    done: Rollover | None

    @property
    def pupils_moving(self) -> int:
        return sum(len(m.pupil_ids) for m in self.moves)

    @property
    def pupils_leaving(self) -> int:
        return sum(len(c.pupil_ids) for c in self.leaving)

    @property
    def pupils_stranded(self) -> int:
        return sum(len(c.pupil_ids) for c in self.stranded)


@dataclass(frozen=True)
class RolloverResult:
    rollover: Rollover
    already_done: bool


def school_year_current(*, municipality: Municipality, day: dt.date | None = None) -> SchoolYear | None:
    """Return the municipality's school year running on ``day`` (the latest one that has started)."""
    day = day or clock.today()
    return (
        SchoolYear.objects.filter(municipality=municipality, start_date__lte=day).order_by("-start_date").first()
        or SchoolYear.objects.filter(municipality=municipality).order_by("start_date").first()
    )


def next_school_year(*, from_year: SchoolYear) -> SchoolYear | None:
    """Return the school year after ``from_year``, if it has been created."""
    return (
        SchoolYear.objects.filter(municipality_id=from_year.municipality_id, start_date__gt=from_year.end_date)
        .order_by("start_date")
        .first()
    )


def _letters(name: str) -> str:
    return name.lstrip("0123456789").strip() or "A"


def _next_school(*, school: OrgUnit, grade: int, schools: list[OrgUnit]) -> OrgUnit | None:
    """The lower secondary school taking a primary school's last grade: same former municipality first."""
    candidates = [
        s
        for s in schools
        if s.first_grade == grade + 1
        and s.ownership == Ownership.MUNICIPAL
        and s.school_type != SchoolType.SPECIAL
        and s.pk != school.pk
    ]
    candidates.sort(key=lambda s: (s.former_municipality_id != school.former_municipality_id, s.code))
    return candidates[0] if candidates else None


def _class_placements(
    *, class_ids: list[int], last_day: dt.date, to_start: dt.date
) -> dict[int, list[tuple[int, int]]]:
    """Return (placement id, pupil id) per class for the pupils still in it when the new year starts."""
    placements: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = (
        Placement.objects.filter(active_on(last_day, fields=DATED), service=Service.SCHOOL, group_id__in=class_ids)
        .values_list("group_id", "pk", "child_id", "end_date")
        .order_by("group_id", "child_id")
    )
    for group_id, placement_id, child_id, end in rows:
        # A pupil whose placement already ends before the new year (moving away in the summer) stays out of it.
        if end is None or end >= to_start:
            placements[group_id].append((placement_id, child_id))
    return placements


def rollover_plan(*, municipality: Municipality, from_year: SchoolYear) -> RolloverPlan:
    """Return what the rollover from ``from_year`` would do (reads only; the preview and the run share it)."""
    last_day = from_year.end_date
    following = next_school_year(from_year=from_year)
    to_start = following.start_date if following else dt.date(from_year.start_date.year + 1, 8, 15)
    cutover = to_start - dt.timedelta(days=1)
    done = Rollover.objects.filter(from_year=from_year).first()
    schools = list(
        OrgUnit.objects.filter(active_on(last_day), municipality=municipality, kind=OrgUnitKind.SCHOOL).order_by("code")
    )
    by_id = {s.pk: s for s in schools}
    classes = list(
        OrgUnit.objects.filter(
            active_on(last_day), parent_id__in=by_id, kind=OrgUnitKind.CLASS, grade__isnull=False
        ).order_by("parent__code", "grade", "name")
    )
    placements = _class_placements(class_ids=[c.pk for c in classes], last_day=last_day, to_start=to_start)
    successors = dict(
        ClassSuccession.objects.filter(old_class_id__in=[c.pk for c in classes]).values_list(
            "old_class_id", "new_class__code"
        )
    )
    plans = {s.pk: SchoolPlan(school_id=s.pk, name=s.name) for s in schools}
    moves: list[ClassMove] = []
    leaving: list[ClassLeaving] = []
    stranded: list[ClassLeaving] = []
    next_letter: dict[int, int] = defaultdict(int)
    for klass in classes:
        school = by_id[klass.parent_id]  # type: ignore[index]
        grade = int(klass.grade or 0)
        rows_of = placements.get(klass.pk, [])
        placement_ids = tuple(p for p, _c in rows_of)
        pupil_ids = tuple(c for _p, c in rows_of)
        plan = plans[school.pk]
        if grade >= LAST_GRADE:
            leaving.append(ClassLeaving(klass.pk, klass.name, school.pk, placement_ids, pupil_ids))
            plan.leavers += len(pupil_ids)
            continue
        target: OrgUnit | None = school
        if grade >= (school.last_grade or LAST_GRADE):
            target = _next_school(school=school, grade=grade, schools=schools)
        if target is None:
            stranded.append(ClassLeaving(klass.pk, klass.name, school.pk, placement_ids, pupil_ids))
            plan.stranded += len(pupil_ids)
            continue
        if target.pk == school.pk:
            letters = _letters(klass.name)
        else:
            letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[next_letter[target.pk] % 26]
            next_letter[target.pk] += 1
        new_grade = grade + 1
        new_code = successors.get(klass.pk) or f"{target.code}-{to_start.year}-{new_grade:02d}{letters}"
        new_name = f"{new_grade}{letters}"
        moves.append(
            ClassMove(
                old_class_id=klass.pk,
                old_name=klass.name,
                school_id=school.pk,
                new_school_id=target.pk,
                new_name=new_name,
                new_code=new_code,
                new_grade=new_grade,
                placement_ids=placement_ids,
                pupil_ids=pupil_ids,
            )
        )
        if target.pk == school.pk:
            plan.pupils_up += len(pupil_ids)
        else:
            plan.pupils_out += len(pupil_ids)
            plans[target.pk].pupils_in += len(pupil_ids)
        plans[target.pk].classes_created.append(new_name)
    return RolloverPlan(
        municipality=municipality,
        from_year=from_year,
        to_start=to_start,
        cutover=cutover,
        moves=moves,
        leaving=leaving,
        stranded=stranded,
        schools=[plans[s.pk] for s in schools],
        done=done,
    )


def rollover_run(*, user: Any, municipality: Municipality, from_year: SchoolYear) -> RolloverResult:
    """Run the rollover from ``from_year`` (one transaction); a second run returns the first and changes nothing.

    Refused (nothing written, audit-logged): pupils whose next school cannot be found (a primary school's last grade
    with no lower secondary school in the municipality) — the office must place them first.
    """
    with transaction.atomic():
        # One run at a time per municipality: the second waits here and then finds the first one's row.
        Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
        existing = Rollover.objects.filter(from_year=from_year).first()
        if existing is not None:
            return RolloverResult(rollover=existing, already_done=True)
        plan = rollover_plan(municipality=municipality, from_year=from_year)
        if plan.stranded:
            problem = _("%(n)s elever har ingen skole å gå videre til. Plasser dem før skoleårsskiftet.") % {
                "n": plan.pupils_stranded
            }
        else:
            problem = ""
        if not problem:
            return RolloverResult(rollover=_apply(user=user, plan=plan), already_done=False)
    audit_record(
        action=AuditAction.DENIED,
        event="school.rollover.denied",
        person_ids=[p for c in plan.stranded for p in c.pupil_ids],
        object_type="school.SchoolYear",
        object_id=from_year.pk,
        details={"reason": problem},
    )
    raise ValidationError(problem, code="rollover_refused")


def _apply(*, user: Any, plan: RolloverPlan) -> Rollover:
    municipality, from_year = plan.municipality, plan.from_year
    to_year = next_school_year(from_year=from_year) or school_year_ensure(
        municipality=municipality, start_year=plan.to_start.year
    )
    schools = {s.pk: s for s in OrgUnit.objects.filter(pk__in={m.new_school_id for m in plan.moves})}
    existing = {u.code: u for u in OrgUnit.objects.filter(code__in=[m.new_code for m in plan.moves])}
    fresh: list[OrgUnit] = []
    for move in plan.moves:
        if move.new_code in existing:
            continue
        target = schools[move.new_school_id]
        unit = OrgUnit(
            municipality=municipality,
            parent=target,
            kind=OrgUnitKind.CLASS,
            code=move.new_code,
            name=move.new_name,
            grade=move.new_grade,
            valid_from=plan.to_start,
            former_municipality=target.former_municipality,
        )
        fresh.append(unit)
        existing[move.new_code] = unit
    orgunit_bulk_create(units=fresh)
    old_class_ids = [m.old_class_id for m in plan.moves] + [c.old_class_id for c in plan.leaving]
    # The old classes, their placements and teachers end; nothing is deleted, so the history stays readable.
    OrgUnit.objects.filter(pk__in=old_class_ids).filter(active_on(plan.to_start)).update(valid_to=plan.cutover)
    moved_ids = [p for m in plan.moves for p in m.placement_ids]
    ends = dict(Placement.objects.filter(pk__in=moved_ids).values_list("pk", "end_date"))
    Placement.objects.filter(pk__in=moved_ids).update(end_date=plan.cutover)
    leaver_ids = [p for c in plan.leaving for p in c.placement_ids]
    Placement.objects.filter(pk__in=leaver_ids).filter(
        active_on(from_year.end_date + dt.timedelta(days=1), fields=DATED)
    ).update(end_date=from_year.end_date)
    new_placements = []
    for move in plan.moves:
        unit = existing[move.new_code]
        for placement_id, child_id in zip(move.placement_ids, move.pupil_ids, strict=True):
            end = ends.get(placement_id)
            new_placements.append(
                Placement(
                    child_id=child_id,
                    service=Service.SCHOOL,
                    unit_id=move.new_school_id,
                    group=unit,
                    start_date=plan.to_start,
                    end_date=end if end and end >= plan.to_start else None,
                )
            )
    Placement.objects.bulk_create(new_placements, batch_size=2000)
    # The contact teacher follows the class at the same school; every assignment to an old class ends.
    old_assignments = list(
        GroupAssignment.objects.filter(active_on(plan.cutover), group_id__in=old_class_ids).values_list(
            "pk", "employee_id", "group_id", "role"
        )
    )
    follow = {m.old_class_id: existing[m.new_code] for m in plan.moves if m.new_school_id == m.school_id}
    GroupAssignment.objects.bulk_create(
        [
            GroupAssignment(employee_id=emp, group=follow[group], role=role, valid_from=plan.to_start)
            for _pk, emp, group, role in old_assignments
            if role == GroupRole.CONTACT_TEACHER and group in follow
        ]
    )
    GroupAssignment.objects.filter(pk__in=[a[0] for a in old_assignments]).filter(active_on(plan.to_start)).update(
        valid_to=plan.cutover
    )
    carried = _carry_teaching_groups(plan=plan, to_year=to_year)
    roles_recompute_for_employees(employee_ids=sorted({a[1] for a in old_assignments} | carried.teacher_ids))
    counts = {
        "classes_created": len(fresh),
        "teaching_groups_created": len(carried.pairs),
        "group_memberships_moved": carried.memberships,
        "pupils_moved": plan.pupils_moving,
        "pupils_to_other_school": sum(len(m.pupil_ids) for m in plan.moves if m.new_school_id != m.school_id),
        "leavers": plan.pupils_leaving,
    }
    rollover = Rollover.objects.create(
        municipality=municipality,
        from_year=from_year,
        to_year=to_year,
        ran_at=clock.now(),
        ran_by_user_id=getattr(user, "pk", None),
        counts=counts,
    )
    ClassSuccession.objects.bulk_create(
        [
            ClassSuccession(rollover=rollover, old_class_id=m.old_class_id, new_class=existing[m.new_code])
            for m in plan.moves
        ]
        + [ClassSuccession(rollover=rollover, old_class_id=old, new_class_id=new) for old, new in carried.pairs]
    )
    audit_record(
        action=AuditAction.UPDATE,
        event="school.rollover.run",
        person_ids=[p for m in plan.moves for p in m.pupil_ids] + [p for c in plan.leaving for p in c.pupil_ids],
        object_type="school.Rollover",
        object_id=rollover.pk,
        details=counts,
    )
    return rollover


@dataclass
class CarriedGroups:
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (old group unit, new group unit)
    memberships: int = 0
    teacher_ids: set[int] = field(default_factory=set)


def _next_name(name: str, grade: int | None) -> str:
    """``1. trinn engelsk`` → ``2. trinn engelsk``, ``1A matematikk`` → ``2A matematikk`` (when 1 is the grade)."""
    digits = name[: len(name) - len(name.lstrip("0123456789"))]
    if grade is None or not digits or int(digits) != grade:
        return name
    return f"{grade + 1}{name[len(digits) :]}"


def _carry_teaching_groups(*, plan: RolloverPlan, to_year: SchoolYear) -> CarriedGroups:
    """Carry the old year's teaching groups into the new one: same school and subject, the members who stay at the
    school (moved up a grade) and the teachers; the old groups, memberships and assignments end at the cutover.

    A group whose members all leave the school (10th grade, on to the lower secondary school) is not carried.
    """
    from_year = plan.from_year
    last_day = from_year.end_date
    carried = CarriedGroups()
    groups = list(
        TeachingGroup.objects.filter(school_year=from_year)
        .filter(Q(unit__valid_to__isnull=True) | Q(unit__valid_to__gte=plan.to_start))
        .select_related("unit", "school")
        .order_by("unit__code")
    )
    if not groups:
        return carried
    group_ids = [tg.unit_id for tg in groups]
    staying_at = {pupil: m.new_school_id for m in plan.moves for pupil in m.pupil_ids}
    grade_of = {pupil: m.new_grade - 1 for m in plan.moves for pupil in m.pupil_ids}
    members: dict[int, list[int]] = defaultdict(list)
    for group_id, pupil_id, valid_to in (
        GroupMembership.objects.filter(active_on(last_day), group_id__in=group_ids)
        .order_by("group_id", "pupil_id")
        .values_list("group_id", "pupil_id", "valid_to")
    ):
        if valid_to is None or valid_to >= plan.to_start:
            members[group_id].append(pupil_id)
    teachers: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for group_id, employee_id, role in GroupAssignment.objects.filter(
        active_on(plan.cutover), group_id__in=group_ids
    ).values_list("group_id", "employee_id", "role"):
        teachers[group_id].append((employee_id, role))
    old_year, new_year = str(from_year.start_date.year), str(plan.to_start.year)

    def next_code(code: str) -> str:
        return (code.replace(old_year, new_year) if old_year in code else f"{code}-{new_year}")[:40]

    taken = set(
        OrgUnit.objects.filter(code__in=[next_code(tg.unit.code) for tg in groups]).values_list("code", flat=True)
    )
    fresh: list[tuple[TeachingGroup, OrgUnit, list[int]]] = []
    for tg in groups:
        staying = [p for p in members.get(tg.unit_id, []) if staying_at.get(p) == tg.school_id]
        if not staying:
            continue
        grades = {grade_of[p] for p in staying}
        grade = grades.pop() if len(grades) == 1 else None
        code = next_code(tg.unit.code)
        unit = OrgUnit(
            municipality_id=tg.unit.municipality_id,
            parent=tg.school,
            kind=OrgUnitKind.GROUP,
            code=code if code not in taken else f"{code[:28]}-{tg.unit_id}"[:40],
            name=_next_name(tg.unit.name, grade),
            valid_from=plan.to_start,
            former_municipality_id=tg.unit.former_municipality_id,
        )
        fresh.append((tg, unit, staying))
    orgunit_bulk_create(units=[unit for _tg, unit, _m in fresh])
    TeachingGroup.objects.bulk_create(
        [
            TeachingGroup(unit=unit, school_id=tg.school_id, subject_id=tg.subject_id, school_year=to_year)
            for tg, unit, _m in fresh
        ]
    )
    new_members = [
        GroupMembership(group=unit, pupil_id=pupil, valid_from=plan.to_start)
        for _tg, unit, staying in fresh
        for pupil in staying
    ]
    GroupMembership.objects.bulk_create(new_members, batch_size=2000)
    GroupAssignment.objects.bulk_create(
        [
            GroupAssignment(employee_id=employee, group=unit, role=role, valid_from=plan.to_start)
            for tg, unit, _m in fresh
            for employee, role in dict.fromkeys(teachers.get(tg.unit_id, []))
        ]
    )
    # Nothing is deleted: the old groups, memberships and teachers end the day before the new year.
    GroupMembership.objects.filter(group_id__in=group_ids).filter(active_on(plan.to_start)).update(
        valid_to=plan.cutover
    )
    GroupAssignment.objects.filter(group_id__in=group_ids).filter(active_on(plan.to_start)).update(
        valid_to=plan.cutover
    )
    OrgUnit.objects.filter(pk__in=group_ids).filter(active_on(plan.to_start)).update(valid_to=plan.cutover)
    carried.pairs = [(tg.unit_id, unit.pk) for tg, unit, _m in fresh]
    carried.memberships = len(new_members)
    carried.teacher_ids = {employee for tg, _u, _m in fresh for employee, _r in teachers.get(tg.unit_id, [])}
    carried.teacher_ids |= {employee for g in group_ids for employee, _r in teachers.get(g, [])}
    return carried
