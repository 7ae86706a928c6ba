"""Leaving certificates (vitnemål, opplæringsforskrifta § 9-43) for every 10th-grader of a school.

The principal starts a batch once the school's final grades are locked (``certificate_batch_start``); a Celery
task fans out one task per ``ISSUE_CHUNK`` pupils (``certificate_issue_many``: the batch, the principal and the
pupils are read once for the chunk), which renders each pupil's PDF with weasyprint and archives it in Noark 5
(journalpost U on the pupil's case, through the outbox), one transaction per pupil. Idempotent: a pupil's certificate
is unique per school year and its archive key is fixed, so a task run twice, or a batch started twice, issues it once.

The certificate shows: the subjects with final grades (standpunkt) and exam grades (eksamen, written and oral,
registered by the school office: ``assessment.exams``), orden og oppførsel (the principal's decided mark of the last spring term), absence days and single hours (§ 9-44, counted by
``school.public.leaving_certificate_absence``), the school and the principal.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from assessment import selectors
from assessment.models import CertificateBatch, ConductMark, FinalGrade, LeavingCertificate
from integrations.public import archive_document, letter_pdf, publish_or_raise
from oas import clock
from oas.access.getters import AccessNotFound, access_unit
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Employment, Person, Placement, Service
from oas.periods import DATED, active_on
from school.public import leaving_certificate_absence, school_year_on

if TYPE_CHECKING:
    from oas.access.principal import Actor

logger = logging.getLogger(__name__)

CASE_TYPE = "vitnemal"
CASE_TITLE = "Vitnemål fra grunnskolen"
TEMPLATE = "assessment/vitnemal_pdf.html"
PRINCIPAL_POSITIONS = ("REKTOR",)
# Pupils per issuing task: the per-task work (the batch, the principal, who is done or waiting) is shared by the
# chunk, and ~100 tasks for a municipality's ~1,000 10th-graders still spread evenly over the workers. A small batch
# is still split in at least ISSUE_MIN_TASKS tasks, so that it does not wait for one worker.
ISSUE_CHUNK = 10
ISSUE_MIN_TASKS = 4


def _refuse(*, school: OrgUnit, message: str, **details: Any) -> NoReturn:
    audit_record(
        action=AuditAction.DENIED,
        event="assessment.certificate.start.denied",
        object_type="organisation.OrgUnit",
        object_id=school.pk,
        details={"reason": message, **details},
    )
    raise ValidationError(message, code="certificate_refused")


def tenth_grader_ids(*, school: OrgUnit, day: dt.date) -> list[int]:
    """Return the ids of the school's 10th-graders on ``day``."""
    return sorted(
        Placement.objects.filter(
            active_on(day, fields=DATED),
            service=Service.SCHOOL,
            unit=school,
            group__grade=selectors.FINAL_GRADE_LEVEL,
        ).values_list("child_id", flat=True)
    )


def unlocked_groups(*, school: OrgUnit, day: dt.date) -> list[str]:
    """Return the names of the school's 10th-grade teaching groups whose final grades are not locked."""
    return [g.group.name for g in selectors.school_final_groups(school=school, day=day) if g.lock is None]


def certificate_batch_start(*, user: Actor, school_id: int | str) -> CertificateBatch:
    """Start (or resume) the school's leaving certificates for this school year; refused unless every 10th-grade
    group's final grades are locked. The fan-out task is published when the transaction commits."""
    school = access_unit(user=user, id=school_id, action="assessment.certificate.issue")
    if school.kind != OrgUnitKind.SCHOOL:
        raise AccessNotFound(_("Ikke funnet."))
    today = clock.today()
    year = school_year_on(municipality_id=school.municipality_id, day=today)
    if year is None:
        _refuse(school=school, message=_("Kommunen har ikke registrert skoleåret."))
    pupils = tenth_grader_ids(school=school, day=today)
    if not pupils:
        _refuse(school=school, message=_("Skolen har ingen elever på 10. trinn."))
    unlocked = unlocked_groups(school=school, day=today)
    if unlocked or not selectors.school_final_groups(school=school, day=today):
        _refuse(
            school=school,
            message=_("Standpunktkarakterene må være låst før vitnemålene lages. Ikke låst: %(groups)s.")
            % {"groups": ", ".join(unlocked) or _("ingen grupper med standpunkt")},
            unlocked=unlocked,
        )
    with transaction.atomic():
        batch, created = CertificateBatch.objects.select_for_update().get_or_create(
            school=school,
            school_year=year.name,
            defaults={"pupil_ids": pupils, "started_at": clock.now(), "started_by_user_id": user.pk},
        )
        if not created:
            batch.pupil_ids = sorted(set(batch.pupil_ids) | set(pupils))
            batch.save(update_fields=["pupil_ids"])
        audit_record(
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            event="assessment.certificate.start",
            person_ids=pupils,
            object_type="assessment.CertificateBatch",
            object_id=batch.pk,
            details={"school_year": year.name, "pupils": len(pupils)},
        )
        batch_id = batch.pk
        transaction.on_commit(lambda: certificate_batch_publish(batch_id))
    return batch


def certificate_batch_publish(batch_id: int) -> None:
    """Publish the batch's fan-out task (a kick: starting the batch again finds what is still missing)."""
    from assessment.tasks import certificate_batch_dispatch

    try:
        publish_or_raise(certificate_batch_dispatch, args=(batch_id,))
    except Exception as exc:  # the batch is safe in PostgreSQL: starting it again queues what is missing
        logger.warning("vitnemål: could not queue batch %s (%s)", batch_id, exc)


def certificate_batch_pending(*, batch_id: int) -> list[int]:
    """Return the batch's pupils who have no certificate for the batch's school year yet (system)."""
    batch = CertificateBatch.objects.get(pk=batch_id)
    done = set(
        LeavingCertificate.objects.filter(pupil_id__in=batch.pupil_ids, school_year=batch.school_year).values_list(
            "pupil_id", flat=True
        )
    )
    return [pid for pid in batch.pupil_ids if pid not in done]


def certificate_issue_chunks(pupil_ids: list[int]) -> list[list[int]]:
    """Split the pupils still missing a certificate into the chunks of one issuing task each (in order)."""
    size = max(1, min(ISSUE_CHUNK, -(-len(pupil_ids) // ISSUE_MIN_TASKS)))
    return [pupil_ids[start : start + size] for start in range(0, len(pupil_ids), size)]


@dataclass(frozen=True)
class BatchProgress:
    batch: CertificateBatch
    total: int
    done: int

    @property
    def finished(self) -> bool:
        return self.done >= self.total


def batch_progress(*, school: OrgUnit, school_year: str) -> BatchProgress | None:
    """Return the school's batch of the school year with how many certificates are issued (one query each)."""
    batch = CertificateBatch.objects.filter(school=school, school_year=school_year).first()
    if batch is None:
        return None
    done = LeavingCertificate.objects.filter(batch=batch, replaced_at__isnull=True).aggregate(n=Count("id"))["n"]
    return BatchProgress(batch=batch, total=len(batch.pupil_ids), done=done)


def _principal_name(*, school: OrgUnit, day: dt.date) -> str:
    employment = (
        Employment.objects.filter(active_on(day), unit=school, position_code__in=PRINCIPAL_POSITIONS)
        .select_related("employee__person")
        .order_by("valid_from", "pk")
        .first()
    )
    return employment.employee.person.full_name if employment else ""


def certificate_content(
    *, pupil: Person, school: OrgUnit, school_year: str, day: dt.date, principal: str | None = None
) -> dict[str, Any]:
    """Return what the pupil's certificate shows (the JSON kept with it and the PDF's context); ``principal``: the
    school's principal's name when the caller has read it already (a chunk of pupils of one school)."""
    conduct = (  # the final mark: the principal's decision of a spring term
        ConductMark.objects.filter(pupil=pupil, period__endswith="V", decided_at__isnull=False)
        .order_by("-period")
        .first()
    )
    absence = leaving_certificate_absence(pupil_id=pupil.pk, municipality_id=school.municipality_id, day=day)
    return {
        "pupil": {"name": pupil.full_name, "birth_date": pupil.birth_date.isoformat() if pupil.birth_date else ""},
        "school": school.name,
        "municipality": school.municipality.name,
        "school_year": school_year,
        "issued": day.isoformat(),
        "subjects": selectors.certificate_subjects(pupil_id=pupil.pk, school_year=school_year),
        "orden": conduct.get_orden_display() if conduct else "",
        "oppforsel": conduct.get_oppforsel_display() if conduct else "",
        "absence": {"days": absence.days_on_certificate, "hours": absence.hours_on_certificate},
        "principal": _principal_name(school=school, day=day) if principal is None else principal,
    }


def certificate_pdf(*, content: dict[str, Any]) -> bytes:
    """Render a certificate's content to PDF (weasyprint)."""
    context = {
        **content,
        "birth_date": dt.date.fromisoformat(content["pupil"]["birth_date"]) if content["pupil"]["birth_date"] else None,
        "issued_date": dt.date.fromisoformat(content["issued"]),
    }
    return letter_pdf(render_to_string(TEMPLATE, context))


def certificate_issue(*, batch_id: int, pupil_id: int) -> LeavingCertificate | None:
    """Issue one pupil's certificate of the batch and queue it for the archive (system; idempotent).

    Return the certificate (the existing one when it was issued before), or None when the pupil has a final grade
    that is not locked and published (the certificate waits; the batch page shows it as missing).
    """
    batch = CertificateBatch.objects.select_related("school__municipality").get(pk=batch_id)
    existing = LeavingCertificate.objects.filter(
        pupil_id=pupil_id, school_year=batch.school_year, replaced_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    if FinalGrade.objects.filter(pupil_id=pupil_id, published_at__isnull=True).exists():
        logger.warning("vitnemål: pupil %s has final grades that are not locked; not issued", pupil_id)
        return None
    pupil = Person.objects.get(pk=pupil_id)
    return _certificate_write(batch=batch, pupil=pupil, today=clock.today(), principal=None)


def certificate_issue_many(*, batch_id: int, pupil_ids: list[int]) -> int:
    """Issue the certificates of a chunk of the batch's pupils as ``certificate_issue`` does (system; idempotent);
    return how many were issued now.

    What the chunk shares is read once: the batch, the school's principal, which pupils have a certificate already
    and which have a final grade that is not locked and published (they wait). Each certificate is rendered and
    written in a transaction of its own; a pupil whose certificate fails does not stop the others (the first error
    is raised at the end, so the task's retry finds what is still missing).
    """
    batch = CertificateBatch.objects.select_related("school__municipality").get(pk=batch_id)
    done = set(
        LeavingCertificate.objects.filter(
            pupil_id__in=pupil_ids, school_year=batch.school_year, replaced_at__isnull=True
        ).values_list("pupil_id", flat=True)
    )
    waiting = set(
        FinalGrade.objects.filter(pupil_id__in=pupil_ids, published_at__isnull=True).values_list("pupil_id", flat=True)
    )
    for pupil_id in sorted(waiting - done):
        logger.warning("vitnemål: pupil %s has final grades that are not locked; not issued", pupil_id)
    todo = [pid for pid in pupil_ids if pid not in done and pid not in waiting]
    if not todo:
        return 0
    pupils = Person.objects.in_bulk(todo)
    today = clock.today()
    principal = _principal_name(school=batch.school, day=today)
    issued = 0
    error: Exception | None = None
    for pupil_id in todo:
        pupil = pupils.get(pupil_id)
        if pupil is None:  # gone since the batch was started
            continue
        try:
            _certificate_write(batch=batch, pupil=pupil, today=today, principal=principal)
        except Exception as exc:  # the rest of the chunk goes on; raised below
            logger.exception("vitnemål: the certificate of pupil %s failed", pupil_id)
            error = error or exc
        else:
            issued += 1
    if error is not None:
        raise error
    return issued


def _certificate_write(
    *, batch: CertificateBatch, pupil: Person, today: dt.date, principal: str | None
) -> LeavingCertificate:
    """Render the pupil's certificate and store it with its archive entry in one transaction (a concurrent run of
    the same pupil that stored it first wins: its certificate is returned)."""
    content = certificate_content(
        pupil=pupil, school=batch.school, school_year=batch.school_year, day=today, principal=principal
    )
    pdf = certificate_pdf(content=content)  # outside the transaction: the slow part
    try:
        with transaction.atomic():
            certificate = LeavingCertificate.objects.create(
                batch=batch,
                pupil=pupil,
                school=batch.school,
                school_year=batch.school_year,
                content=content,
                pdf=pdf,
                issued_at=clock.now(),
            )
            certificate.archive_record_id = archive_document(
                child_person_id=pupil.pk,
                case_type=CASE_TYPE,
                case_id=certificate.pk,
                case_title=CASE_TITLE,
                journalposttype="U",
                title=f"Vitnemål {batch.school_year}",
                pdf=pdf,
                document_date=today,
                idempotency_key=f"vitnemal:{pupil.pk}:{batch.school_year}",
                filename="vitnemal.pdf",
            )
            certificate.save(update_fields=["archive_record_id"])
            audit_record(
                action=AuditAction.CREATE,
                event="assessment.certificate.issue",
                person_ids=[pupil.pk],
                object_type="assessment.LeavingCertificate",
                object_id=certificate.pk,
                details={"school_year": batch.school_year, "subjects": len(content["subjects"])},
            )
    except IntegrityError:  # a concurrent run of the same task issued it first
        return LeavingCertificate.objects.get(
            pupil_id=pupil.pk, school_year=batch.school_year, replaced_at__isnull=True
        )
    return certificate
