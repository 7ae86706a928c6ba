"""The principal's decision on orden og oppførsel: the contact teacher proposes, the principal fixes the mark (and
may change it), then publishes it to the guardians; a decided mark can no longer be changed by a proposal."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from assessment import selectors
from assessment.models import ConductMark
from oas.audit.models import AuditEvent
from tests.assessment.conftest import Upper, login

pytestmark = pytest.mark.django_db


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _post(client: Any, upper: Upper, orden: str, oppforsel: str, handling: str = "") -> Any:
    pid = upper.pupil_8.pk
    data = {"elev": [pid], f"orden_{pid}": orden, f"oppforsel_{pid}": oppforsel, "handling": handling}
    return client.post(reverse("assessment:class", args=[upper.class_8a.pk]), data, follow=True)


def test_principal_decides_changes_and_publishes_and_the_guardian_then_sees_it(upper: Upper) -> None:
    _post(upper.contact_8a, upper, "G", "NG")
    response = _post(upper.principal, upper, "G", "G", "vedta")
    assert "fastsatt for 1 elever" in _messages(response)
    mark = ConductMark.objects.get(pupil=upper.pupil_8)
    assert (mark.oppforsel, mark.decided_at is not None, mark.published_at) == ("G", True, None)
    assert not selectors.child_results(child=upper.pupil_8).conduct  # decided, not yet published
    response = _post(upper.principal, upper, "", "", "publiser")
    assert "publisert for 1 elever" in _messages(response)
    assert [c.pk for c in selectors.child_results(child=upper.pupil_8).conduct] == [mark.pk]
    event = AuditEvent.objects.get(event="assessment.conduct.decide")
    assert event.details["changed"] == [upper.pupil_8.pk]
    # The contact teacher can no longer change a decided mark.
    response = _post(upper.contact_8a, upper, "LG", "LG")
    assert "allerede fastsatt" in _messages(response)
    assert ConductMark.objects.get(pupil=upper.pupil_8).orden == "G"


def test_a_decision_without_a_proposal_or_outside_the_scale_is_refused(upper: Upper) -> None:
    response = _post(upper.principal, upper, "G", "G", "vedta")
    assert "ikke foreslått" in _messages(response)
    _post(upper.contact_8a, upper, "G", "G")
    response = _post(upper.principal, upper, "X", "G", "vedta")
    assert "Velg G, Ng eller Lg" in _messages(response)
    assert ConductMark.objects.get(pupil=upper.pupil_8).decided_at is None
    assert AuditEvent.objects.filter(action="denied", event="assessment.conduct.decide.denied").exists()


def test_only_the_principal_of_the_school_decides(upper: Upper) -> None:
    _post(upper.contact_8a, upper, "G", "NG")
    url = reverse("assessment:class", args=[upper.class_8a.pk])
    pid = upper.pupil_8.pk
    data = {"elev": [pid], f"orden_{pid}": "G", f"oppforsel_{pid}": "G", "handling": "vedta"}
    assert upper.contact_8a.post(url, data).status_code == 404  # the contact teacher may not decide
    assert login("rektor").post(url, data).status_code == 404  # the principal of another school
    assert upper.parent_10.post(url, data).status_code == 403
    assert upper.contact_8a.post(url, {"handling": "publiser"}).status_code == 404
    assert ConductMark.objects.get(pupil=upper.pupil_8).decided_at is None


def test_the_principal_sees_the_decision_buttons_on_the_class_page(upper: Upper) -> None:
    page = upper.principal.get(reverse("assessment:class", args=[upper.class_8a.pk])).content.decode()
    assert 'value="vedta"' in page
    assert (
        'value="vedta"'
        not in upper.contact_8a.get(reverse("assessment:class", args=[upper.class_8a.pk])).content.decode()
    )
