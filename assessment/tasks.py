"""Celery tasks of assessment (thin: the rules live in ``assessment.certificates``)."""

from __future__ import annotations

from celery import shared_task

from assessment import certificates


@shared_task(name="assessment.certificate_batch_dispatch", acks_late=True, ignore_result=True)
def certificate_batch_dispatch(batch_id: int) -> int:
    """Queue one ``certificate_issue_many`` task per chunk of the batch's pupils who have no certificate yet."""
    pending = certificates.certificate_batch_pending(batch_id=batch_id)
    for chunk in certificates.certificate_issue_chunks(pending):
        certificate_issue_many.delay(batch_id, chunk)
    return len(pending)


@shared_task(
    name="assessment.certificate_issue_many",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
)
def certificate_issue_many(batch_id: int, pupil_ids: list[int]) -> int:
    """Issue a chunk of the batch's pupils' leaving certificates (idempotent: a second run issues none twice)."""
    return certificates.certificate_issue_many(batch_id=batch_id, pupil_ids=pupil_ids)


@shared_task(
    name="assessment.certificate_issue",
    acks_late=True,
    ignore_result=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
)
def certificate_issue(batch_id: int, pupil_id: int) -> int | None:
    """Issue one pupil's leaving certificate (idempotent: a second run returns the first certificate); kept for the
    tasks queued one per pupil before the chunks."""
    certificate = certificates.certificate_issue(batch_id=batch_id, pupil_id=pupil_id)
    return certificate.pk if certificate else None
