"""A leaving certificate issued again after a grade changed (vitnemål, opplæringsforskrifta § 9-43).

When an appeal changes a final grade, when an exam grade is changed after a klage, or when an exam grade is
registered after the certificate was issued, the certificate no longer shows the pupil's grades. The service that
changed the grade calls ``certificate_reissue`` inside its own transaction: a new version is issued with the new
grades (the rest of the content as first issued), the old version is kept and marked replaced, and the new PDF is
archived as a new journalpost on the same case (through the outbox, like the first). The guardians get a
notification, and their portal shows the current version only.

Idempotent: the new version is issued only when the grades differ from the current version's, so recording the same
outcome twice (or calling this twice) issues once. Rendering the PDF happens inside the caller's transaction: it is
rare (one pupil, after an appeal) and it keeps the grade change, the new certificate and its archive entry atomic.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from assessment import selectors
from assessment.certificates import CASE_TITLE, CASE_TYPE, certificate_pdf
from assessment.models import LeavingCertificate
from integrations.public import archive_document
from messaging.public import notify
from oas import clock
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.people.models import Person
from school.public import pupil_guardian_ids

REASON_MAX = 300


def certificate_reissue(*, pupil_id: int, reason: str) -> LeavingCertificate | None:
    """Issue a new version of the pupil's current certificate if its grades changed (system; idempotent).

    Return the new version, or None when the pupil has no certificate yet (the batch will show the new grade) or
    the current one already shows the grades.
    """
    with transaction.atomic():
        current = (
            LeavingCertificate.objects.select_for_update(of=("self",))
            .filter(pupil_id=pupil_id, replaced_at__isnull=True)
            .order_by("-issued_at", "-pk")
            .first()
        )
        if current is None:
            return None
        subjects = selectors.certificate_subjects(pupil_id=pupil_id, school_year=current.school_year)
        if selectors.certificate_grades_key(subjects) == selectors.certificate_grades_key(
            current.content.get("subjects", [])
        ):
            return None
        today = clock.today()
        now = clock.now()
        version = current.version + 1
        first_issued = current.content.get("issued", "")
        content = {
            **current.content,
            "subjects": subjects,
            "issued": today.isoformat(),
            "version": version,
            "replaces_issued": _display_date(first_issued),
            "reissue_reason": reason[:REASON_MAX],
        }
        pdf = certificate_pdf(content=content)
        LeavingCertificate.objects.filter(pk=current.pk).update(replaced_at=now)
        new = LeavingCertificate.objects.create(
            batch_id=current.batch_id,
            pupil_id=pupil_id,
            school_id=current.school_id,
            school_year=current.school_year,
            content=content,
            pdf=pdf,
            issued_at=now,
            version=version,
            reissue_reason=reason[:REASON_MAX],
        )
        LeavingCertificate.objects.filter(pk=current.pk).update(replaced_by=new)
        # The same saksmappe as the first version (its case id is the first version's id).
        case_id = (
            LeavingCertificate.objects.filter(pupil_id=pupil_id, school_year=current.school_year, version=1)
            .values_list("pk", flat=True)
            .first()
        ) or current.pk
        new.archive_record_id = archive_document(
            child_person_id=pupil_id,
            case_type=CASE_TYPE,
            case_id=case_id,
            case_title=CASE_TITLE,
            journalposttype="U",
            title=f"Vitnemål {current.school_year} – ny utgave {version}",
            pdf=pdf,
            document_date=today,
            idempotency_key=f"vitnemal:{pupil_id}:{current.school_year}:v{version}",
            filename=f"vitnemal-{version}.pdf",
        )
        new.save(update_fields=["archive_record_id"])
        # The guardians are told: the copy they may have printed or sent on is no longer the valid one.
        pupil = Person.objects.only("first_name").get(pk=pupil_id)
        notify(
            person_ids=pupil_guardian_ids(pupil_ids=[pupil_id], day=today).get(pupil_id, []),
            key=f"assessment.certificate.reissue.{new.pk}",
            title=_("Nytt vitnemål for %(child)s: %(reason)s") % {"child": pupil.first_name, "reason": reason[:120]},
            url=reverse("assessment:portal"),
            unit_id=current.school_id,
        )
        audit_record(
            action=AuditAction.CREATE,
            event="assessment.certificate.reissue",
            person_ids=[pupil_id],
            object_type="assessment.LeavingCertificate",
            object_id=new.pk,
            details={"replaces": current.pk, "version": version, "reason": reason[:REASON_MAX]},
        )
    return new


def _display_date(iso: str) -> str:
    try:
        return dt.date.fromisoformat(iso).strftime("%d.%m.%Y")
    except (TypeError, ValueError):
        return ""
