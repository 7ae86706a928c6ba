"""§ 9-7 written warnings: sent by the contact teacher or the principal as letters to the guardians, kept and
archived; bad input refused with nothing written; exact status codes for the allowed and the denied."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from assessment.models import WrittenWarning
from integrations.models import ArchiveRecord, Letter
from oas import clock
from oas.access.relations import ChildRight, child_adult_ids
from oas.audit.models import AuditEvent
from tests.assessment.conftest import SchoolDemo, Upper, login

pytestmark = pytest.mark.django_db


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _send(client: Any, upper: Upper, **data: str) -> Any:
    form = {"elev": str(upper.pupil_8.pk), "type": "orden", "begrunnelse": "Mange anmerkninger for sen ankomst."}
    form.update(data)
    return client.post(reverse("assessment:warning", args=[upper.class_8a.pk]), form, follow=True)


def test_contact_teacher_sends_a_warning_and_each_guardian_gets_a_letter(upper: Upper) -> None:
    response = _send(upper.contact_8a, upper)
    assert response.status_code == 200
    assert "Varselet er sendt" in _messages(response)
    warning = WrittenWarning.objects.get(pupil=upper.pupil_8)
    guardians = child_adult_ids(child_ids=[upper.pupil_8.pk], right=ChildRight.WHEREABOUTS, on=clock.today())
    assert len(warning.letter_ids) == len(guardians[upper.pupil_8.pk]) >= 1
    assert Letter.objects.filter(pk__in=warning.letter_ids).count() == len(warning.letter_ids)
    assert ArchiveRecord.objects.filter(child=upper.pupil_8, case_type="varsel-vurdering").count() == 1
    assert AuditEvent.objects.filter(event="assessment.warning.send").exists()
    page = upper.contact_8a.get(reverse("assessment:class", args=[upper.class_8a.pk])).content.decode()
    assert "Mange anmerkninger for sen ankomst." in page


def test_principal_sends_a_missing_grade_warning(upper: Upper) -> None:
    response = _send(upper.principal, upper, type="no_grade", fag="Kroppsøving", begrunnelse="Lite deltakelse.")
    assert "Varselet er sendt" in _messages(response)
    assert WrittenWarning.objects.get(pupil=upper.pupil_8).subject_name == "Kroppsøving"


@pytest.mark.parametrize(
    "data",
    [
        {"type": "karakter"},
        {"begrunnelse": "  "},
        {"type": "no_grade", "fag": ""},
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(upper: Upper, data: dict[str, str]) -> None:
    response = _send(upper.contact_8a, upper, **data)
    assert response.status_code == 200 and _messages(response)
    assert not WrittenWarning.objects.exists() and not Letter.objects.exists()
    assert AuditEvent.objects.filter(action="denied", event="assessment.warning.send.denied").exists()


def test_the_same_warning_twice_in_a_term_is_refused(upper: Upper) -> None:
    _send(upper.contact_8a, upper)
    letters = Letter.objects.count()
    response = _send(upper.contact_8a, upper)
    assert "allerede sendt" in _messages(response)
    assert WrittenWarning.objects.count() == 1 and Letter.objects.count() == letters


def test_a_pupil_of_another_class_is_refused(upper: Upper) -> None:
    response = _send(upper.contact_8a, upper, elev=str(upper.pupil_10.pk))
    assert "går ikke i klassen" in _messages(response)
    assert not WrittenWarning.objects.exists()


def test_denied_with_exact_status(upper: Upper, school_demo: SchoolDemo) -> None:
    assert _send(upper.teacher_10, upper).status_code == 404  # a subject teacher passes the gate, not this class
    assert _send(upper.parent_10, upper).status_code == 403
    assert _send(login("kontaktlaerer"), upper).status_code == 404  # contact teacher of another class
    url = reverse("assessment:warning", args=[upper.class_8a.pk])
    assert upper.contact_8a.get(url).status_code == 405
    assert not WrittenWarning.objects.exists()


def test_the_form_is_on_the_class_page_for_the_contact_teacher(upper: Upper) -> None:
    page = upper.contact_8a.get(reverse("assessment:class", args=[upper.class_8a.pk])).content.decode()
    assert reverse("assessment:warning", args=[upper.class_8a.pk]) in page
