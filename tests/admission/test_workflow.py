"""The shared admission workflow: one kernel placement change for offer-accept paths and leaders' pages, the
shared refusals (responsibility with its audit row, deadline, duplicate) and the rules each service plugs in."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest

from admission import services as admission_services
from admission.rules import AdmissionRules
from kindergarten.admission_rules import RULES as KINDERGARTEN
from oas import clock
from oas.audit.models import AuditEvent
from oas.errors import PermissionDenied, ValidationError
from oas.people.models import Person, Placement, Service
from oas.people.services import placement_change
from sfo import services as sfo_services
from sfo.admission_rules import RULES as SFO
from sfo.models import SfoApplicationStatus
from tests.factories import PersonFactory
from tests.sfo.test_sfo_admission import apply, day, pupil, setup_round  # noqa: F401  (day is a fixture)

pytestmark = pytest.mark.django_db


def test_each_service_plugs_in_its_rules() -> None:
    rules: list[AdmissionRules] = [KINDERGARTEN, SFO]
    assert [r.service for r in rules] == ["kindergarten", "sfo"]
    assert KINDERGARTEN.letter_kind != SFO.letter_kind
    assert "SFO-søknad" in SFO.duplicate_message


def test_the_kernel_placement_change_ends_the_earlier_place_and_refuses_an_overlap(day) -> None:  # noqa: F811
    _rnd, sfo, other_sfo = setup_round()
    child, _guardian = pupil(dt.date(2021, 3, 1))
    first = placement_change(
        child=child, service=Service.SFO, unit=sfo, start_date=dt.date(2027, 3, 1), event="test.place", user_id=None
    )
    second = placement_change(
        child=child,
        service=Service.SFO,
        unit=other_sfo,
        start_date=dt.date(2027, 5, 1),
        event="test.place",
        user_id=None,
    )
    first.refresh_from_db()
    assert first.end_date == dt.date(2027, 4, 30)
    assert second.end_date is None
    assert AuditEvent.objects.filter(event="test.place", object_id=str(second.pk)).get().details["previous"] == first.pk
    with pytest.raises(ValidationError) as refused:
        placement_change(
            child=child,
            service=Service.SFO,
            unit=sfo,
            start_date=dt.date(2027, 5, 1),  # the same day as the current place: an overlap
            event="test.place",
            overlap_message="Opptatt.",
            user_id=None,
        )
    assert refused.value.code == "overlap"
    assert refused.value.message == "Opptatt."
    assert Placement.objects.filter(child=child).count() == 2


def test_accepting_an_sfo_offer_goes_through_the_kernel_placement_change(day) -> None:  # noqa: F811
    rnd, sfo, other_sfo = setup_round()
    child, guardian = pupil(dt.date(2021, 3, 1))
    # The child already has an open SFO place elsewhere (e.g. given by a leader): accepting ends it.
    old = placement_change(
        child=child, service=Service.SFO, unit=other_sfo, start_date=dt.date(2027, 1, 1), event="test", user_id=None
    )
    application = apply(rnd, sfo, child, guardian)
    sfo_services.sfo_round_close(sfo_round=rnd)
    sfo_services.sfo_round_match_and_publish(sfo_round=rnd)
    application.refresh_from_db()
    assert application.status == SfoApplicationStatus.OFFERED
    placement = sfo_services.sfo_offer_accept(application=application, guardian=guardian)
    old.refresh_from_db()
    assert old.end_date == placement.start_date - dt.timedelta(days=1)
    assert placement.sfo_detail.place_type == "full"
    assert AuditEvent.objects.filter(event="sfo.placement.change", object_id=str(placement.pk)).exists()


def test_a_refusal_without_parental_responsibility_is_audited(day) -> None:  # noqa: F811
    child, _guardian = pupil(dt.date(2021, 3, 1))
    stranger = cast(Person, PersonFactory())
    with pytest.raises(PermissionDenied):
        admission_services.responsibility_require(
            guardian=stranger, child_id=child.pk, event="admission.test", user_id=None
        )
    row = AuditEvent.objects.get(event="admission.test")
    assert row.action == "denied"
    assert row.details == {"reason": "no_parental_responsibility"}


def test_the_shared_checks_refuse_late_answers_past_dates_closed_rounds_and_duplicates(day) -> None:  # noqa: F811
    with pytest.raises(ValidationError) as late:
        admission_services.offer_require_answerable(deadline=clock.today() - dt.timedelta(days=1))
    assert late.value.code == "offer_deadline_passed"
    admission_services.offer_require_answerable(deadline=clock.today())  # the last day counts
    with pytest.raises(ValidationError):
        admission_services.start_date_require_not_past(start_date=dt.date(2020, 1, 1), field="start_date")
    with pytest.raises(ValidationError) as closed:
        admission_services.round_require_open(is_open=False)
    assert closed.value.code == "round_not_open"
    with pytest.raises(admission_services.DuplicateApplication) as duplicate:
        admission_services.duplicate_refuse(rules=SFO, existing_id=7)
    assert duplicate.value.existing_id == 7
    admission_services.duplicate_refuse(rules=SFO, existing_id=None)
