"""Reads of assessment: the groups a user may assess, a group's sheet, class and school status, a child's results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from assessment.models import (
    Appeal,
    AppealStatus,
    ConductMark,
    ExamForm,
    ExamGrade,
    FinalGrade,
    FinalGradeLock,
    HalfYearAssessment,
    LeavingCertificate,
    Remark,
)
from oas import clock
from oas.access.evaluation import access_queryset
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Person, Placement, Service
from oas.periods import DATED, active_on
from school.public import TeachingGroupInfo, teaching_group_pupil_ids, teaching_groups_info, teaching_groups_pupil_ids

if TYPE_CHECKING:
    from oas.access.principal import Actor

GRADES_FROM = 8  # karakterer from 8th grade (opplæringsforskrifta § 9-13)
FINAL_GRADE_LEVEL = 10  # standpunkt in 10th grade (§ 9-16)
APPEAL_DAYS = 10  # klagefrist (forvaltningsloven § 29, opplæringsforskrifta § 10-2)


def current_period(*, day: dt.date | None = None) -> str:
    """Return the term (halvår) ``day`` falls in: ``2026H`` for the autumn, ``2027V`` for the spring."""
    day = day or clock.today()
    return f"{day.year}{'H' if day.month >= 8 else 'V'}"


def period_label(period: str) -> str:
    """Return a term code as words (``2026H`` → ``høsten 2026``)."""
    return f"{'høsten' if period.endswith('H') else 'våren'} {period[:-1]}"


def appeal_deadline(*, published_at: dt.datetime | None) -> dt.date | None:
    """Return the last day to appeal a grade published at ``published_at`` (10 days, § 10-2)."""
    if published_at is None:
        return None
    return timezone.localdate(published_at) + dt.timedelta(days=APPEAL_DAYS)


def pupil_placements(*, pupil_ids: list[int], day: dt.date) -> dict[int, Placement]:
    """Return each pupil's school placement on ``day`` (its group is the class, whose grade is the trinn)."""
    rows = (
        Placement.objects.filter(active_on(day, fields=DATED), child_id__in=pupil_ids, service=Service.SCHOOL)
        .select_related("group", "unit")
        .order_by("start_date")
    )
    return {p.child_id: p for p in rows}


def pupil_grade_levels(*, pupil_ids: list[int], day: dt.date) -> dict[int, int | None]:
    """Return each pupil's grade level (trinn) on ``day``: the grade of their class."""
    placements = pupil_placements(pupil_ids=pupil_ids, day=day)
    return {pid: (p.group.grade if p.group else None) for pid, p in placements.items()}


def _teaching_groups(day: dt.date) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(active_on(day), kind=OrgUnitKind.GROUP, parent__kind=OrgUnitKind.SCHOOL)


def entry_groups_for_user(*, user: Actor) -> list[tuple[OrgUnit, TeachingGroupInfo]]:
    """Return the teaching groups the user may assess, with their subject (teaching groups only)."""
    groups = list(
        access_queryset(user=user, action="assessment.group.enter", queryset=_teaching_groups(clock.today()))
        .select_related("parent")
        .order_by("parent__name", "name")
    )
    info = teaching_groups_info(group_ids=[g.pk for g in groups])
    return [(g, info[g.pk]) for g in groups if g.pk in info]


def status_classes_for_user(*, user: Actor) -> list[OrgUnit]:
    """Return the classes whose assessment status the user may see (contact teacher, principal, office)."""
    classes = OrgUnit.objects.filter(active_on(clock.today()), kind=OrgUnitKind.CLASS, parent__kind=OrgUnitKind.SCHOOL)
    return list(
        access_queryset(user=user, action="assessment.class.status", queryset=classes)
        .select_related("parent")
        .order_by("parent__name", "grade", "name")
    )


def teaching_group(*, group: OrgUnit) -> TeachingGroupInfo | None:
    """Return the subject and school of a teaching group, or None for any other unit."""
    return teaching_groups_info(group_ids=[group.pk]).get(group.pk)


@dataclass(frozen=True)
class SheetRow:
    pupil: Person
    grade_level: int | None
    assessment: HalfYearAssessment | None
    final: FinalGrade | None

    @property
    def graded(self) -> bool:
        return (self.grade_level or 0) >= GRADES_FROM

    @property
    def final_level(self) -> bool:
        return self.grade_level == FINAL_GRADE_LEVEL


def group_pupil_ids(*, group: OrgUnit, day: dt.date) -> list[int]:
    """Return the ids of the teaching group's pupils on ``day``."""
    return teaching_group_pupil_ids(group_id=group.pk, day=day)


def group_sheet(*, group: OrgUnit, day: dt.date, period: str) -> list[SheetRow]:
    """Return the group's pupils with their grade level, this term's assessment and any final grade."""
    ids = group_pupil_ids(group=group, day=day)
    pupils = Person.objects.filter(pk__in=ids).order_by("last_name", "first_name")
    levels = pupil_grade_levels(pupil_ids=ids, day=day)
    assessments = {a.pupil_id: a for a in HalfYearAssessment.objects.filter(group=group, period=period)}
    finals = {g.pupil_id: g for g in FinalGrade.objects.filter(group=group)}
    return [
        SheetRow(pupil=p, grade_level=levels.get(p.pk), assessment=assessments.get(p.pk), final=finals.get(p.pk))
        for p in pupils
    ]


def group_lock(*, group_id: int) -> FinalGradeLock | None:
    """Return the principal's lock of the group's final grades, if any."""
    return FinalGradeLock.objects.filter(group_id=group_id).first()


@dataclass(frozen=True)
class ClassPupilStatus:
    pupil: Person
    entered: int
    published: int
    remarks: int
    conduct: ConductMark | None


def class_status(*, klass: OrgUnit, day: dt.date, period: str) -> list[ClassPupilStatus]:
    """Return, per pupil of the class, this term's assessments entered and published, remarks and conduct marks."""
    pupils = list(
        Person.objects.filter(
            pk__in=Placement.objects.filter(active_on(day, fields=DATED), service=Service.SCHOOL, group=klass).values(
                "child_id"
            )
        )
        .annotate(
            n_entered=Count("halfyear_assessments", filter=Q(halfyear_assessments__period=period), distinct=True),
            n_published=Count(
                "halfyear_assessments",
                filter=Q(halfyear_assessments__period=period, halfyear_assessments__published_at__isnull=False),
                distinct=True,
            ),
            n_remarks=Count("remarks", distinct=True),
        )
        .order_by("last_name", "first_name")
    )
    conduct = {c.pupil_id: c for c in ConductMark.objects.filter(pupil__in=pupils, period=period)}
    return [
        ClassPupilStatus(
            pupil=p,
            entered=p.n_entered,
            published=p.n_published,
            remarks=p.n_remarks,
            conduct=conduct.get(p.pk),
        )
        for p in pupils
    ]


@dataclass(frozen=True)
class ClassSummary:
    klass: OrgUnit
    pupils: int
    entered: int
    published: int


@dataclass(frozen=True)
class FinalGroupStatus:
    group: OrgUnit
    subject_name: str
    grades: int
    lock: FinalGradeLock | None


def school_status(*, school: OrgUnit, day: dt.date, period: str) -> list[ClassSummary]:
    """Return, per class of the school, pupils and this term's assessments entered and published (aggregated)."""
    classes = list(
        OrgUnit.objects.filter(active_on(day), parent=school, kind=OrgUnitKind.CLASS)
        .annotate(
            n_pupils=Count(
                "group_placements",
                filter=Q(group_placements__service=Service.SCHOOL)
                & active_on(day, fields=DATED, prefix="group_placements__"),
                distinct=True,
            )
        )
        .order_by("grade", "name")
    )
    counts = {
        row["pupil__placements__group_id"]: row
        for row in HalfYearAssessment.objects.filter(
            period=period,
            school=school,
            pupil__placements__service=Service.SCHOOL,
            pupil__placements__group__in=classes,
        )
        .filter(active_on(day, fields=DATED, prefix="pupil__placements__"))
        .values("pupil__placements__group_id")
        .annotate(n=Count("id", distinct=True), p=Count("id", filter=Q(published_at__isnull=False), distinct=True))
    }
    return [
        ClassSummary(
            klass=c,
            pupils=c.n_pupils,
            entered=counts.get(c.pk, {}).get("n", 0),
            published=counts.get(c.pk, {}).get("p", 0),
        )
        for c in classes
    ]


def school_final_groups(*, school: OrgUnit, day: dt.date) -> list[FinalGroupStatus]:
    """Return the school's teaching groups that have 10th-graders, with their final grades entered and lock."""
    groups = list(_teaching_groups(day).filter(parent=school).order_by("name"))
    info = teaching_groups_info(group_ids=[g.pk for g in groups])
    tenth = set(
        Placement.objects.filter(
            active_on(day, fields=DATED), service=Service.SCHOOL, unit=school, group__grade=FINAL_GRADE_LEVEL
        ).values_list("child_id", flat=True)
    )
    counts = dict(
        FinalGrade.objects.filter(group__in=groups)
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    locks = {lk.group_id: lk for lk in FinalGradeLock.objects.filter(group__in=groups)}
    members = teaching_groups_pupil_ids(group_ids=[g.pk for g in groups], day=day)
    out = []
    for g in groups:
        if g.pk not in info or not tenth & members.get(g.pk, set()):
            continue
        out.append(
            FinalGroupStatus(
                group=g, subject_name=info[g.pk].subject_name, grades=counts.get(g.pk, 0), lock=locks.get(g.pk)
            )
        )
    return out


@dataclass(frozen=True)
class ChildResults:
    child: Person
    halfyear: list[HalfYearAssessment]
    finals: list[tuple[FinalGrade, dt.date | None, list[Appeal]]]
    remarks: list[Remark]
    conduct: list[ConductMark]  # decided marks only
    certificates: list[LeavingCertificate]
    exams: list[ExamGrade] = field(default_factory=list)


def children_for_user(*, user: Actor) -> list[Person]:
    """Return the children whose assessments the (guardian) user may read."""
    return list(
        access_queryset(user=user, action="assessment.child.read", queryset=Person.objects.order_by("first_name"))
    )


def child_results(*, child: Person) -> ChildResults:
    """Return a child's published assessments and final grades, remarks and conduct marks, newest first."""
    finals = list(FinalGrade.objects.filter(pupil=child, published_at__isnull=False).order_by("subject_name"))
    appeals: dict[int, list[Appeal]] = {}
    for appeal in Appeal.objects.filter(final_grade__in=finals).order_by("registered_at"):
        appeals.setdefault(appeal.final_grade_id, []).append(appeal)
    return ChildResults(
        child=child,
        halfyear=list(
            HalfYearAssessment.objects.filter(pupil=child, published_at__isnull=False).order_by(
                "-period", "subject_name"
            )
        ),
        finals=[(g, appeal_deadline(published_at=g.published_at), appeals.get(g.pk, [])) for g in finals],
        remarks=list(Remark.objects.filter(pupil=child).order_by("-day", "-registered_at")),
        # The contact teacher's marks are proposals until the principal decides and publishes them.
        conduct=list(ConductMark.objects.filter(pupil=child, published_at__isnull=False).order_by("-period")),
        certificates=[],  # filled by ``child_certificates`` (a narrower right: the certificate names the school)
        exams=list(ExamGrade.objects.filter(pupil=child).order_by("-school_year", "subject_name", "form")),
    )


def school_appeals(*, school: OrgUnit) -> list[Appeal]:
    """Return the appeals against the school's final grades, newest first (one query)."""
    return list(
        Appeal.objects.filter(final_grade__school=school)
        .select_related("final_grade", "pupil")
        .order_by("-registered_at")
    )


def school_certificates(*, school: OrgUnit, school_year: str) -> list[LeavingCertificate]:
    """Return the school's issued leaving certificates of the school year (without the PDFs), by pupil name."""
    return list(
        LeavingCertificate.objects.filter(school=school, school_year=school_year, replaced_at__isnull=True)
        .defer("pdf")
        .select_related("pupil")
        .order_by("pupil__last_name", "pupil__first_name")
    )


def child_certificates(*, user: Actor) -> dict[int, list[LeavingCertificate]]:
    """Return, per child, the leaving certificates the user may download (without the PDFs)."""
    rows = access_queryset(
        user=user,
        action="assessment.certificate.download",
        # The current version only: a certificate reissued after an appeal replaces the old one.
        queryset=LeavingCertificate.objects.filter(replaced_at__isnull=True).defer("pdf").order_by("-issued_at"),
    )
    out: dict[int, list[LeavingCertificate]] = {}
    for certificate in rows:
        out.setdefault(certificate.pupil_id, []).append(certificate)
    return out


def certificate_subjects(*, pupil_id: int, school_year: str) -> list[dict[str, Any]]:
    """Return the leaving certificate's subject rows: standpunkt (published) and the school year's exam grades.

    A row: ``code``, ``name``, ``standpunkt`` and ``written`` / ``oral`` (the exam grades, or None) with
    ``oral_form`` (``muntlig`` or ``muntlig_praktisk``). Subjects with a final grade come first, by name.
    """
    rows: dict[str, dict[str, Any]] = {}
    for g in FinalGrade.objects.filter(pupil_id=pupil_id, published_at__isnull=False).order_by("subject_name"):
        rows[g.subject_code] = {
            "code": g.subject_code,
            "name": g.subject_name,
            "standpunkt": g.grade,
            "written": None,
            "oral": None,
            "oral_form": "",
        }
    exams = ExamGrade.objects.filter(pupil_id=pupil_id, school_year=school_year).order_by("subject_name", "form")
    for e in exams:
        row = rows.setdefault(
            e.subject_code,
            {"code": e.subject_code, "name": e.subject_name, "standpunkt": None, "written": None, "oral": None},
        )
        if e.form == ExamForm.WRITTEN:
            row["written"] = e.grade
        else:
            row["oral"], row["oral_form"] = e.grade, e.form
    for row in rows.values():
        row.setdefault("oral_form", "")
    return list(rows.values())


def certificate_grades_key(subjects: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Return what a certificate's subject rows say about grades (to tell whether a grade changed after issue)."""
    return sorted(
        (s.get("code"), s.get("standpunkt"), s.get("written"), s.get("oral"), s.get("oral_form") or "")
        for s in subjects
    )


def appeals_waiting(*, user: Actor) -> QuerySet[Appeal]:
    """Return the appeals registered against final grades and not yet assessed by a school where the user processes
    appeals (the principal), oldest first; filtered in the database."""
    schools = access_queryset(
        user=user, action="assessment.appeal.process", queryset=OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL)
    )
    return Appeal.objects.filter(status=AppealStatus.REGISTERED, final_grade__school_id__in=schools.values("pk"))
