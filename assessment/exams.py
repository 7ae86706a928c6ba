"""Exam grades (eksamenskarakterer) of the 10th-graders, shown on the leaving certificate beside standpunkt.

10th-graders sit one written exam and one oral (or oral-practical) exam, graded 1–6 (opplæringsforskrifta § 9-43
lists them on the vitnemål). The results come from the exam office; the school office (or the principal) registers
them per pupil, subject and exam form (``assessment.exam.record`` on the school). A klage on an exam grade is
decided outside the school; its outcome is registered as a changed grade. Either change after the leaving
certificate was issued issues it again (``assessment.reissue``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from assessment import selectors
from assessment.models import GRADE_MAX, GRADE_MIN, ExamForm, ExamGrade
from assessment.reissue import certificate_reissue
from oas import clock
from oas.access.getters import AccessNotFound, access_unit
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Person, Placement, Service
from oas.periods import DATED, active_on
from school.public import school_year_on, teaching_groups_info, teaching_groups_pupil_ids

if TYPE_CHECKING:
    from oas.access.principal import Actor

ACTION = "assessment.exam.record"
EVENT = "assessment.exam.record"


@dataclass(frozen=True)
class ExamPupilRow:
    """A 10th-grader on the exam page: the subjects they are taught and their exam grades this school year."""

    pupil: Person
    subjects: list[tuple[str, str]]  # (code, name)
    grades: list[ExamGrade]


def exam_school(*, user: Actor, school_id: int | str) -> OrgUnit:
    """Return the school if the user may register its exam grades (404 otherwise, audit-logged)."""
    school = access_unit(user=user, id=school_id, action=ACTION)
    if school.kind != OrgUnitKind.SCHOOL:
        raise AccessNotFound(_("Ikke funnet."))
    return school


def tenth_grade_classes(*, school: OrgUnit, day: dt.date) -> list[OrgUnit]:
    """Return the school's 10th-grade classes on ``day``, by name."""
    return list(
        OrgUnit.objects.filter(
            active_on(day), parent=school, kind=OrgUnitKind.CLASS, grade=selectors.FINAL_GRADE_LEVEL
        ).order_by("name")
    )


def _tenth_graders(*, school: OrgUnit, day: dt.date, klass: OrgUnit | None = None) -> dict[int, int]:
    """Return the school's 10th-graders on ``day`` (of one class if given) with their class id."""
    rows = Placement.objects.filter(
        active_on(day, fields=DATED), service=Service.SCHOOL, unit=school, group__grade=selectors.FINAL_GRADE_LEVEL
    )
    if klass is not None:
        rows = rows.filter(group=klass)
    return dict(rows.values_list("child_id", "group_id"))


def pupil_subjects(*, school: OrgUnit, pupil_ids: Iterable[int], day: dt.date) -> dict[int, dict[str, str]]:
    """Return, per pupil, the subjects (code → name) of the school's teaching groups they belong to on ``day``."""
    wanted = set(pupil_ids)
    group_ids = list(
        OrgUnit.objects.filter(active_on(day), parent=school, kind=OrgUnitKind.GROUP).values_list("pk", flat=True)
    )
    info = teaching_groups_info(group_ids=group_ids)
    out: dict[int, dict[str, str]] = {pid: {} for pid in wanted}
    for group_id, members in teaching_groups_pupil_ids(group_ids=list(info), day=day).items():
        for pid in members & wanted:
            out[pid][info[group_id].subject_code] = info[group_id].subject_name
    return out


def current_school_year(*, school: OrgUnit, day: dt.date) -> str:
    """Return the name of the school year ``day`` falls in ("" when the municipality has not registered it)."""
    year = school_year_on(municipality_id=school.municipality_id, day=day)
    return year.name if year else ""


def exam_sheet(*, school: OrgUnit, klass: OrgUnit, day: dt.date, school_year: str) -> list[ExamPupilRow]:
    """Return the class's 10th-graders with their subjects and this school year's exam grades (few queries)."""
    ids = list(_tenth_graders(school=school, day=day, klass=klass))
    subjects = pupil_subjects(school=school, pupil_ids=ids, day=day)
    grades: dict[int, list[ExamGrade]] = {}
    for grade in ExamGrade.objects.filter(pupil_id__in=ids, school_year=school_year).order_by("subject_name", "form"):
        grades.setdefault(grade.pupil_id, []).append(grade)
    return [
        ExamPupilRow(
            pupil=p,
            subjects=sorted(((code, name) for code, name in subjects.get(p.pk, {}).items()), key=lambda s: s[1]),
            grades=grades.get(p.pk, []),
        )
        for p in Person.objects.filter(pk__in=ids).order_by("last_name", "first_name")
    ]


def _refuse(*, school: OrgUnit, message: str, person_ids: Iterable[int] = (), **details: Any) -> NoReturn:
    """Audit a refused registration (outside any transaction, so it survives) and raise the error."""
    audit_record(
        action=AuditAction.DENIED,
        event=f"{EVENT}.denied",
        person_ids=sorted(set(person_ids)),
        object_type="organisation.OrgUnit",
        object_id=school.pk,
        details={"reason": message, **details},
    )
    raise ValidationError(message, code="exam_refused")


def _grade(value: str | int) -> int | None:
    text = str(value).strip()
    return int(text) if text.isdecimal() and GRADE_MIN <= int(text) <= GRADE_MAX else None


def exam_grade_record(
    *, user: Actor, school_id: int | str, pupil_id: int | str, subject_code: str, form: str, grade: str | int
) -> ExamGrade:
    """Register a 10th-grader's exam grade (1–6) in a subject and exam form; one grade per subject and form."""
    school = exam_school(user=user, school_id=school_id)
    today = clock.today()
    pid = int(pupil_id) if str(pupil_id).isdecimal() else 0
    subject_code = (subject_code or "").strip()
    school_year = current_school_year(school=school, day=today)
    if not school_year:
        _refuse(school=school, message=_("Kommunen har ikke registrert skoleåret."))
    if pid not in _tenth_graders(school=school, day=today):
        _refuse(
            school=school,
            message=_("Eleven går ikke på 10. trinn ved skolen."),
            person_ids=[pid] if Person.objects.filter(pk=pid).exists() else [],
            pupil=str(pupil_id)[:20],
        )
    subjects = pupil_subjects(school=school, pupil_ids=[pid], day=today)[pid]
    if subject_code not in subjects:
        _refuse(
            school=school,
            message=_("Ukjent fag for eleven: velg et fag eleven har ved skolen."),
            person_ids=[pid],
            subject=subject_code[:20],
        )
    if form not in ExamForm.values:
        _refuse(
            school=school,
            message=_("Velg eksamensform: skriftlig, muntlig eller muntlig-praktisk."),
            person_ids=[pid],
            form=str(form)[:20],
        )
    value = _grade(grade)
    if value is None:
        _refuse(
            school=school,
            message=_("Eksamenskarakteren må være et helt tall fra 1 til 6."),
            person_ids=[pid],
            value=str(grade)[:20],
        )
    duplicate = _("Eleven har allerede en eksamenskarakter i %(subject)s (%(form)s).") % {
        "subject": subjects[subject_code],
        "form": ExamForm(form).label.lower(),
    }
    if ExamGrade.objects.filter(pupil_id=pid, school_year=school_year, subject_code=subject_code, form=form).exists():
        _refuse(school=school, message=duplicate, person_ids=[pid], subject=subject_code, form=form)
    try:
        with transaction.atomic():
            exam = ExamGrade.objects.create(
                pupil_id=pid,
                school=school,
                school_year=school_year,
                subject_code=subject_code,
                subject_name=subjects[subject_code],
                form=form,
                grade=value,
                entered_by_user_id=user.pk,
                entered_at=clock.now(),
            )
            audit_record(
                action=AuditAction.CREATE,
                event=EVENT,
                person_ids=[pid],
                object_type="assessment.ExamGrade",
                object_id=exam.pk,
                details={"subject": subject_code, "form": form, "school_year": school_year},
            )
            # A grade registered after the certificate was issued belongs on it.
            certificate_reissue(
                pupil_id=pid,
                reason=_("Eksamenskarakter i %(subject)s registrert etter at vitnemålet ble utstedt.")
                % {"subject": subjects[subject_code]},
            )
    except IntegrityError:  # the same grade registered at the same moment by someone else
        _refuse(school=school, message=duplicate, person_ids=[pid], subject=subject_code, form=form)
    return exam


def exam_grade_change(*, user: Actor, exam_grade_id: int | str, grade: str | int) -> ExamGrade:
    """Register a new exam grade after a klage (the first grade is kept); the certificate is issued again.

    Recording the grade the exam already has changes nothing (idempotent).
    """
    exam = ExamGrade.objects.filter(pk=int(exam_grade_id) if str(exam_grade_id).isdecimal() else 0).first()
    if exam is None:
        audit_record(
            action=AuditAction.DENIED,
            event=f"{EVENT}.denied",
            object_type="assessment.ExamGrade",
            object_id=str(exam_grade_id)[:64],
        )
        raise AccessNotFound(_("Ikke funnet."))
    school = exam_school(user=user, school_id=exam.school_id)
    value = _grade(grade)
    if value is None:
        _refuse(
            school=school,
            message=_("Eksamenskarakteren må være et helt tall fra 1 til 6."),
            person_ids=[exam.pupil_id],
            value=str(grade)[:20],
        )
    if value == exam.grade:
        return exam
    with transaction.atomic():
        before = exam.grade
        exam.original_grade = exam.original_grade or before
        exam.grade = value
        exam.changed_at = clock.now()
        exam.save(update_fields=["original_grade", "grade", "changed_at"])
        audit_record(
            action=AuditAction.UPDATE,
            event="assessment.exam.change",
            person_ids=[exam.pupil_id],
            object_type="assessment.ExamGrade",
            object_id=exam.pk,
            details={"before": before, "after": value},
        )
        certificate_reissue(
            pupil_id=exam.pupil_id,
            reason=_("Klage: ny eksamenskarakter i %(subject)s (%(form)s).")
            % {"subject": exam.subject_name, "form": exam.get_form_display().lower()},
        )
    return exam
