"""Leaving certificates (vitnemål, § 9-43): refused before the lock, one per pupil however often run, archived,
downloadable by the principal and the pupil's guardians only (exact status codes)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import certificates, selectors, tasks
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


def _issue_many(batch: CertificateBatch, pupil_ids: list[int]) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        issued = certificates.certificate_issue_many(batch_id=batch.pk, pupil_ids=pupil_ids)
    return issued, len(ctx.captured_queries)


# Before the chunks: 28 queries per certificate (its own task read the batch, whether it was issued, whether a grade
# waits, the pupil and the principal). In a chunk those five are read once for the chunk; what stays per pupil is the
# content (grades, conduct, the school years, the class, the absence), the certificate, its archive entry, the outbox
# row and the audit, with the savepoints of the test's transaction.
MAX_QUERIES_PER_CERTIFICATE = 24


def test_a_chunk_issues_each_pupil_once_reads_what_it_shares_once_and_leaves_a_waiting_pupil(upper: Upper) -> None:
    _grade_and_lock_all(upper)
    tenth = certificates.tenth_grader_ids(school=upper.school, day=clock.today())
    others = [p for p in tenth if p != upper.pupil_10.pk]
    assert len(others) >= 5
    waiting = others[0]  # a final grade that is not locked and published: no certificate yet
    grade = FinalGrade.objects.get(pupil=upper.pupil_10, group=upper.math_10a)
    FinalGrade.objects.create(
        pupil_id=waiting,
        group=upper.math_10a,
        school=upper.school,
        subject_code=grade.subject_code,
        subject_name=grade.subject_name,
        grade=3,
        entered_at=clock.now(),
    )
    batch = CertificateBatch.objects.create(
        school=upper.school, school_year="2026–2027", pupil_ids=tenth, started_at=clock.now()
    )

    issued_one, queries_one = _issue_many(batch, [upper.pupil_10.pk, waiting])
    issued_four, queries_four = _issue_many(batch, [waiting, *others[1:5]])
    again, _queries = _issue_many(batch, [upper.pupil_10.pk, waiting, *others[1:5]])  # the task run twice

    assert (issued_one, issued_four, again) == (1, 4, 0)
    per_certificate = (queries_four - queries_one) / 3
    print(
        f"queries: a chunk of 1 certificate {queries_one}, of 4 {queries_four}: {per_certificate:.1f} per certificate"
    )
    assert per_certificate <= MAX_QUERIES_PER_CERTIFICATE
    issued = set(LeavingCertificate.objects.filter(batch=batch).values_list("pupil_id", flat=True))
    assert issued == {upper.pupil_10.pk, *others[1:5]}
    assert ArchiveRecord.objects.filter(case_type="vitnemal").count() == 5
    assert set(certificates.certificate_batch_pending(batch_id=batch.pk)) == set(tenth) - issued
    single = LeavingCertificate.objects.get(pupil=upper.pupil_10)
    # The principal read once for the chunk is the one a certificate of its own reads.
    alone = certificates.certificate_content(
        pupil=upper.pupil_10, school=upper.school, school_year=batch.school_year, day=clock.today()
    )
    assert alone["principal"] and alone == single.content
    assert {c.content["principal"] for c in LeavingCertificate.objects.filter(batch=batch)} == {alone["principal"]}
    assert single.content["subjects"][0]["standpunkt"] == 4 and bytes(single.pdf).startswith(b"%PDF")


def test_the_batch_is_queued_in_chunks_of_the_pupils_still_missing(upper: Upper, monkeypatch: Any) -> None:
    _grade_and_lock_all(upper)
    tenth = certificates.tenth_grader_ids(school=upper.school, day=clock.today())
    batch = CertificateBatch.objects.create(
        school=upper.school, school_year="2026–2027", pupil_ids=tenth, started_at=clock.now()
    )
    certificates.certificate_issue(batch_id=batch.pk, pupil_id=upper.pupil_10.pk)
    queued: list[tuple[int, list[int]]] = []
    monkeypatch.setattr(tasks.certificate_issue_many, "delay", lambda *args: queued.append(args))

    assert tasks.certificate_batch_dispatch(batch.pk) == len(tenth) - 1

    assert all(b == batch.pk and 0 < len(chunk) <= certificates.ISSUE_CHUNK for b, chunk in queued)
    assert len(queued) >= min(certificates.ISSUE_MIN_TASKS, len(tenth) - 1)  # a small batch is not one worker's
    assert [p for _b, chunk in queued for p in chunk] == [p for p in tenth if p != upper.pupil_10.pk]


@pytest.mark.parametrize(
    ("pupils", "sizes"), [(0, []), (1, [1]), (8, [2, 2, 2, 2]), (41, [10, 10, 10, 10, 1]), (100, [10] * 10)]
)
def test_chunks_of_at_most_ten_and_at_least_four_tasks_when_there_are_pupils_enough(
    pupils: int, sizes: list[int]
) -> None:
    chunks = certificates.certificate_issue_chunks(list(range(pupils)))
    assert [len(c) for c in chunks] == sizes
    assert [p for c in chunks for p in c] == list(range(pupils))
