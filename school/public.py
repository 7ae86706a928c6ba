"""The interface other apps may use (plain dataclasses; never models)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from oas.organisation.models import OrgUnit
from oas.people.models import GroupAssignment, Placement, Service
from oas.periods import DATED, active_on
from school import selectors
from school.lessons import PlannedLesson, lessons_on, planned_lessons, planned_lessons_reader_register
from school.models import GroupMembership, SchoolYear, Subject, TeachingGroup

__all__ = [
    "PlannedLesson",
    "SchoolYearInfo",
    "TeachingGroupInfo",
    "TimetableGroup",
    "lessons_on",
    "planned_lessons",
    "planned_lessons_reader_register",
    "pupil_group_ids",
    "school_year_on",
    "subject_names",
    "teaching_group_pupil_ids",
    "teaching_groups_info",
    "teaching_groups_pupil_ids",
    "timetable_groups",
]


@dataclass(frozen=True)
class SchoolYearInfo:
    id: int
    name: str
    start_date: dt.date
    end_date: dt.date


@dataclass(frozen=True)
class TimetableGroup:
    """A class or teaching group as the timetable sees it: its subject, classes (pupils) and teachers."""

    id: int
    name: str
    kind: str
    grade: int | None
    subject_code: str
    class_ids: tuple[int, ...]
    teacher_employee_ids: tuple[int, ...]


def school_year_on(*, municipality_id: int, day: dt.date) -> SchoolYearInfo | None:
    """Return the municipality's school year that contains ``day`` (or the next one to start)."""
    year = SchoolYear.objects.filter(municipality_id=municipality_id, end_date__gte=day).order_by("start_date").first()
    return SchoolYearInfo(year.pk, year.name, year.start_date, year.end_date) if year else None


def subject_names() -> dict[str, str]:
    """Return every active subject's name by its code."""
    return dict(Subject.objects.filter(active=True).values_list("code", "name"))


def timetable_groups(*, school_id: int, day: dt.date) -> list[TimetableGroup]:
    """Return the school's classes and teaching groups on ``day`` with their classes and teachers (few queries)."""
    school = OrgUnit.objects.get(pk=school_id)
    groups = selectors.school_groups(school=school, day=day)
    ids = [g.pk for g in groups]
    teachers: dict[int, list[int]] = {}
    for group_id, employee_id in (
        GroupAssignment.objects.filter(active_on(day), group_id__in=ids)
        .order_by("employee_id")
        .values_list("group_id", "employee_id")
    ):
        teachers.setdefault(group_id, []).append(employee_id)
    class_of = dict(
        Placement.objects.filter(active_on(day, fields=DATED), service=Service.SCHOOL, unit=school).values_list(
            "child_id", "group_id"
        )
    )
    members: dict[int, set[int]] = {}
    for group_id, pupil_id in GroupMembership.objects.filter(active_on(day), group_id__in=ids).values_list(
        "group_id", "pupil_id"
    ):
        if class_of.get(pupil_id):
            members.setdefault(group_id, set()).add(class_of[pupil_id])
    subjects = dict(TeachingGroup.objects.filter(unit_id__in=ids).values_list("unit_id", "subject__code"))
    return [
        TimetableGroup(
            id=g.pk,
            name=g.name,
            kind=g.kind,
            grade=g.grade,
            subject_code=subjects.get(g.pk, ""),
            class_ids=(g.pk,) if g.kind == "class" else tuple(sorted(members.get(g.pk, set()))),
            teacher_employee_ids=tuple(dict.fromkeys(teachers.get(g.pk, []))),
        )
        for g in groups
    ]


def pupil_group_ids(*, pupil_id: int, day: dt.date) -> list[int]:
    """Return the pupil's class and teaching groups on ``day``."""
    klass = selectors.pupil_class(pupil_id=pupil_id, day=day)
    groups = list(GroupMembership.objects.filter(active_on(day), pupil_id=pupil_id).values_list("group_id", flat=True))
    return ([klass.pk] if klass else []) + sorted(set(groups))


@dataclass(frozen=True)
class TeachingGroupInfo:
    group_id: int
    school_id: int
    subject_code: str
    subject_name: str


def teaching_groups_info(*, group_ids: list[int]) -> dict[int, TeachingGroupInfo]:
    """Return the subject and school of each teaching group (undervisningsgruppe) among ``group_ids``."""
    rows = TeachingGroup.objects.filter(unit_id__in=group_ids).select_related("subject")
    return {
        tg.unit_id: TeachingGroupInfo(
            group_id=tg.unit_id, school_id=tg.school_id, subject_code=tg.subject.code, subject_name=tg.subject.name
        )
        for tg in rows
    }


def teaching_group_pupil_ids(*, group_id: int, day: dt.date) -> list[int]:
    """Return the ids of the pupils who are members of the teaching group on ``day``."""
    qs = GroupMembership.objects.filter(active_on(day), group_id=group_id)
    return sorted(set(qs.values_list("pupil_id", flat=True)))


def teaching_groups_pupil_ids(*, group_ids: list[int], day: dt.date) -> dict[int, set[int]]:
    """Return, per teaching group among ``group_ids``, the ids of its pupils on ``day`` (one query)."""
    out: dict[int, set[int]] = {}
    rows = GroupMembership.objects.filter(active_on(day), group_id__in=group_ids).values_list("group_id", "pupil_id")
    for group_id, pupil_id in rows:
        out.setdefault(group_id, set()).add(pupil_id)
    return out


def group_pupil_ids(*, group_id: int, day: dt.date) -> list[int]:
    """Return the ids of the pupils of a class (placements) or teaching group (memberships) on ``day``."""
    group = OrgUnit.objects.filter(pk=group_id).first()
    return selectors.group_pupil_ids(group=group, day=day) if group else []


@dataclass(frozen=True)
class LeavingCertificateAbsence:
    """A pupil's absence as the leaving certificate shows it (§ 9-44): days and single hours from 8th grade."""

    days: int
    hours: int
    days_left_out: int  # documented days left out (at most 10 a school year)
    hours_left_out: int = 0  # documented single hours on those left-out days

    @property
    def days_on_certificate(self) -> int:
        return self.days - self.days_left_out

    @property
    def hours_on_certificate(self) -> int:
        return self.hours - self.hours_left_out


def leaving_certificate_absence(*, pupil_id: int, municipality_id: int, day: dt.date) -> LeavingCertificateAbsence:
    """Return the pupil's absence for the leaving certificate: each school year up to ``day`` in which the pupil's
    class was 8th grade or above, counted by ``absence.certificate_absence`` (the documented days left out per year).
    """
    from school import absence

    days = hours = left_out = hours_left_out = 0
    years = SchoolYear.objects.filter(municipality_id=municipality_id, start_date__lte=day).order_by("start_date")
    for year in years:
        klass = selectors.pupil_class(pupil_id=pupil_id, day=min(year.end_date, day))
        if klass is None or (klass.grade or 0) < absence.CERTIFICATE_FROM_GRADE:
            continue
        counted = absence.certificate_absence(pupil_id=pupil_id, school_year=year, grade=klass.grade)
        days, hours, left_out = days + counted.days, hours + counted.hours, left_out + counted.days_left_out
        hours_left_out += counted.hours_left_out
    return LeavingCertificateAbsence(days=days, hours=hours, days_left_out=left_out, hours_left_out=hours_left_out)


def pupil_guardian_ids(*, pupil_ids: list[int], day: dt.date) -> dict[int, list[int]]:
    """Return, per pupil, the ids of the guardians who get the school's letters (see ``selectors``)."""
    return selectors.pupil_guardian_ids(pupil_ids=pupil_ids, day=day)
