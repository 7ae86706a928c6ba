"""Reads of the school domain: groups, their pupils on a day, registrations and absence overviews."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Greatest

from oas import clock
from oas.access.evaluation import access_queryset
from oas.access.relations import ChildRight, child_adult_ids
from oas.access.selectors import may_learn_whereabouts
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import (
    Employee,
    Employment,
    GroupAssignment,
    GroupRole,
    Person,
    PersonRelation,
    Placement,
    RelationKind,
    Service,
)
from oas.periods import DATED, active_on
from school.models import (
    AttendanceRegistration,
    GroupMembership,
    LeaveApplication,
    LeaveStatus,
    PupilAttendance,
    SchoolSettings,
    TeachingGroup,
)

if TYPE_CHECKING:
    from oas.access.principal import Actor

SCHOOL_GROUP_KINDS = (OrgUnitKind.CLASS, OrgUnitKind.GROUP)


def groups_for_user(*, user: Actor, action: str = "school.group.register_attendance") -> QuerySet[OrgUnit]:
    """Return the classes and teaching groups where the user may perform ``action`` (one query)."""
    today = clock.today()
    groups = OrgUnit.objects.filter(kind__in=SCHOOL_GROUP_KINDS).filter(active_on(today))
    # Only school groups: classes under a school, or groups with a TeachingGroup row.
    groups = groups.filter(Q(kind=OrgUnitKind.CLASS, parent__kind=OrgUnitKind.SCHOOL) | Q(teaching_group__isnull=False))
    return (
        access_queryset(user=user, action=action, queryset=groups)
        .select_related("parent", "teaching_group__subject")
        .order_by("parent__name", "kind", "grade", "name")
    )


def _cached_teaching_group(group: OrgUnit) -> TeachingGroup | bool | None:
    """The group's TeachingGroup when ``select_related("teaching_group")`` loaded it (None: it has none), else False."""
    cache = group._state.fields_cache
    if "teaching_group" not in cache:
        return False
    found: TeachingGroup | None = cache["teaching_group"]
    return found


def school_of(group: OrgUnit) -> OrgUnit | None:
    """Return the school a class or teaching group belongs to."""
    cached = _cached_teaching_group(group)
    tg = (
        TeachingGroup.objects.filter(unit=group).select_related("school").first() if cached is False else cached or None
    )
    if isinstance(tg, TeachingGroup):
        return tg.school
    parent = group.parent
    while parent is not None and parent.kind != OrgUnitKind.SCHOOL:
        parent = parent.parent
    return parent


def is_school_group(group: OrgUnit) -> bool:
    """Return whether the unit is a class under a school or a teaching group."""
    if group.kind == OrgUnitKind.CLASS:
        return group.parent is not None and group.parent.kind == OrgUnitKind.SCHOOL
    if group.kind != OrgUnitKind.GROUP:
        return False
    cached = _cached_teaching_group(group)
    return TeachingGroup.objects.filter(unit=group).exists() if cached is False else cached is not None


def group_pupil_ids(*, group: OrgUnit, day: dt.date) -> list[int]:
    """Return the ids of the pupils in a class (school placements) or teaching group (memberships) on ``day``."""
    if group.kind == OrgUnitKind.CLASS:
        qs = Placement.objects.filter(active_on(day, fields=DATED), service=Service.SCHOOL, group=group)
        return sorted(set(qs.values_list("child_id", flat=True)))
    qs2 = GroupMembership.objects.filter(active_on(day), group=group)
    return sorted(set(qs2.values_list("pupil_id", flat=True)))


def group_pupil_ids_with_leave(*, group: OrgUnit, day: dt.date) -> tuple[list[int], set[int]]:
    """Return the group's pupils on ``day`` and those of them with granted leave that day (one query)."""
    if group.kind == OrgUnitKind.CLASS:
        qs: QuerySet[Any, Any] = Placement.objects.filter(
            active_on(day, fields=DATED), service=Service.SCHOOL, group=group
        ).annotate(pid=F("child_id"))
    else:
        qs = GroupMembership.objects.filter(active_on(day), group=group).annotate(pid=F("pupil_id"))
    leave = LeaveApplication.objects.filter(
        active_on(day, fields=DATED), pupil_id=OuterRef("pid"), status=LeaveStatus.GRANTED
    )
    rows = qs.annotate(on_leave=Exists(leave)).values_list("pid", "on_leave")
    members: set[int] = set()
    on_leave: set[int] = set()
    for pupil_id, leave_granted in rows:
        members.add(pupil_id)
        if leave_granted:
            on_leave.add(pupil_id)
    return sorted(members), on_leave


def group_pupils(*, group: OrgUnit, day: dt.date) -> list[Person]:
    """Return the pupils of the group on ``day``, sorted by name."""
    ids = group_pupil_ids(group=group, day=day)
    return list(Person.objects.filter(pk__in=ids).order_by("last_name", "first_name"))


def contact_teachers(*, class_ids: list[int], day: dt.date) -> dict[int, list[Person]]:
    """Return each class's contact teachers (kontaktlærer) on ``day``."""
    out: dict[int, list[Person]] = {}
    rows = (
        GroupAssignment.objects.filter(active_on(day), group_id__in=class_ids, role=GroupRole.CONTACT_TEACHER)
        .select_related("employee__person")
        .order_by("employee__person__last_name")
    )
    for row in rows:
        out.setdefault(row.group_id, []).append(row.employee.person)
    return out


def group_teachers(*, group_ids: list[int], day: dt.date) -> dict[int, list[Person]]:
    """Return the teachers assigned to each group on ``day`` (any group role)."""
    out: dict[int, list[Person]] = {}
    rows = GroupAssignment.objects.filter(active_on(day), group_id__in=group_ids).select_related("employee__person")
    for row in rows.order_by("employee__person__last_name"):
        out.setdefault(row.group_id, []).append(row.employee.person)
    return out


def pupil_class(*, pupil_id: int, day: dt.date) -> OrgUnit | None:
    """Return the pupil's class (the group of their school placement) on ``day``."""
    placement = (
        Placement.objects.filter(active_on(day, fields=DATED), child_id=pupil_id, service=Service.SCHOOL)
        .select_related("group", "unit")
        .first()
    )
    return placement.group if placement else None


def registration_for(*, group: OrgUnit, day: dt.date, lesson: int) -> AttendanceRegistration | None:
    """Return the registration of this lesson (or day), if any."""
    return AttendanceRegistration.objects.filter(group=group, day=day, lesson=lesson).first()


def registration_rows(*, registration: AttendanceRegistration) -> dict[int, PupilAttendance]:
    """Return the registration's rows by pupil id."""
    return {row.pupil_id: row for row in registration.rows.all()}


def pupil_absences(*, pupil_id: int, limit: int = 50) -> list[PupilAttendance]:
    """Return the pupil's registered absences, newest first."""
    return list(
        PupilAttendance.objects.filter(pupil_id=pupil_id, present=False)
        .select_related("registration__group")
        .order_by("-day", "registration__lesson")[:limit]
    )


@dataclass(frozen=True)
class ClassAbsence:
    class_id: int
    name: str
    grade: int | None
    pupils: int
    absent_rows: int
    unannounced_rows: int
    registrations: int


def school_absence_overview(*, school: OrgUnit, since: dt.date) -> list[ClassAbsence]:
    """Return, per class of the school, pupils and absence registered since ``since`` (aggregated in the database)."""
    today = clock.today()
    active_pupils = Count(
        "group_placements",
        filter=Q(group_placements__service=Service.SCHOOL)
        & active_on(today, fields=DATED, prefix="group_placements__"),
        distinct=True,
    )
    classes = (
        OrgUnit.objects.filter(parent=school, kind=OrgUnitKind.CLASS)
        .filter(active_on(today))
        .annotate(pupils=active_pupils)
        .order_by("grade", "name")
    )
    regs = (
        AttendanceRegistration.objects.filter(group__parent=school, day__gte=since)
        .values("group_id")
        .annotate(
            n=Count("id", distinct=True),
            absent=Count("rows", filter=Q(rows__present=False)),
            unannounced=Count("rows", filter=Q(rows__present=False, rows__reason="unannounced")),
        )
    )
    by_group = {r["group_id"]: r for r in regs}
    return [
        ClassAbsence(
            class_id=c.pk,
            name=c.name,
            grade=c.grade,
            pupils=c.pupils,
            absent_rows=by_group.get(c.pk, {}).get("absent", 0),
            unannounced_rows=by_group.get(c.pk, {}).get("unannounced", 0),
            registrations=by_group.get(c.pk, {}).get("n", 0),
        )
        for c in classes
    ]


def pickup_names(*, pupil_ids: list[int], day: dt.date) -> dict[int, list[str]]:
    """Return, per pupil, the names of the adults who may pick them up (guardians and pick-up persons), one query."""
    out: dict[int, list[str]] = {}
    rows = (
        PersonRelation.objects.filter(
            active_on(day), child_id__in=pupil_ids, kind__in=[RelationKind.GUARDIAN, RelationKind.PICKUP]
        )
        .order_by("kind", "adult__last_name", "adult__first_name")
        .values_list("child_id", "adult__first_name", "adult__last_name")
    )
    for child_id, first, last in rows:
        out.setdefault(child_id, []).append(f"{first} {last}")
    return out


def school_groups(*, school: OrgUnit, day: dt.date) -> list[OrgUnit]:
    """Return the school's classes and teaching groups valid on ``day``."""
    return list(
        OrgUnit.objects.filter(active_on(day))
        .filter(Q(kind=OrgUnitKind.CLASS, parent=school) | Q(kind=OrgUnitKind.GROUP, teaching_group__school=school))
        .select_related("teaching_group__subject")
        .order_by("kind", "grade", "name")
    )


def school_teachers(*, school: OrgUnit, day: dt.date) -> list[Employee]:
    """Return the employees with a current employment at the school."""
    return list(
        Employee.objects.filter(pk__in=Employment.objects.filter(active_on(day), unit=school).values("employee_id"))
        .select_related("person")
        .order_by("person__last_name", "person__first_name")
    )


def pupil_guardian_ids(*, pupil_ids: list[int], day: dt.date) -> dict[int, list[int]]:
    """Return each pupil's adults who may learn where the pupil goes to school (the notice names the class)."""
    return child_adult_ids(child_ids=pupil_ids, right=ChildRight.WHEREABOUTS, on=day)


@dataclass(frozen=True)
class ChildSchool:
    """What a guardian sees of one child's school: nothing that names the school when the child is hidden from them."""

    child: Person
    klass: OrgUnit | None
    school: OrgUnit | None
    contact_teachers: list[Person]
    whereabouts: bool


def children_school_for_guardian(*, user: Actor, day: dt.date) -> list[ChildSchool]:
    """Return the user's children who are pupils on ``day``, with their school as far as the user may learn it.

    Strengt fortrolig: the parent the child does not live with keeps the information (barneloven § 47), never the
    school, the class or who teaches it.
    """
    children = access_queryset(
        user=user, action="school.child.read", queryset=Person.objects.order_by("first_name", "last_name")
    )
    out: list[ChildSchool] = []
    for child in children:
        klass = pupil_class(pupil_id=child.pk, day=day)
        if klass is None:
            continue  # not a pupil (a kindergarten child)
        whereabouts = may_learn_whereabouts(user=user, child=child)
        contact = contact_teachers(class_ids=[klass.pk], day=day).get(klass.pk, []) if whereabouts else []
        out.append(
            ChildSchool(
                child=child,
                klass=klass if whereabouts else None,
                school=klass.parent if whereabouts else None,
                contact_teachers=contact,
                whereabouts=whereabouts,
            )
        )
    return out


def school_settings_for(*, municipality_id: int) -> SchoolSettings:
    """Return the municipality's school rules (an unsaved row with the defaults when it has none)."""
    found = SchoolSettings.objects.filter(municipality_id=municipality_id).first()
    return found or SchoolSettings(municipality_id=municipality_id)


@dataclass(frozen=True)
class SchoolPupil:
    pupil: Person
    class_id: int | None
    class_name: str
    grade: int | None


def school_pupils(*, school: OrgUnit, day: dt.date) -> list[SchoolPupil]:
    """Return the school's pupils on ``day`` with their class, by grade, class and name (one query)."""
    rows = (
        Placement.objects.filter(active_on(day, fields=DATED), service=Service.SCHOOL, unit=school)
        .select_related("child", "group")
        .order_by("group__grade", "group__name", "child__last_name", "child__first_name")
    )
    return [
        SchoolPupil(
            pupil=p.child,
            class_id=p.group_id,
            class_name=p.group.name if p.group else "",
            grade=p.group.grade if p.group else None,
        )
        for p in rows
    ]


def teaching_group_members_under(paths: Sequence[str], day: dt.date) -> QuerySet[GroupMembership, Any]:
    """The kernel's member source (``oas.access.members``): pupils who are members, on or after ``day``, of a
    teaching group in these org-unit subtrees, so a teacher of group X reaches exactly X's pupils."""
    if not paths:
        return GroupMembership.objects.none().values("pupil_id")
    under = reduce(or_, (Q(group__path__startswith=p) for p in paths))
    return (
        GroupMembership.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)).filter(under).values("pupil_id")
    )


def school_year_start_day(day: dt.date) -> dt.date:
    """The first of August of the school year ``day`` falls in (a school year runs August to June)."""
    return dt.date(day.year if day.month >= 8 else day.year - 1, 8, 1)


def new_first_grade_classes(*, schools: QuerySet[OrgUnit] | Sequence[OrgUnit], day: dt.date) -> QuerySet[OrgUnit]:
    """Return the schools' 1st-grade classes made for this school year or a coming one (not ended on ``day``).

    Each is annotated ``has_contact_teacher``: a kontaktlærer (opplæringslova § 14-2) assigned for the class's first
    day or, once it has begun, today.
    """
    contact = GroupAssignment.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        group=OuterRef("pk"),
        role=GroupRole.CONTACT_TEACHER,
        valid_from__lte=Greatest(OuterRef("valid_from"), Value(day)),
    )
    return (
        OrgUnit.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            parent__in=schools,
            kind=OrgUnitKind.CLASS,
            grade=1,
            valid_from__gte=school_year_start_day(day),
        )
        .annotate(has_contact_teacher=Exists(contact))
        .order_by("parent__name", "valid_from", "name")
    )
