"""Celery tasks of assessment (thin: the rules live in ``assessment.certificates``)."""

from __future__ import annotations

from celery import shared_task

from assessment import certificates


@shared_task(name="assessment.certificate_batch_dispatch", acks_late=True, ignore_result=True)
def certificate_batch_dispatch(batch_id: int) -> int:
    """Queue one ``certificate_issue`` task per pupil of the batch who has no certificate yet."""
    pending = certificates.certificate_batch_pending(batch_id=batch_id)
    for pupil_id in pending:
        certificate_issue.delay(batch_id, pupil_id)
    return len(pending)


@shared_task(
    name="assessment.certificate_issue",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
)
def certificate_issue(batch_id: int, pupil_id: int) -> int | None:
    """Issue one pupil's leaving certificate (idempotent: a second run returns the first certificate)."""
    certificate = certificates.certificate_issue(batch_id=batch_id, pupil_id=pupil_id)
    return certificate.pk if certificate else None
