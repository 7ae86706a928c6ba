"""Leaving certificates (vitnemål, § 9-43): refused before the lock, one per pupil however often run, archived,
downloadable by the principal and the pupil's guardians only (exact status codes)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from assessment import certificates, selectors
from assessment.models import CertificateBatch, ConductMark, FinalGrade, FinalGradeLock, LeavingCertificate
from integrations.models import ArchiveRecord, OutboxMessage
from oas import clock
from oas.audit.models import AuditEvent
from tests.assessment.conftest import Upper, login

pytestmark = pytest.mark.django_db


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _grade_and_lock_all(upper: Upper) -> None:
    """Math 4 for the 10th-grader, then the principal locks every 10th-grade group of the school."""
    data = {"handling": "standpunkt", "elev": [str(upper.pupil_10.pk)], f"standpunkt_{upper.pupil_10.pk}": "4"}
    upper.teacher_10.post(reverse("assessment:group", args=[upper.math_10a.pk]), data)
    for row in selectors.school_final_groups(school=upper.school, day=clock.today()):
        upper.principal.post(reverse("assessment:school", args=[upper.school.pk]), {"gruppe": row.group.pk})
    assert FinalGradeLock.objects.filter(group=upper.math_10a).exists()


def _start(upper: Upper, capture: Any) -> Any:
    with capture(execute=False) as callbacks:
        response = upper.principal.post(reverse("assessment:certificates", args=[upper.school.pk]), follow=True)
    return response, callbacks


def _issue(upper: Upper) -> LeavingCertificate:
    batch = CertificateBatch.objects.get(school=upper.school)
    certificate = certificates.certificate_issue(batch_id=batch.pk, pupil_id=upper.pupil_10.pk)
    assert certificate is not None
    return certificate


def test_starting_before_the_grades_are_locked_is_refused_and_nothing_is_written(
    upper: Upper, django_capture_on_commit_callbacks: Any
) -> None:
    data = {"handling": "standpunkt", "elev": [str(upper.pupil_10.pk)], f"standpunkt_{upper.pupil_10.pk}": "4"}
    upper.teacher_10.post(reverse("assessment:group", args=[upper.math_10a.pk]), data)
    response, callbacks = _start(upper, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "må være låst" in _messages(response)
    assert not CertificateBatch.objects.exists() and not callbacks
    assert AuditEvent.objects.filter(action="denied", event="assessment.certificate.start.denied").exists()


def test_principal_starts_the_batch_and_each_certificate_is_issued_once_and_archived(
    upper: Upper, django_capture_on_commit_callbacks: Any
) -> None:
    _grade_and_lock_all(upper)
    # The certificate shows the principal's decided spring mark (a proposal alone is not on it).
    ConductMark.objects.create(
        pupil=upper.pupil_10,
        klass=upper.class_10a,
        period="2026V",
        orden="G",
        oppforsel="NG",
        proposed_at=clock.now(),
        decided_at=clock.now(),
    )
    response, callbacks = _start(upper, django_capture_on_commit_callbacks)
    assert "Vitnemålene lages nå" in _messages(response)
    assert len(callbacks) == 1  # the fan-out task is published when the transaction commits
    batch = CertificateBatch.objects.get(school=upper.school)
    assert upper.pupil_10.pk in batch.pupil_ids
    assert upper.pupil_10.pk in certificates.certificate_batch_pending(batch_id=batch.pk)

    first = _issue(upper)
    again = _issue(upper)  # the task run twice: once
    assert first.pk == again.pk
    assert LeavingCertificate.objects.filter(pupil=upper.pupil_10).count() == 1
    assert bytes(first.pdf).startswith(b"%PDF")
    subjects = {s["code"]: s["standpunkt"] for s in first.content["subjects"]}
    assert subjects[FinalGrade.objects.get(pupil=upper.pupil_10, group=upper.math_10a).subject_code] == 4
    assert (first.content["orden"], first.content["oppforsel"]) == ("God (G)", "Nokså god (Ng)")
    assert first.content["school"] == upper.school.name
    assert set(first.content["absence"]) == {"days", "hours"}
    assert ArchiveRecord.objects.filter(child=upper.pupil_10, case_type="vitnemal").count() == 1
    assert OutboxMessage.objects.filter(idempotency_key__startswith="noark:vitnemal:").count() == 1
    assert upper.pupil_10.pk not in certificates.certificate_batch_pending(batch_id=batch.pk)

    # Started again: the same batch, no second row.
    _start(upper, django_capture_on_commit_callbacks)
    assert CertificateBatch.objects.count() == 1
    page = upper.principal.get(reverse("assessment:certificates", args=[upper.school.pk])).content.decode()
    assert f"1 av {len(batch.pupil_ids)} vitnemål er laget." in page
    assert reverse("assessment:certificate_pdf", args=[first.pk]) in page


def test_a_pupil_with_an_unlocked_grade_gets_no_certificate(upper: Upper) -> None:
    _grade_and_lock_all(upper)
    batch = CertificateBatch.objects.create(
        school=upper.school, school_year="2026–2027", pupil_ids=[upper.pupil_10.pk], started_at=clock.now()
    )
    FinalGrade.objects.filter(pupil=upper.pupil_10).update(published_at=None)
    assert certificates.certificate_issue(batch_id=batch.pk, pupil_id=upper.pupil_10.pk) is None
    assert not LeavingCertificate.objects.exists() and not ArchiveRecord.objects.exists()


def test_the_certificates_page_allowed_and_denied(upper: Upper) -> None:
    url = reverse("assessment:certificates", args=[upper.school.pk])
    assert upper.principal.get(url).status_code == 200
    assert upper.teacher_10.get(url).status_code == 403
    assert upper.parent_10.get(url).status_code == 403
    assert login("rektor").get(url).status_code == 404  # the principal of another school
    assert upper.teacher_10.post(url).status_code == 403
    assert login("rektor").post(url).status_code == 404
    assert not CertificateBatch.objects.exists()


def test_the_page_is_linked_from_the_school_status(upper: Upper) -> None:
    page = upper.principal.get(reverse("assessment:school", args=[upper.school.pk])).content.decode()
    assert reverse("assessment:certificates", args=[upper.school.pk]) in page


def test_downloads_for_the_principal_and_the_pupils_guardian_only(
    upper: Upper, django_capture_on_commit_callbacks: Any
) -> None:
    _grade_and_lock_all(upper)
    _start(upper, django_capture_on_commit_callbacks)
    certificate = _issue(upper)
    staff_url = reverse("assessment:certificate_pdf", args=[certificate.pk])
    portal_url = reverse("assessment:portal_certificate", args=[certificate.pk])

    response = upper.principal.get(staff_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert upper.teacher_10.get(staff_url).status_code == 403
    assert login("rektor").get(staff_url).status_code == 404

    portal = upper.parent_10.get(reverse("assessment:portal")).content.decode()
    assert portal_url in portal
    response = upper.parent_10.get(portal_url)
    assert response.status_code == 200 and bytes(response.content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(event="assessment.certificate.download").exists()
    assert login("foresatt").get(portal_url).status_code == 404  # a guardian of another child
    # A teacher passes the coarse gate (anyone may download their own certificate) but this one is not hers.
    assert upper.teacher_10.get(portal_url).status_code == 404
