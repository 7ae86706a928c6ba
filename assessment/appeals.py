"""Processing an appeal (klage) against a final grade.

The school assesses the appeal first (forvaltningsloven § 33): it finds the appeal justified and sets a new grade
itself, or upholds the grade and forwards the appeal to the statsforvalter, whose outcome the school records. The
guardian who appealed gets a letter (SvarUt through the outbox, one copy archived) when the school changes the grade,
when the appeal is forwarded, and with the statsforvalter's outcome. A changed grade of a pupil whose leaving certificate
was issued issues the certificate again (``assessment.reissue``). Only the principal of the grade's school
processes (``assessment.appeal.process`` on the school).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from django.db import transaction
from django.utils.translation import gettext as _

from assessment.models import GRADE_MAX, GRADE_MIN, Appeal, AppealOutcome, AppealStatus, FinalGrade
from assessment.reissue import certificate_reissue
from integrations.public import decision_letters_send
from oas import clock
from oas.access.getters import AccessNotFound, access_unit
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError

if TYPE_CHECKING:
    from oas.access.principal import Actor

TEXT_MAX = 4000
CASE_TYPE = "klage-standpunkt"


def appeal_for_processing(*, user: Actor, appeal_id: int | str) -> Appeal:
    """Return the appeal if the user may process appeals at the grade's school (404 otherwise, audit-logged)."""
    appeal = (
        Appeal.objects.select_related("final_grade", "pupil", "guardian")
        .filter(pk=int(appeal_id) if str(appeal_id).isdecimal() else 0)
        .first()
    )
    if appeal is None:
        audit_record(
            action=AuditAction.DENIED,
            event="assessment.appeal.process.denied",
            object_type="assessment.Appeal",
            object_id=str(appeal_id)[:64],
        )
        raise AccessNotFound(_("Ikke funnet."))
    access_unit(user=user, id=appeal.final_grade.school_id, action="assessment.appeal.process")
    return appeal


def _refuse(*, appeal: Appeal, message: str) -> NoReturn:
    audit_record(
        action=AuditAction.DENIED,
        event="assessment.appeal.process.denied",
        person_ids=[appeal.pupil_id],
        object_type="assessment.Appeal",
        object_id=appeal.pk,
        details={"reason": message},
    )
    raise ValidationError(message, code="appeal_process_refused")


def _grade(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdecimal() and GRADE_MIN <= int(text) <= GRADE_MAX else None


def _letter(*, appeal: Appeal, step: str, paragraphs: list[str]) -> list[int]:
    grade = appeal.final_grade
    return decision_letters_send(
        child_person_id=appeal.pupil_id,
        guardian_ids=[appeal.guardian_id],
        title=_("Klage på standpunktkarakter i %(subject)s – %(child)s")
        % {"subject": grade.subject_name, "child": appeal.pupil.full_name},
        template="letters/melding.html",
        context={"paragraphs": paragraphs},
        case_ref=f"KLAGE-{appeal.pk}",
        key=f"assessment-klage-{step}:{appeal.pk}",
        archive_key=f"assessment-klage-{step}-arkiv:{appeal.pk}",
        case_type=CASE_TYPE,
        case_id=appeal.pk,
        case_title=_("Klage på standpunktkarakter"),
        document_date=clock.today(),
    )


def _reissue(*, appeal: Appeal) -> None:
    """Issue the pupil's leaving certificate again if it was issued with the old grade (in the caller's transaction)."""
    certificate_reissue(
        pupil_id=appeal.pupil_id,
        reason=_("Klage: ny standpunktkarakter i %(subject)s.") % {"subject": appeal.final_grade.subject_name},
    )


def appeal_assess(*, user: Actor, appeal_id: int | str, decision: str, assessment: str, new_grade: str = "") -> Appeal:
    """The school's assessment: ``changed`` sets ``new_grade`` now, ``upheld`` forwards to the statsforvalter."""
    appeal = appeal_for_processing(user=user, appeal_id=appeal_id)
    assessment = (assessment or "").strip()
    if appeal.status != AppealStatus.REGISTERED:
        _refuse(appeal=appeal, message=_("Skolen har allerede vurdert klagen."))
    if decision not in AppealOutcome.values:
        _refuse(appeal=appeal, message=_("Velg om karakteren står eller endres."))
    if not assessment or len(assessment) > TEXT_MAX:
        _refuse(appeal=appeal, message=_("Skriv skolens vurdering av klagen (høyst 4000 tegn)."))
    grade = _grade(new_grade)
    if decision == AppealOutcome.CHANGED and (grade is None or grade == appeal.final_grade.grade):
        _refuse(appeal=appeal, message=_("Oppgi den nye karakteren (1–6, en annen enn den klagen gjelder)."))
    now = clock.now()
    subject = appeal.final_grade.subject_name
    with transaction.atomic():
        appeal.original_grade = appeal.final_grade.grade
        appeal.school_assessment = assessment
        appeal.school_assessed_at = now
        appeal.school_assessed_by_user_id = user.pk
        if decision == AppealOutcome.CHANGED:
            assert grade is not None
            FinalGrade.objects.filter(pk=appeal.final_grade_id).update(grade=grade)
            _reissue(appeal=appeal)
            appeal.status = AppealStatus.CHANGED_BY_SCHOOL
            appeal.outcome, appeal.outcome_grade, appeal.outcome_at = AppealOutcome.CHANGED, grade, now
            paragraphs = [
                _("Skolen har vurdert klagen og gir medhold: ny standpunktkarakter i %(subject)s er %(grade)s.")
                % {"subject": subject, "grade": grade},
                _("Skolens vurdering: %(text)s") % {"text": assessment},
            ]
        else:
            appeal.status = AppealStatus.FORWARDED
            appeal.forwarded_at = now
            paragraphs = [
                _(
                    "Skolen har vurdert klagen og mener karakteren i %(subject)s skal stå. Klagen er derfor sendt "
                    "til statsforvalteren, som avgjør den."
                )
                % {"subject": subject},
                _("Skolens vurdering: %(text)s") % {"text": assessment},
            ]
        appeal.save()
        letters = _letter(appeal=appeal, step="skole", paragraphs=paragraphs)
        audit_record(
            action=AuditAction.UPDATE,
            event="assessment.appeal.assess",
            person_ids=[appeal.pupil_id, appeal.guardian_id],
            object_type="assessment.Appeal",
            object_id=appeal.pk,
            details={"decision": decision, "status": appeal.status, "letters": len(letters)},
        )
    return appeal


def appeal_outcome_record(
    *, user: Actor, appeal_id: int | str, outcome: str, grade: str = "", note: str = ""
) -> Appeal:
    """Record the statsforvalter's outcome of a forwarded appeal (a new grade is set) and notify the guardian."""
    appeal = appeal_for_processing(user=user, appeal_id=appeal_id)
    note = (note or "").strip()
    if appeal.status != AppealStatus.FORWARDED:
        _refuse(appeal=appeal, message=_("Klagen er ikke sendt til statsforvalteren, eller utfallet er registrert."))
    if outcome not in AppealOutcome.values:
        _refuse(appeal=appeal, message=_("Velg utfallet av klagen."))
    new = _grade(grade)
    if outcome == AppealOutcome.CHANGED and (new is None or new == appeal.final_grade.grade):
        _refuse(appeal=appeal, message=_("Oppgi den nye karakteren (1–6, en annen enn den klagen gjelder)."))
    if len(note) > TEXT_MAX:
        _refuse(appeal=appeal, message=_("Merknaden kan være høyst 4000 tegn."))
    subject = appeal.final_grade.subject_name
    with transaction.atomic():
        appeal.status, appeal.outcome, appeal.outcome_note, appeal.outcome_at = (
            AppealStatus.DECIDED,
            outcome,
            note,
            clock.now(),
        )
        if outcome == AppealOutcome.CHANGED:
            assert new is not None
            FinalGrade.objects.filter(pk=appeal.final_grade_id).update(grade=new)
            _reissue(appeal=appeal)
            appeal.outcome_grade = new
            paragraphs = [
                _("Statsforvalteren har gitt medhold i klagen: ny standpunktkarakter i %(subject)s er %(grade)s.")
                % {"subject": subject, "grade": new}
            ]
        else:
            appeal.outcome_grade = appeal.final_grade.grade
            paragraphs = [
                _("Statsforvalteren har avgjort klagen: standpunktkarakteren i %(subject)s står.")
                % {"subject": subject}
            ]
        if note:
            paragraphs.append(note)
        appeal.save()
        letters = _letter(appeal=appeal, step="utfall", paragraphs=paragraphs)
        audit_record(
            action=AuditAction.UPDATE,
            event="assessment.appeal.outcome",
            person_ids=[appeal.pupil_id, appeal.guardian_id],
            object_type="assessment.Appeal",
            object_id=appeal.pk,
            details={"outcome": outcome, "letters": len(letters)},
        )
    return appeal
