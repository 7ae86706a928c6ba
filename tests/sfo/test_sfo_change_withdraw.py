"""Guardians change or withdraw an SFO application before the deadline (issue 5, point 1); others cannot."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse

from messaging.models import Notification
from oas import clock
from oas.access.services import role_mapping_seed
from oas.audit.models import AuditEvent
from oas.errors import PermissionDenied, ValidationError
from oas.people.models import Employee, Person, RelationKind
from sfo import services
from sfo.models import SfoApplication, SfoApplicationStatus, SfoRound
from tests.factories import (
    EmployeeFactory,
    EmploymentFactory,
    PersonFactory,
    RelationFactory,
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


def family() -> tuple[SfoRound, SfoApplication, Person, Person]:
    """A round, an application made by one guardian, and the other guardian with foreldreansvar."""
    rnd, sfo, _ = setup_round(capacity=1)
    child, guardian = pupil(dt.date(2021, 3, 1))
    other = cast(Person, PersonFactory())
    RelationFactory(adult=other, child=child)
    return rnd, apply(rnd, sfo, child, guardian), guardian, other


def snapshot(application: SfoApplication) -> tuple[object, ...]:
    application.refresh_from_db()
    return (application.status, application.place_type, application.hours_per_week, application.start_date)


def test_both_guardians_can_change_the_sfo_application_and_the_other_is_notified(day) -> None:  # noqa: F811
    _rnd, application, guardian, other = family()
    services.sfo_application_change(
        application=application,
        guardian=other,
        place_type="hours",
        hours_per_week=10,
        start_date=dt.date(2027, 9, 1),
    )
    assert snapshot(application) == ("submitted", "hours", 10, dt.date(2027, 9, 1))
    assert Notification.objects.filter(person=guardian, key__startswith=f"sfo-soknad-endret:{application.pk}:").exists()
    services.sfo_application_change(
        application=application, guardian=guardian, place_type="part", start_date=dt.date(2027, 8, 20)
    )
    assert snapshot(application) == ("submitted", "part", None, dt.date(2027, 8, 20))
    assert AuditEvent.objects.filter(event="sfo.application.change", action="update").count() == 2
    # a second change notifies again (each change has its own key)
    assert (
        Notification.objects.filter(person=other, key__startswith=f"sfo-soknad-endret:{application.pk}:").count() == 2
    )


def test_the_other_guardian_can_withdraw_and_the_withdrawn_application_is_left_out_of_the_matching(day) -> None:  # noqa: F811
    rnd, application, guardian, other = family()
    rival_child, rival_guardian = pupil(dt.date(2019, 3, 1))  # older: would lose to the first grader
    rival = apply(rnd, application.unit, rival_child, rival_guardian)
    services.sfo_application_withdraw(application=application, guardian=other)
    assert snapshot(application)[0] == SfoApplicationStatus.WITHDRAWN
    assert Notification.objects.filter(person=guardian, key=f"sfo-soknad-trukket:{application.pk}").exists()
    assert AuditEvent.objects.filter(event="sfo.application.withdraw", object_id=str(application.pk)).exists()
    services.sfo_round_close(sfo_round=rnd)
    outcome = services.sfo_round_match_and_publish(sfo_round=rnd)
    assert (outcome.offered, outcome.waiting) == (1, 0)
    assert snapshot(application)[0] == SfoApplicationStatus.WITHDRAWN
    rival.refresh_from_db()
    assert rival.status == SfoApplicationStatus.OFFERED


def test_a_parent_without_foreldreansvar_cannot_change_or_withdraw_and_it_is_audited(day) -> None:  # noqa: F811
    _rnd, application, _guardian, _other = family()
    parent = cast(Person, PersonFactory())
    RelationFactory(adult=parent, child=application.child, kind=RelationKind.PARENT, foreldreansvar="")
    before = snapshot(application)
    with pytest.raises(PermissionDenied):
        services.sfo_application_change(
            application=application, guardian=parent, place_type="part", start_date=dt.date(2027, 9, 1)
        )
    with pytest.raises(PermissionDenied):
        services.sfo_application_withdraw(application=application, guardian=parent)
    assert snapshot(application) == before
    denied = AuditEvent.objects.filter(action="denied", object_id=str(application.pk))
    assert set(denied.values_list("event", flat=True)) == {"sfo.application.change", "sfo.application.withdraw"}
    assert not Notification.objects.exists()


def test_after_the_deadline_the_sfo_application_can_be_neither_changed_nor_withdrawn(day) -> None:  # noqa: F811
    rnd, application, guardian, _other = family()
    before = snapshot(application)
    with clock.freeze(rnd.application_deadline + dt.timedelta(days=1)):
        with pytest.raises(ValidationError) as exc:
            services.sfo_application_change(
                application=application, guardian=guardian, place_type="part", start_date=dt.date(2027, 9, 1)
            )
        assert exc.value.code == "deadline_passed"
        with pytest.raises(ValidationError):
            services.sfo_application_withdraw(application=application, guardian=guardian)
    assert snapshot(application) == before
    assert not AuditEvent.objects.filter(event__in=["sfo.application.change", "sfo.application.withdraw"]).exists()
    assert not Notification.objects.exists()


def test_a_closed_round_or_a_withdrawn_application_cannot_be_changed(day) -> None:  # noqa: F811
    rnd, application, guardian, _other = family()
    services.sfo_application_withdraw(application=application, guardian=guardian)
    with pytest.raises(ValidationError):
        services.sfo_application_change(
            application=application, guardian=guardian, place_type="part", start_date=dt.date(2027, 9, 1)
        )
    services.sfo_round_close(sfo_round=rnd)
    with pytest.raises(ValidationError):
        services.sfo_application_withdraw(application=application, guardian=guardian)


def test_a_past_start_date_or_bad_hours_are_refused_with_field_messages_and_nothing_is_written(day) -> None:  # noqa: F811
    _rnd, application, guardian, _other = family()
    before = snapshot(application)
    with pytest.raises(ValidationError) as exc:
        services.sfo_application_change(
            application=application, guardian=guardian, place_type="full", start_date=dt.date(2027, 2, 1)
        )
    assert "start_date" in exc.value.fields
    with pytest.raises(ValidationError) as exc:
        services.sfo_application_change(
            application=application, guardian=guardian, place_type="hours", start_date=dt.date(2027, 9, 1)
        )
    assert "hours_per_week" in exc.value.fields
    with pytest.raises(ValidationError) as exc:
        services.sfo_application_change(
            application=application, guardian=guardian, place_type="nope", start_date=dt.date(2027, 9, 1)
        )
    assert "place_type" in exc.value.fields
    assert snapshot(application) == before
    assert not AuditEvent.objects.filter(event="sfo.application.change").exists()
    assert not Notification.objects.exists()


# ------------------------------------------------------------------------------------------------------ pages


def test_the_guardian_sees_endre_and_trekk_and_changes_and_withdraws_on_the_portal(day) -> None:  # noqa: F811
    _rnd, application, guardian, other = family()
    client = login(guardian_account(other).user)
    page = client.get(reverse("sfo_pages:portal")).content.decode()
    assert reverse("sfo_pages:portal_change", args=[application.pk]) in page
    assert reverse("sfo_pages:portal_withdraw", args=[application.pk]) in page
    url = reverse("sfo_pages:portal_change", args=[application.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"place_type": "hours", "hours_per_week": 8, "start_date": "2027-08-20"})
    assert response.status_code == 302
    assert snapshot(application) == ("submitted", "hours", 8, dt.date(2027, 8, 20))
    refused = client.post(url, {"place_type": "full", "start_date": "2027-01-20"})
    assert refused.status_code == 400
    assert "tilbake i tid" in refused.content.decode()
    assert snapshot(application) == ("submitted", "hours", 8, dt.date(2027, 8, 20))
    response = login(guardian_account(guardian).user).post(reverse("sfo_pages:portal_withdraw", args=[application.pk]))
    assert response.status_code == 302
    assert snapshot(application)[0] == SfoApplicationStatus.WITHDRAWN
    page = client.get(reverse("sfo_pages:portal")).content.decode()
    assert reverse("sfo_pages:portal_withdraw", args=[application.pk]) not in page


def test_after_the_deadline_the_portal_offers_no_change_and_refuses_a_withdrawal(day) -> None:  # noqa: F811
    rnd, application, guardian, _other = family()
    client = login(guardian_account(guardian).user)
    with clock.freeze(rnd.application_deadline + dt.timedelta(days=1)):
        page = client.get(reverse("sfo_pages:portal")).content.decode()
        assert reverse("sfo_pages:portal_change", args=[application.pk]) not in page
        client.post(reverse("sfo_pages:portal_withdraw", args=[application.pk]))
        response = client.post(
            reverse("sfo_pages:portal_change", args=[application.pk]),
            {"place_type": "part", "start_date": "2027-09-01"},
        )
        assert response.status_code == 400
    assert snapshot(application)[:2] == ("submitted", "full")


def test_another_family_gets_404_and_an_audit_row_when_changing_or_withdrawing(day) -> None:  # noqa: F811
    _rnd, application, _guardian, _other = family()
    _own_child, stranger = pupil(dt.date(2020, 3, 1))
    client = login(guardian_account(stranger).user)
    before = snapshot(application)
    change = reverse("sfo_pages:portal_change", args=[application.pk])
    assert client.get(change).status_code == 404
    assert client.post(change, {"place_type": "part", "start_date": "2027-09-01"}).status_code == 404
    assert client.post(reverse("sfo_pages:portal_withdraw", args=[application.pk])).status_code == 404
    assert snapshot(application) == before
    assert AuditEvent.objects.filter(action="denied", object_id=str(application.pk)).count() == 3


def test_a_parent_without_foreldreansvar_is_refused_on_the_portal(day) -> None:  # noqa: F811
    _rnd, application, _guardian, _other = family()
    parent = cast(Person, PersonFactory())
    RelationFactory(adult=parent, child=application.child, kind=RelationKind.PARENT, foreldreansvar="")
    client = login(guardian_account(parent).user)
    before = snapshot(application)
    assert client.post(reverse("sfo_pages:portal_withdraw", args=[application.pk])).status_code == 403
    response = client.post(
        reverse("sfo_pages:portal_change", args=[application.pk]), {"place_type": "part", "start_date": "2027-09-01"}
    )
    assert response.status_code == 403
    assert snapshot(application) == before
    assert AuditEvent.objects.filter(action="denied", event="access.view_denied").count() == 2


def test_staff_cannot_change_or_withdraw_a_guardians_sfo_application(day) -> None:  # noqa: F811
    _rnd, application, _guardian, _other = family()
    employee = cast(Employee, EmployeeFactory())
    EmploymentFactory(employee=employee, unit=sector_office(), position_code="OPPTAK")
    client = login(staff_account(employee).user)
    before = snapshot(application)
    change = reverse("sfo_pages:portal_change", args=[application.pk])
    assert client.post(change, {"place_type": "part", "start_date": "2027-09-01"}).status_code == 403
    assert client.post(reverse("sfo_pages:portal_withdraw", args=[application.pk])).status_code == 403
    assert snapshot(application) == before
