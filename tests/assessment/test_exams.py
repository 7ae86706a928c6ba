"""Exam grades (eksamenskarakterer): the school office registers them for 10th-graders per subject and exam form;
bad input is refused with nothing written; the guardian sees them; the leaving certificate shows them beside
standpunkt. Allowed and denied with exact status codes, on the demo's ungdomsskole with its other pupils."""

from __future__ import annotations

import io
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from assessment import selectors
from assessment.models import CertificateBatch, ExamGrade
from oas import clock
from oas.access.services import roles_recompute_for_employees
from oas.audit.models import AuditEvent
from oas.people.models import Employee, Placement, Service
from tests import factories as f
from tests.assessment.conftest import Upper, login, persona_user, staff_client
from tests.assessment.test_certificates import _grade_and_lock_all, _issue, _start

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(upper: Upper) -> Client:
    """The school office (merkantil) of the ungdomsskole."""
    employee = cast(Employee, f.EmploymentFactory(unit=upper.school, position_code="MERKANTIL").employee)
    roles_recompute_for_employees(employee_ids=[employee.pk])
    return staff_client(employee)


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _math(upper: Upper) -> str:
    info = selectors.teaching_group(group=upper.math_10a)
    assert info is not None
    return info.subject_code


def _url(upper: Upper) -> str:
    return reverse("assessment:exams", args=[upper.school.pk])


def _record(client: Client, upper: Upper, **data: Any) -> Any:
    payload = {"elev": upper.pupil_10.pk, "fag": _math(upper), "form": "skriftlig", "karakter": "5"}
    payload.update(data)
    return client.post(_url(upper) + f"?klasse={upper.class_10a.pk}", payload, follow=True)


def _pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_office_registers_exam_grades_and_the_guardian_sees_them(upper: Upper, office: Client) -> None:
    page = office.get(_url(upper), {"klasse": upper.class_10a.pk})
    assert page.status_code == 200
    classmates = Placement.objects.filter(service=Service.SCHOOL, group=upper.class_10a).count()
    assert classmates > 1 and len(page.context["rows"]) == classmates  # the whole class, not just our pupil
    assert _math(upper) in dict(next(r for r in page.context["rows"] if r.pupil == upper.pupil_10).subjects)

    response = _record(office, upper)
    assert "Eksamenskarakteren er registrert" in _messages(response)
    response = _record(office, upper, form="muntlig", karakter="4")  # the oral exam in the same subject
    assert "Eksamenskarakteren er registrert" in _messages(response)
    grades = ExamGrade.objects.filter(pupil=upper.pupil_10).order_by("form")
    assert [(g.form, g.grade, g.school_id) for g in grades] == [
        ("muntlig", 4, upper.school.pk),
        ("skriftlig", 5, upper.school.pk),
    ]
    assert ExamGrade.objects.count() == 2  # nobody else in the class got one
    assert (
        AuditEvent.objects.filter(event="assessment.exam.record", person_ids__contains=[upper.pupil_10.pk]).count() == 2
    )

    portal = upper.parent_10.get(reverse("assessment:portal"))
    assert portal.status_code == 200
    html = portal.content.decode()
    assert "Eksamenskarakterer" in html and "Skriftlig" in html and "Muntlig" in html
    (child,) = [r for r in portal.context["results"] if r.child == upper.pupil_10]
    assert sorted(e.grade for e in child.exams) == [4, 5]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"karakter": "7"}, "helt tall fra 1 til 6"),
        ({"karakter": "0"}, "helt tall fra 1 til 6"),
        ({"karakter": "fem"}, "helt tall fra 1 til 6"),
        ({"form": "praktisk"}, "Velg eksamensform"),
        ({"fag": "XYZ9999"}, "Ukjent fag"),
        ({"elev": "pupil_8"}, "går ikke på 10. trinn"),
        ({"elev": "pupil_of_another_school"}, "går ikke på 10. trinn"),
        ({"elev": "999999999"}, "går ikke på 10. trinn"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(
    upper: Upper, office: Client, data: dict[str, str], message: str
) -> None:
    if data.get("elev") == "pupil_8":
        data = {**data, "elev": str(upper.pupil_8.pk)}
    if data.get("elev") == "pupil_of_another_school":
        other = Placement.objects.filter(service=Service.SCHOOL).exclude(unit=upper.school).first()
        assert other is not None
        data = {**data, "elev": str(other.child_id)}
    response = _record(office, upper, **data)
    assert response.status_code == 200
    assert message in _messages(response)
    assert not ExamGrade.objects.exists()
    assert AuditEvent.objects.filter(action="denied", event="assessment.exam.record.denied").exists()


def test_a_second_grade_for_the_same_subject_and_exam_form_is_refused(upper: Upper, office: Client) -> None:
    _record(office, upper, karakter="5")
    response = _record(office, upper, karakter="2")
    assert "har allerede en eksamenskarakter" in _messages(response)
    assert list(ExamGrade.objects.values_list("grade", flat=True)) == [5]


def test_allowed_and_denied_with_exact_status(upper: Upper, office: Client) -> None:
    url = _url(upper)
    assert office.get(url).status_code == 200
    assert upper.principal.get(url).status_code == 200
    assert upper.teacher_10.get(url).status_code == 403
    assert upper.parent_10.get(url).status_code == 403
    assert login("merkantil").get(url).status_code == 404  # the office of another school
    payload = {"elev": upper.pupil_10.pk, "fag": _math(upper), "form": "skriftlig", "karakter": "5"}
    assert upper.teacher_10.post(url, payload).status_code == 403
    assert upper.parent_10.post(url, payload).status_code == 403
    assert login("merkantil").post(url, payload).status_code == 404
    assert not ExamGrade.objects.exists()
    assert upper.principal.post(url, payload).status_code == 302
    assert ExamGrade.objects.count() == 1


def test_the_page_is_reachable_from_the_menu_and_the_school_status(upper: Upper, office: Client) -> None:
    from oas import navigation

    item = navigation.nav_item("staff-assessment-exams")
    assert navigation.item_visible(user=persona_user("merkantil"), item=item)
    assert navigation.item_visible(user=persona_user("rektor"), item=item)
    assert not navigation.item_visible(user=persona_user("laerer"), item=item)
    assert not navigation.item_visible(user=persona_user("foresatt"), item=item)
    status = office.get(reverse("assessment:school", args=[upper.school.pk])).content.decode()
    assert _url(upper) in status
    assert _url(upper) not in upper.teacher_10.get(reverse("assessment:my_groups")).content.decode()


def test_the_certificate_shows_the_exam_grades_beside_standpunkt(
    upper: Upper, office: Client, django_capture_on_commit_callbacks: Any
) -> None:
    _grade_and_lock_all(upper)  # standpunkt 4 in math
    _record(office, upper, karakter="6")
    _start(upper, django_capture_on_commit_callbacks)
    certificate = _issue(upper)
    (math,) = [s for s in certificate.content["subjects"] if s["code"] == _math(upper)]
    assert (math["standpunkt"], math["written"], math["oral"]) == (4, 6, None)
    text = _pdf_text(bytes(certificate.pdf))
    assert "Eksamen skriftlig" in text and "Eksamen muntlig" in text
    assert f"{math['name']} 4 6" in " ".join(text.split())
    # A classmate without exam grades gets none on theirs.
    other = next(p for p in CertificateBatch.objects.get().pupil_ids if p != upper.pupil_10.pk)
    from assessment import certificates

    theirs = certificates.certificate_issue(batch_id=CertificateBatch.objects.get().pk, pupil_id=other)
    assert theirs is not None
    assert all(s["written"] is None and s["oral"] is None for s in theirs.content["subjects"])
    assert clock.today().isoformat() == certificate.content["issued"]
