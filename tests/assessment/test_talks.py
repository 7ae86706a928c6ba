"""Development talks (§ 9-6): booked in the calendar's parent-meeting slots, notes written by the contact teacher,
visible to the class's teachers only; allowed and denied with exact status; bad input refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from assessment.models import DevelopmentTalk
from messaging.models import Event, EventSlot
from oas import clock
from tests.assessment.conftest import Upper, login

pytestmark = pytest.mark.django_db


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _booked(upper: Upper, child_id: int) -> EventSlot:
    start = clock.now() + dt.timedelta(days=3)
    event = Event.objects.create(
        title="Utviklingssamtaler 8A",
        unit=upper.class_8a,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        bookable=True,
        created_at=clock.now(),
    )
    return EventSlot.objects.create(
        event=event,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=20),
        child_id=child_id,
        booked_by=upper.guardian_10,
    )


def test_contact_teacher_sees_the_booked_talk_and_writes_notes(upper: Upper) -> None:
    slot = _booked(upper, upper.pupil_8.pk)
    url = reverse("assessment:talks", args=[upper.class_8a.pk])
    page = upper.contact_8a.get(url).content.decode()
    assert f'data-slot="{slot.pk}"' in page and upper.pupil_8.first_name in page
    response = upper.contact_8a.post(url, {"time": slot.pk, "referat": "Mål: lese mer."}, follow=True)
    assert "Referatet er lagret." in _messages(response)
    assert DevelopmentTalk.objects.get(slot_id=slot.pk).notes == "Mål: lese mer."
    assert "Mål: lese mer." in upper.principal.get(url).content.decode()  # the principal sees the notes too
    assert "Mål: lese mer." not in upper.parent_10.get(reverse("assessment:portal")).content.decode()


def test_bad_input_is_refused_and_nothing_is_written(upper: Upper) -> None:
    slot = _booked(upper, upper.pupil_8.pk)
    other = _booked(upper, upper.pupil_10.pk)  # a pupil of another class
    url = reverse("assessment:talks", args=[upper.class_8a.pk])
    assert "Skriv et referat" in _messages(upper.contact_8a.post(url, {"time": slot.pk, "referat": " "}, follow=True))
    response = upper.contact_8a.post(url, {"time": other.pk, "referat": "x"}, follow=True)
    assert "Fant ingen bestilt samtale" in _messages(response)
    assert not DevelopmentTalk.objects.exists()


def test_allowed_and_denied_with_exact_status(upper: Upper) -> None:
    slot = _booked(upper, upper.pupil_8.pk)
    url = reverse("assessment:talks", args=[upper.class_8a.pk])
    assert upper.contact_8a.get(url).status_code == 200
    assert upper.principal.get(url).status_code == 200
    assert upper.parent_10.get(url).status_code == 403
    assert login("kontaktlaerer").get(url).status_code == 404  # contact teacher of another class
    assert login("kontaktlaerer").post(url, {"time": slot.pk, "referat": "x"}).status_code == 404
    assert not DevelopmentTalk.objects.exists()
    class_page = upper.contact_8a.get(reverse("assessment:class", args=[upper.class_8a.pk])).content.decode()
    assert url in class_page  # reachable: the class page is linked from the menu's Vurdering page
