"""Processing an appeal against a final grade: the school's assessment (changed or upheld and forwarded to the
statsforvalter), the outcome recorded, the guardian notified by letter; allowed and denied with exact status."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from assessment.models import Appeal, AppealStatus, FinalGrade
from integrations.models import Letter
from oas.audit.models import AuditEvent
from tests.assessment.conftest import Upper, login

pytestmark = pytest.mark.django_db


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _appeal(upper: Upper) -> Appeal:
    data = {"handling": "standpunkt", "elev": [str(upper.pupil_10.pk)], f"standpunkt_{upper.pupil_10.pk}": "3"}
    upper.teacher_10.post(reverse("assessment:group", args=[upper.math_10a.pk]), data)
    upper.principal.post(reverse("assessment:school", args=[upper.school.pk]), {"gruppe": upper.math_10a.pk})
    grade = FinalGrade.objects.get(pupil=upper.pupil_10, group=upper.math_10a)
    upper.parent_10.post(reverse("assessment:appeal", args=[grade.pk]), {"begrunnelse": "Uenig"})
    return Appeal.objects.get(final_grade=grade)


def _post(client: Any, appeal: Appeal, **data: str) -> Any:
    return client.post(reverse("assessment:appeal_process", args=[appeal.pk]), data, follow=True)


def test_the_school_changes_the_grade_and_the_guardian_gets_a_letter(upper: Upper) -> None:
    appeal = _appeal(upper)
    response = _post(upper.principal, appeal, vurdering="changed", karakter="4", begrunnelse="Feil i summeringen.")
    assert "Skolens vurdering er registrert" in _messages(response)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.original_grade, appeal.outcome_grade) == (AppealStatus.CHANGED_BY_SCHOOL, 3, 4)
    assert FinalGrade.objects.get(pk=appeal.final_grade_id).grade == 4
    assert Letter.objects.filter(recipient_id=upper.guardian_10.pk).count() == 1
    portal = upper.parent_10.get(reverse("assessment:portal")).content.decode()
    assert "Endret av skolen" in portal


def test_upheld_is_forwarded_and_the_statsforvalters_outcome_is_recorded(upper: Upper) -> None:
    appeal = _appeal(upper)
    _post(upper.principal, appeal, vurdering="upheld", begrunnelse="Karakteren er godt begrunnet.")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.FORWARDED and appeal.forwarded_at is not None
    assert FinalGrade.objects.get(pk=appeal.final_grade_id).grade == 3
    response = _post(upper.principal, appeal, handling="utfall", utfall="changed", karakter="2")
    assert "Utfallet er registrert" in _messages(response)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.outcome, appeal.outcome_grade) == (AppealStatus.DECIDED, "changed", 2)
    assert FinalGrade.objects.get(pk=appeal.final_grade_id).grade == 2
    assert Letter.objects.filter(recipient_id=upper.guardian_10.pk).count() == 2
    assert AuditEvent.objects.filter(event="assessment.appeal.outcome").exists()


@pytest.mark.parametrize(
    "data",
    [
        {"vurdering": "changed", "karakter": "7", "begrunnelse": "x"},
        {"vurdering": "changed", "karakter": "3", "begrunnelse": "x"},
        {"vurdering": "kanskje", "begrunnelse": "x"},
        {"vurdering": "upheld", "begrunnelse": " "},
        {"handling": "utfall", "utfall": "upheld"},  # not forwarded yet
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(upper: Upper, data: dict[str, str]) -> None:
    appeal = _appeal(upper)
    response = _post(upper.principal, appeal, **data)
    assert _messages(response)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REGISTERED and not appeal.school_assessment
    assert FinalGrade.objects.get(pk=appeal.final_grade_id).grade == 3
    assert not Letter.objects.exists()
    assert AuditEvent.objects.filter(action="denied", event="assessment.appeal.process.denied").exists()


def test_allowed_and_denied_with_exact_status(upper: Upper) -> None:
    appeal = _appeal(upper)
    url = reverse("assessment:appeal_process", args=[appeal.pk])
    assert upper.principal.get(url).status_code == 200
    assert upper.teacher_10.get(url).status_code == 403
    assert upper.parent_10.get(url).status_code == 403
    assert login("rektor").get(url).status_code == 404  # the principal of another school
    assert login("rektor").post(url, {"vurdering": "upheld", "begrunnelse": "x"}).status_code == 404
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.REGISTERED
    status = upper.principal.get(reverse("assessment:school", args=[upper.school.pk])).content.decode()
    assert url in status  # linked from the school status page (in the menu)
