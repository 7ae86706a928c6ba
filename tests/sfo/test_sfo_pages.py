"""SFO admission pages: apply at the child's school, answer the offer; the office publishes. Each with a denied case."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse

from oas.access.services import role_mapping_seed
from oas.people.models import Employee, Person, Placement
from sfo import services
from sfo.models import SfoApplication, SfoApplicationStatus, SfoRoundState
from tests.factories import (
    EmployeeFactory,
    EmploymentFactory,
    PersonFactory,
    guardian_account,
    sector_office,
    staff_account,
)
from tests.sfo.test_sfo_admission import apply, day, pupil, setup_round  # noqa: F401  (day is a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles() -> None:
    role_mapping_seed()


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def office() -> Client:
    employee = cast(Employee, EmployeeFactory())
    EmploymentFactory(employee=employee, unit=sector_office(), position_code="OPPTAK")
    return login(staff_account(employee).user)


def test_a_guardian_applies_for_sfo_at_the_childs_school(day) -> None:  # noqa: F811
    _rnd, sfo, other_sfo = setup_round()
    child, guardian = pupil(dt.date(2021, 3, 1))
    client = login(guardian_account(guardian).user)
    page = client.get(reverse("sfo_pages:portal_apply", args=[child.pk])).content.decode()
    assert sfo.name in page
    assert other_sfo.name not in page  # only the SFO of the child's school
    response = client.post(
        reverse("sfo_pages:portal_apply", args=[child.pk]),
        {"unit": sfo.pk, "place_type": "hours", "hours_per_week": 12, "start_date": "2027-08-15"},
    )
    assert response.status_code == 302
    application = SfoApplication.objects.get(child=child)
    assert (application.unit_id, application.hours_per_week) == (sfo.pk, 12)


def test_another_schools_sfo_or_a_past_date_is_refused_on_the_form(day) -> None:  # noqa: F811
    _rnd, sfo, other_sfo = setup_round()
    child, guardian = pupil(dt.date(2021, 3, 1))
    client = login(guardian_account(guardian).user)
    url = reverse("sfo_pages:portal_apply", args=[child.pk])
    assert client.post(url, {"unit": other_sfo.pk, "place_type": "full", "start_date": "2027-08-15"}).status_code == 400
    response = client.post(url, {"unit": sfo.pk, "place_type": "full", "start_date": "2026-08-15"})
    assert response.status_code == 400
    assert "tilbake i tid" in response.content.decode()
    assert not SfoApplication.objects.exists()


def test_a_person_without_parental_responsibility_cannot_apply_for_sfo(day) -> None:  # noqa: F811
    _rnd, sfo, _ = setup_round()
    child, _guardian = pupil(dt.date(2021, 3, 1))
    _own_child, stranger = pupil(dt.date(2020, 3, 1))
    client = login(guardian_account(stranger).user)
    response = client.post(
        reverse("sfo_pages:portal_apply", args=[child.pk]),
        {"unit": sfo.pk, "place_type": "full", "start_date": "2027-08-15"},
    )
    assert response.status_code == 404
    assert not SfoApplication.objects.exists()


def test_the_office_publishes_and_the_guardian_accepts_the_sfo_offer(day) -> None:  # noqa: F811
    rnd, sfo, _ = setup_round()
    child, guardian = pupil(dt.date(2021, 3, 1))
    application = apply(rnd, sfo, child, guardian)
    client = office()
    action = reverse("sfo_pages:office_round_action", args=[rnd.pk])
    client.post(action, {"action": "close"})
    confirm = client.post(action, {"action": "publish"})
    assert confirm.status_code == 200
    assert "Dette kan ikke angres." in confirm.content.decode()
    rnd.refresh_from_db()
    assert rnd.state == SfoRoundState.CLOSED  # asking is not publishing
    client.post(action, {"action": "publish", "bekreft": "ja"})
    rnd.refresh_from_db()
    assert rnd.state == SfoRoundState.PUBLISHED
    stranger = cast(Person, PersonFactory())
    denied = login(guardian_account(stranger).user).post(
        reverse("sfo_pages:portal_answer", args=[application.pk]), {"answer": "accept"}
    )
    assert denied.status_code in (403, 404)
    login(guardian_account(guardian).user).post(
        reverse("sfo_pages:portal_answer", args=[application.pk]), {"answer": "accept"}
    )
    application.refresh_from_db()
    assert application.status == SfoApplicationStatus.ACCEPTED
    assert Placement.objects.filter(child=child, unit=sfo).exists()


def test_a_guardian_cannot_run_the_sfo_round(day) -> None:  # noqa: F811
    rnd, _sfo, _ = setup_round()
    _child, guardian = pupil(dt.date(2021, 3, 1))
    client = login(guardian_account(guardian).user)
    assert client.get(reverse("sfo_pages:office_rounds")).status_code == 403
    assert client.post(reverse("sfo_pages:office_round_action", args=[rnd.pk]), {"action": "close"}).status_code == 403
    rnd.refresh_from_db()
    assert rnd.state == SfoRoundState.OPEN


def test_publishing_an_sfo_round_queues_the_decision_letters_after_the_commit_and_they_are_sent_and_archived(
    day,  # noqa: F811
    monkeypatch,
    django_capture_on_commit_callbacks,
) -> None:
    from integrations.models import ArchiveRecord, Letter, OutboxMessage
    from sfo import letters, services

    monkeypatch.setattr("integrations.outbox.services._kick_claimer", lambda: None)
    rnd, sfo, _ = setup_round(capacity=1)
    child, guardian = pupil(dt.date(2021, 3, 1))
    application = apply(rnd, sfo, child, guardian)
    services.sfo_round_close(sfo_round=rnd)
    with django_capture_on_commit_callbacks(execute=True):
        services.sfo_round_match_and_publish(sfo_round=rnd)
    # Publishing wrote the promise to send as an outbox row (delivered by the outbox: sfo_decision_letters_deliver).
    (queued,) = OutboxMessage.objects.filter(kind=letters.DECISION_LETTERS_KIND)
    assert queued.payload == {"application_id": application.pk}
    assert not Letter.objects.exists()
    assert letters.sfo_decision_letter_send(application_id=application.pk) == 1
    letter = Letter.objects.get(recipient=guardian)
    assert letter.title.startswith("Vedtak om SFO-plass")
    assert ArchiveRecord.objects.filter(case_type="sfo.application", case_id=str(application.pk)).exists()


def test_declining_an_sfo_offer_first_says_what_will_happen(day) -> None:  # noqa: F811
    rnd, sfo, _ = setup_round()
    child, guardian = pupil(dt.date(2021, 3, 1))
    application = apply(rnd, sfo, child, guardian)
    services.sfo_round_close(sfo_round=rnd)
    services.sfo_round_match_and_publish(sfo_round=rnd)
    application.refresh_from_db()
    assert application.status == SfoApplicationStatus.OFFERED
    url = reverse("sfo_pages:portal_answer", args=[application.pk])
    client = login(guardian_account(guardian).user)
    response = client.post(url, {"answer": "decline"})
    assert response.status_code == 200
    assert "Plassen går til neste på ventelisten" in response.content.decode()
    application.refresh_from_db()
    assert application.status == SfoApplicationStatus.OFFERED
    stranger = cast(Person, PersonFactory())
    assert login(guardian_account(stranger).user).post(url, {"answer": "decline"}).status_code in (403, 404)
    client.post(url, {"answer": "decline", "bekreft": "ja"})
    application.refresh_from_db()
    assert application.status == SfoApplicationStatus.DECLINED
