"""SFO admission with the shared matching engine: the school's SFO as the only choice, its capacity, offers."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest

from oas import clock
from oas.audit.models import AuditEvent
from oas.errors import Conflict, PermissionDenied, ValidationError
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Person, Placement
from sfo import services
from sfo.models import SfoApplication, SfoApplicationStatus, SfoPlacementDetail, SfoRound
from tests.factories import ChildFactory, PersonFactory, RelationFactory, child_unit, school, sector_office

pytestmark = pytest.mark.django_db


@pytest.fixture
def day():
    with clock.freeze(dt.date(2027, 3, 1)):
        yield


def setup_round(capacity: int = 1) -> tuple[SfoRound, OrgUnit, OrgUnit]:
    office = sector_office()
    skole = school(parent=office, skolekrets=7, name="Lillestrøm skole")
    sfo = child_unit(parent=skole, kind=OrgUnitKind.SFO, name="Lillestrøm SFO")
    other_school = school(parent=office, skolekrets=8, name="Kjeller skole")
    other_sfo = child_unit(parent=other_school, kind=OrgUnitKind.SFO, name="Kjeller SFO")
    rnd = services.sfo_round_create(
        municipality=office.municipality,
        code="sfo-2027",
        name="SFO 2027/28",
        application_deadline=dt.date(2027, 4, 1),
        start_date=dt.date(2027, 8, 15),
        lottery_seed="seed",
    )
    services.sfo_capacity_set(sfo_round=rnd, unit=sfo, capacity=capacity)
    services.sfo_capacity_set(sfo_round=rnd, unit=other_sfo, capacity=5)
    return rnd, sfo, other_sfo


def pupil(birth: dt.date) -> tuple[Person, Person]:
    child = cast(Person, ChildFactory(birth_date=birth, skolekrets=7))
    guardian = cast(Person, PersonFactory())
    RelationFactory(adult=guardian, child=child)
    return child, guardian


def apply(rnd: SfoRound, unit: OrgUnit, child: Person, guardian: Person, **kw: object) -> SfoApplication:
    kw.setdefault("place_type", "full")
    return services.sfo_application_submit(
        sfo_round=rnd,
        child=child,
        applicant=guardian,
        unit=unit,
        start_date=dt.date(2027, 8, 15),
        **kw,  # type: ignore[arg-type]
    )


def test_the_youngest_get_the_sfo_places_and_a_decline_moves_the_waiting_list_on(day) -> None:
    rnd, sfo, _ = setup_round(capacity=1)
    first_grader, g1 = pupil(dt.date(2021, 3, 1))
    older, g2 = pupil(dt.date(2019, 3, 1))
    oldest, g3 = pupil(dt.date(2018, 3, 1))
    a1 = apply(rnd, sfo, first_grader, g1, place_type="hours", hours_per_week=12)
    a2 = apply(rnd, sfo, older, g2)
    a3 = apply(rnd, sfo, oldest, g3)
    services.sfo_round_close(sfo_round=rnd)
    outcome = services.sfo_round_match_and_publish(sfo_round=rnd)
    assert (outcome.offered, outcome.waiting) == (1, 2)
    a1.refresh_from_db()
    a2.refresh_from_db()
    assert a1.status == SfoApplicationStatus.OFFERED
    assert (a2.status, a2.waiting_position) == (SfoApplicationStatus.WAITING, 1)
    assert "Lillestrøm SFO var full" in a2.explanation

    nxt = services.sfo_offer_decline(application=a1, guardian=g1)
    assert nxt == a2
    placement = services.sfo_offer_accept(application=a2, guardian=g2)
    assert (placement.service, placement.unit_id, placement.start_date) == ("sfo", sfo.pk, dt.date(2027, 8, 15))
    assert SfoPlacementDetail.objects.get(placement=placement).place_type == "full"
    a3.refresh_from_db()
    assert a3.status == SfoApplicationStatus.WAITING


def test_sfo_bad_input_is_refused_without_writing(day) -> None:
    rnd, sfo, other_sfo = setup_round()
    child, guardian = pupil(dt.date(2021, 3, 1))
    with pytest.raises(PermissionDenied):
        apply(rnd, sfo, child, cast(Person, PersonFactory()))
    assert AuditEvent.objects.filter(action="denied", event="sfo.application.submit").exists()
    with pytest.raises(ValidationError, match="hører ikke til barnets skole"):
        apply(rnd, other_sfo, child, guardian)
    with pytest.raises(ValidationError, match="tilbake i tid"):
        services.sfo_application_submit(
            sfo_round=rnd, child=child, applicant=guardian, unit=sfo, place_type="full", start_date=dt.date(2027, 2, 1)
        )
    with pytest.raises(ValidationError, match="timer per uke"):
        apply(rnd, sfo, child, guardian, place_type="hours")
    assert not SfoApplication.objects.exists()
    first = apply(rnd, sfo, child, guardian)
    with pytest.raises(Conflict) as exc:
        apply(rnd, sfo, child, guardian, place_type="part")
    assert exc.value.existing == first  # type: ignore[attr-defined]


def test_an_sfo_offer_cannot_be_accepted_after_its_deadline_and_capacity_cannot_drop_below_given(day) -> None:
    rnd, sfo, _ = setup_round(capacity=1)
    child, guardian = pupil(dt.date(2021, 3, 1))
    application = apply(rnd, sfo, child, guardian)
    services.sfo_round_close(sfo_round=rnd)
    services.sfo_round_match_and_publish(sfo_round=rnd)
    with pytest.raises(ValidationError, match="allerede gitt 1"):
        services.sfo_capacity_set(sfo_round=rnd, unit=sfo, capacity=0)
    application.refresh_from_db()
    assert application.offer_deadline is not None
    with (
        clock.freeze(application.offer_deadline + dt.timedelta(days=1)),
        pytest.raises(ValidationError, match="Svarfristen"),
    ):
        services.sfo_offer_accept(application=application, guardian=guardian)
    assert not Placement.objects.exists()
