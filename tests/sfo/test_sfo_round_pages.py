"""The office creates and runs SFO rounds from its pages: create (a draft with places per SFO), open, close, run
the matching (a proposal, nothing offered yet), publish. Each page and action with an allowed and a denied case."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.urls import reverse

from oas.people.models import Employee
from sfo.models import SfoApplication, SfoApplicationStatus, SfoCapacity, SfoRound, SfoRoundState
from tests.factories import (
    EmployeeFactory,
    EmploymentFactory,
    guardian_account,
    kindergarten,
    sector_office,
    staff_account,
)
from tests.sfo.test_sfo_admission import apply, day, pupil, setup_round  # noqa: F401  (day is a fixture)
from tests.sfo.test_sfo_pages import _roles, login, office  # noqa: F401  (_roles is an autouse fixture)

pytestmark = pytest.mark.django_db

CREATE = {
    "code": "sfo-2028",
    "name": "SFO-opptak 2028/29",
    "application_deadline": "2028-03-01",
    "start_date": "2028-08-15",
    "places": "40",
}


def teacher():
    employee = cast(Employee, EmployeeFactory())
    EmploymentFactory(employee=employee, unit=kindergarten(parent=sector_office()), position_code="PEDLEDER")
    return login(staff_account(employee).user)


def test_the_office_creates_a_draft_sfo_round_with_places_in_every_sfo(day) -> None:  # noqa: F811
    _rnd, sfo, other_sfo = setup_round()
    client = office()
    assert client.get(reverse("sfo_pages:office_rounds")).status_code == 200
    response = client.post(reverse("sfo_pages:office_rounds"), CREATE)
    created = SfoRound.objects.get(code="sfo-2028")
    assert response.status_code == 302
    assert response["Location"] == reverse("sfo_pages:office_round", args=[created.pk])
    assert created.state == SfoRoundState.DRAFT
    assert dict(SfoCapacity.objects.filter(round=created).values_list("unit_id", "capacity")) == {
        sfo.pk: 40,
        other_sfo.pk: 40,
    }
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'data-testid="open-round"' in page.content.decode()


def test_a_round_with_a_used_code_or_bad_dates_is_refused_and_nothing_is_written(day) -> None:  # noqa: F811
    setup_round()
    client = office()
    before = SfoRound.objects.count()
    assert client.post(reverse("sfo_pages:office_rounds"), {**CREATE, "code": "sfo-2027"}).status_code == 400
    assert client.post(reverse("sfo_pages:office_rounds"), {**CREATE, "start_date": "2028-01-01"}).status_code == 400
    assert client.post(reverse("sfo_pages:office_rounds"), {**CREATE, "places": "-1"}).status_code == 400
    assert SfoRound.objects.count() == before


def test_guardians_and_kindergarten_staff_may_not_create_or_run_sfo_rounds(day) -> None:  # noqa: F811
    rnd, sfo, _ = setup_round()
    _child, guardian = pupil(dt.date(2021, 3, 1))
    for client in (login(guardian_account(guardian).user), teacher()):
        assert client.get(reverse("sfo_pages:office_rounds")).status_code == 403
        assert client.post(reverse("sfo_pages:office_rounds"), CREATE).status_code == 403
        assert client.get(reverse("sfo_pages:office_round", args=[rnd.pk])).status_code == 403
        capacity = reverse("sfo_pages:office_round_capacity", args=[rnd.pk])
        assert client.post(capacity, {"unit": sfo.pk, "capacity": 9}).status_code == 403
        action = reverse("sfo_pages:office_round_action", args=[rnd.pk])
        assert client.post(action, {"action": "close"}).status_code == 403
    assert not SfoRound.objects.filter(code="sfo-2028").exists()
    rnd.refresh_from_db()
    assert rnd.state == SfoRoundState.OPEN
    assert SfoCapacity.objects.get(round=rnd, unit=sfo).capacity == 1


def test_the_office_sets_places_opens_closes_matches_and_publishes(day) -> None:  # noqa: F811
    rnd, sfo, _ = setup_round(capacity=1)
    young, g1 = pupil(dt.date(2021, 3, 1))
    old, g2 = pupil(dt.date(2019, 3, 1))
    first, second = apply(rnd, sfo, young, g1), apply(rnd, sfo, old, g2)
    client = office()
    action = reverse("sfo_pages:office_round_action", args=[rnd.pk])
    capacity = reverse("sfo_pages:office_round_capacity", args=[rnd.pk])
    assert client.post(capacity, {"unit": sfo.pk, "capacity": "x"}).status_code == 302  # refused with a message
    assert SfoCapacity.objects.get(round=rnd, unit=sfo).capacity == 1
    client.post(action, {"action": "close"})
    client.post(action, {"action": "open"})
    rnd.refresh_from_db()
    assert rnd.state == SfoRoundState.OPEN
    client.post(action, {"action": "close"})
    client.post(action, {"action": "match"})
    rnd.refresh_from_db()
    assert rnd.state == SfoRoundState.MATCHED
    # The proposal is shown; nothing is offered yet.
    page = client.get(reverse("sfo_pages:office_round", args=[rnd.pk])).content.decode()
    assert f'<tr data-application="{first.pk}" data-offered="yes">' in page
    assert f'<tr data-application="{second.pk}" data-offered="no">' in page
    assert set(SfoApplication.objects.values_list("status", flat=True)) == {SfoApplicationStatus.SUBMITTED}
    # More places, run again: both get an offer in the proposal.
    client.post(capacity, {"unit": sfo.pk, "capacity": 2})
    client.post(action, {"action": "match"})
    page = client.get(reverse("sfo_pages:office_round", args=[rnd.pk])).content.decode()
    assert f'<tr data-application="{second.pk}" data-offered="yes">' in page
    assert client.post(action, {"action": "publish"}).status_code == 200  # the confirmation
    client.post(action, {"action": "publish", "bekreft": "ja"})
    rnd.refresh_from_db()
    assert rnd.state == SfoRoundState.PUBLISHED
    assert set(SfoApplication.objects.values_list("status", flat=True)) == {SfoApplicationStatus.OFFERED}
    # A published round is not run again.
    client.post(action, {"action": "match"})
    rnd.refresh_from_db()
    assert rnd.state == SfoRoundState.PUBLISHED
