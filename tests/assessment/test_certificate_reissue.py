"""A leaving certificate issued again when an appeal (or an exam klage) changes a grade after issue: a new version
with the new grade, the old one kept and marked replaced, a new journalpost through the outbox, the guardians see the
new one; idempotent. On the demo's ungdomsskole, with a classmate's certificate alongside."""

from __future__ import annotations

import io
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from assessment import certificates, selectors
from assessment.models import Appeal, CertificateBatch, ExamGrade, FinalGrade, LeavingCertificate
from assessment.reissue import certificate_reissue
from integrations.models import ArchiveRecord, OutboxMessage
from messaging.models import Notification
from oas.access.services import roles_recompute_for_employees
from oas.audit.models import AuditEvent
from oas.people.models import Employee
from tests import factories as f
from tests.assessment.conftest import Upper, staff_client
from tests.assessment.test_certificates import _grade_and_lock_all, _issue, _start

pytestmark = pytest.mark.django_db


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _text(certificate: LeavingCertificate) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(certificate.pdf))).pages).split())


def _math(certificate: LeavingCertificate, code: str) -> dict[str, Any]:
    return next(s for s in certificate.content["subjects"] if s["code"] == code)


def _archive_rows() -> int:
    return OutboxMessage.objects.filter(idempotency_key__startswith="noark:vitnemal:").count()


@pytest.fixture
def issued(upper: Upper, django_capture_on_commit_callbacks: Any) -> tuple[LeavingCertificate, LeavingCertificate]:
    """Math 4 locked, the batch started, the pupil's and a classmate's certificates issued."""
    _grade_and_lock_all(upper)
    _start(upper, django_capture_on_commit_callbacks)
    mine = _issue(upper)
    batch = CertificateBatch.objects.get(school=upper.school)
    other_id = next(p for p in batch.pupil_ids if p != upper.pupil_10.pk)
    theirs = certificates.certificate_issue(batch_id=batch.pk, pupil_id=other_id)
    assert theirs is not None
    return mine, theirs


def _appeal(upper: Upper) -> Appeal:
    grade = FinalGrade.objects.get(pupil=upper.pupil_10, group=upper.math_10a)
    upper.parent_10.post(reverse("assessment:appeal", args=[grade.pk]), {"begrunnelse": "Uenig"})
    return Appeal.objects.get(final_grade=grade)


def _process(upper: Upper, appeal: Appeal, **data: str) -> Any:
    return upper.principal.post(reverse("assessment:appeal_process", args=[appeal.pk]), data, follow=True)


def test_the_school_changing_the_grade_reissues_the_certificate(
    upper: Upper, issued: tuple[LeavingCertificate, LeavingCertificate]
) -> None:
    old, classmate = issued
    code = FinalGrade.objects.get(pupil=upper.pupil_10, group=upper.math_10a).subject_code
    assert _archive_rows() == 2  # one per issued certificate
    appeal = _appeal(upper)
    response = _process(upper, appeal, vurdering="changed", karakter="5", begrunnelse="Feil i summeringen.")
    assert "Skolens vurdering er registrert" in _messages(response)

    old.refresh_from_db()
    new = LeavingCertificate.objects.get(pupil=upper.pupil_10, replaced_at__isnull=True)
    assert new.pk != old.pk and new.version == 2
    assert old.replaced_at is not None and old.replaced_by_id == new.pk  # kept, marked replaced
    assert (_math(old, code)["standpunkt"], _math(new, code)["standpunkt"]) == (4, 5)
    name = _math(new, code)["name"]
    assert f"{name} 4" in _text(old) and f"{name} 5" in _text(new)
    assert "Ny utgave (2)" in _text(new) and "Ny utgave" not in _text(old)
    assert bytes(old.pdf) != bytes(new.pdf)
    # Archived again: one more outbox row and journalpost, on the same case.
    assert _archive_rows() == 3
    records = ArchiveRecord.objects.filter(child=upper.pupil_10, case_type="vitnemal").order_by("pk")
    assert records.count() == 2 and len({r.case_id for r in records}) == 1
    assert new.archive_record_id == records.last().pk  # type: ignore[union-attr]
    assert AuditEvent.objects.filter(event="assessment.certificate.reissue", object_id=str(new.pk)).exists()
    # The classmate's certificate is untouched.
    classmate.refresh_from_db()
    assert classmate.replaced_at is None and LeavingCertificate.objects.filter(pupil=classmate.pupil).count() == 1

    # The guardians are told once (the appeal's own notices aside), with the reason.
    told = Notification.objects.filter(key=f"assessment.certificate.reissue.{new.pk}")
    assert upper.guardian_10.pk in set(told.values_list("person_id", flat=True))
    assert all("Nytt vitnemål" in n.title and "Feil i summeringen" not in n.title for n in told)
    assert not Notification.objects.filter(key=f"assessment.certificate.reissue.{classmate.pk}").exists()
    # The guardian sees (and downloads) the new one only.
    portal = upper.parent_10.get(reverse("assessment:portal")).content.decode()
    assert reverse("assessment:portal_certificate", args=[new.pk]) in portal
    assert reverse("assessment:portal_certificate", args=[old.pk]) not in portal
    response = upper.parent_10.get(reverse("assessment:portal_certificate", args=[new.pk]))
    assert response.status_code == 200 and bytes(response.content) == bytes(new.pdf)
    # The school's list shows the current version; the batch still counts one certificate for the pupil.
    page = upper.principal.get(reverse("assessment:certificates", args=[upper.school.pk])).content.decode()
    assert reverse("assessment:certificate_pdf", args=[new.pk]) in page
    assert reverse("assessment:certificate_pdf", args=[old.pk]) not in page
    progress = certificates.batch_progress(school=upper.school, school_year=new.school_year)
    assert progress is not None and progress.done == 2
    # Running the batch's task again returns the current version, not a third.
    assert _issue(upper).pk == new.pk


def test_the_statsforvalters_outcome_reissues_once(
    upper: Upper, issued: tuple[LeavingCertificate, LeavingCertificate]
) -> None:
    code = FinalGrade.objects.get(pupil=upper.pupil_10, group=upper.math_10a).subject_code
    appeal = _appeal(upper)
    _process(upper, appeal, vurdering="upheld", begrunnelse="Karakteren er godt begrunnet.")
    assert LeavingCertificate.objects.filter(pupil=upper.pupil_10).count() == 1  # upheld: nothing to reissue
    _process(upper, appeal, handling="utfall", utfall="changed", karakter="3")
    again = _process(upper, appeal, handling="utfall", utfall="changed", karakter="3")  # recorded twice
    assert "utfallet er registrert" in _messages(again)
    versions = list(LeavingCertificate.objects.filter(pupil=upper.pupil_10).order_by("version"))
    assert [c.version for c in versions] == [1, 2]
    assert [_math(c, code)["standpunkt"] for c in versions] == [4, 3]
    reissued = Notification.objects.filter(key__startswith="assessment.certificate.reissue.")
    assert set(reissued.values_list("key", flat=True)) == {f"assessment.certificate.reissue.{versions[1].pk}"}
    assert versions[0].replaced_by_id == versions[1].pk and versions[1].replaced_at is None
    # Called again (a retry): the current certificate already shows the grade.
    assert certificate_reissue(pupil_id=upper.pupil_10.pk, reason="x") is None
    assert LeavingCertificate.objects.filter(pupil=upper.pupil_10).count() == 2
    assert _archive_rows() == 3  # two first issues and one reissue


def test_an_exam_grade_changed_after_a_klage_reissues_the_certificate(
    upper: Upper, django_capture_on_commit_callbacks: Any
) -> None:
    employee = cast(Employee, f.EmploymentFactory(unit=upper.school, position_code="MERKANTIL").employee)
    roles_recompute_for_employees(employee_ids=[employee.pk])
    office: Client = staff_client(employee)
    info = selectors.teaching_group(group=upper.math_10a)
    assert info is not None
    url = reverse("assessment:exams", args=[upper.school.pk])
    office.post(url, {"elev": upper.pupil_10.pk, "fag": info.subject_code, "form": "skriftlig", "karakter": "2"})
    _grade_and_lock_all(upper)
    _start(upper, django_capture_on_commit_callbacks)
    first = _issue(upper)
    assert _math(first, info.subject_code)["written"] == 2
    exam = ExamGrade.objects.get(pupil=upper.pupil_10)

    response = office.post(url, {"handling": "endre", "eksamen": exam.pk, "karakter": "4"}, follow=True)
    assert "Eksamenskarakteren er endret" in _messages(response)
    exam.refresh_from_db()
    assert (exam.grade, exam.original_grade) == (4, 2)
    office.post(url, {"handling": "endre", "eksamen": exam.pk, "karakter": "4"})  # the same outcome again
    versions = list(LeavingCertificate.objects.filter(pupil=upper.pupil_10).order_by("version"))
    assert [_math(c, info.subject_code)["written"] for c in versions] == [2, 4]
    assert versions[0].replaced_at is not None and versions[1].replaced_at is None
    assert _archive_rows() == 2  # the first issue and one reissue
    portal = upper.parent_10.get(reverse("assessment:portal")).content.decode()
    assert "endret etter klage, var 2" in portal

    # Denied: a teacher cannot change it, and a bad grade changes nothing.
    assert upper.teacher_10.post(url, {"handling": "endre", "eksamen": exam.pk, "karakter": "6"}).status_code == 403
    response = office.post(url, {"handling": "endre", "eksamen": exam.pk, "karakter": "9"}, follow=True)
    assert "helt tall fra 1 til 6" in _messages(response)
    assert ExamGrade.objects.get(pk=exam.pk).grade == 4
    assert LeavingCertificate.objects.filter(pupil=upper.pupil_10).count() == 2


def test_a_changed_grade_before_the_certificate_is_issued_issues_nothing(upper: Upper) -> None:
    data = {"handling": "standpunkt", "elev": [str(upper.pupil_10.pk)], f"standpunkt_{upper.pupil_10.pk}": "3"}
    upper.teacher_10.post(reverse("assessment:group", args=[upper.math_10a.pk]), data)
    upper.principal.post(reverse("assessment:school", args=[upper.school.pk]), {"gruppe": upper.math_10a.pk})
    appeal = _appeal(upper)
    _process(upper, appeal, vurdering="changed", karakter="4", begrunnelse="Feil.")
    assert FinalGrade.objects.get(pk=appeal.final_grade_id).grade == 4
    assert not LeavingCertificate.objects.exists() and _archive_rows() == 0
