"""Kindergarten admission end to end in the domain core: applications, priority, matching, offers, appeals."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import cast

import pytest
from django.core.management import call_command

from kindergarten import selectors, services
from kindergarten.models import (
    Application,
    ApplicationStatus,
    Assignment,
    DecisionLetter,
    GroundKind,
    Offer,
    OfferStatus,
    Programme,
    RoundState,
    WaitingListEntry,
)
from oas import clock
from oas.audit.models import AuditEvent
from oas.errors import Conflict, PermissionDenied, ValidationError
from oas.people.models import Person, Placement
from tests.factories import (
    ChildFactory,
    EmployeeFactory,
    EmploymentFactory,
    PersonFactory,
    PlacementFactory,
    RelationFactory,
)
from tests.kindergarten.checker import check_export
from tests.kindergarten.factories import PDF, admission_round, family

pytestmark = pytest.mark.django_db

BIG = dt.date(2023, 5, 1)  # 4 years old at the start: age group 3-5


def apply(rnd, units, fam, **kw):
    kw.setdefault("wanted_start_date", dt.date(2027, 8, 1))
    return services.application_submit(
        admission_round=rnd, child=fam.child, applicant=fam.guardian, choices=units, **kw
    )


def close_and_match(rnd):
    services.admission_round_set_state(admission_round=rnd, state=RoundState.CLOSED)
    return services.admission_round_match(admission_round=rnd)


def programme_of(app: Application) -> int | None:
    programme = Assignment.objects.get(application=app).programme
    return programme.unit_id if programme else None


# ------------------------------------------------------------------------------------------- bad input


def test_a_guardian_without_parental_responsibility_is_refused_and_the_refusal_is_audited(application_day) -> None:
    rnd, units = admission_round()
    child = cast(Person, ChildFactory(birth_date=BIG))
    stranger = cast(Person, PersonFactory())
    with pytest.raises(PermissionDenied):
        services.application_submit(
            admission_round=rnd,
            child=child,
            applicant=stranger,
            choices=units[:1],
            wanted_start_date=dt.date(2027, 8, 1),
        )
    assert not Application.objects.exists()
    denied = AuditEvent.objects.get(action="denied")
    assert set(denied.person_ids) == {child.pk, stranger.pk}


def test_a_second_application_for_the_same_child_points_to_the_first(application_day) -> None:
    rnd, units = admission_round()
    fam = family(birth_date=BIG)
    first = apply(rnd, units[:1], fam)
    with pytest.raises(Conflict) as exc:
        services.application_submit(
            admission_round=rnd,
            child=fam.child,
            applicant=fam.other_guardian,
            choices=units[1:2],
            wanted_start_date=dt.date(2027, 8, 1),
        )
    assert exc.value.existing == first  # type: ignore[attr-defined]
    assert exc.value.fields == {"application": [str(first.pk)]}
    assert Application.objects.count() == 1


def test_a_start_date_in_the_past_is_refused(application_day) -> None:
    rnd, units = admission_round()
    with pytest.raises(ValidationError, match="tilbake i tid"):
        apply(rnd, units[:1], family(birth_date=BIG), wanted_start_date=dt.date(2027, 1, 31))
    assert not Application.objects.exists()


def test_a_kindergarten_not_in_the_round_is_refused(application_day) -> None:
    rnd, units = admission_round()
    _other_round, other_units = admission_round(seed="annet")
    with pytest.raises(ValidationError, match="ikke med i dette opptaket"):
        apply(rnd, [units[0], other_units[0]], family(birth_date=BIG))
    assert not Application.objects.exists()


def test_more_choices_than_the_municipality_allows_are_refused(application_day) -> None:
    rnd, units = admission_round(units=6)
    with pytest.raises(ValidationError, match="høyst 5"):
        apply(rnd, units, family(birth_date=BIG))


@pytest.mark.parametrize(
    ("content_type", "content", "message"),
    [
        ("application/x-msdownload", b"MZ\x90\x00", "filtype som ikke er tillatt"),
        ("application/pdf", b"MZ\x90\x00", "stemmer ikke med filtypen"),
        ("application/pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "større enn 10 MB"),
    ],
)
def test_an_attachment_of_the_wrong_type_or_over_10_mb_is_refused(
    application_day, content_type, content, message
) -> None:
    rnd, units = admission_round()
    ground = services.GroundIn(
        kind=GroundKind.DISABILITY, attachments=[services.AttachmentIn("vedlegg.pdf", content_type, content)]
    )
    with pytest.raises(ValidationError, match=message):
        apply(rnd, units[:1], family(birth_date=BIG), grounds=[ground])
    assert not Application.objects.exists()


def test_capacity_below_the_places_already_given_is_refused(application_day) -> None:
    rnd, units = admission_round(capacity=2)
    apply(rnd, units[:1], family(birth_date=BIG))
    close_and_match(rnd)
    services.admission_round_publish(admission_round=rnd)
    with pytest.raises(ValidationError, match="allerede gitt 1"):
        services.programme_set_capacity(admission_round=rnd, unit=units[0], age_group="3-5", capacity=0)
    assert Programme.objects.get(round=rnd, unit=units[0], age_group="3-5").capacity == 2


# ---------------------------------------------------------------------------------------------- priority


def test_section_18_children_come_before_siblings_and_only_once_documentation_is_checked(application_day) -> None:
    rnd, units = admission_round(units=1)
    sibling = family(birth_date=BIG, address_id="adr-1")
    PlacementFactory(
        child=ChildFactory(birth_date=dt.date(2022, 1, 1), address_id="adr-1"),
        unit=units[0],
        start_date=dt.date(2025, 8, 1),
    )
    RelationFactory(adult=sibling.guardian, child=Placement.objects.get().child)
    disabled = family(birth_date=dt.date(2023, 9, 1))
    sib_app = apply(rnd, units, sibling)
    assert sib_app.sibling_unit_ids == [units[0].pk]
    dis_app = apply(
        rnd,
        units,
        disabled,
        grounds=[
            services.GroundIn(
                GroundKind.DISABILITY, attachments=[services.AttachmentIn("sakkyndig.pdf", "application/pdf", PDF)]
            )
        ],
    )
    close_and_match(rnd)
    assert programme_of(sib_app) == units[0].pk  # § 18 ground not checked yet: sibling wins

    services.priority_ground_check(ground=dis_app.grounds.get(), checked=True)
    services.admission_round_match(admission_round=rnd)
    assert programme_of(dis_app) == units[0].pk
    sib = Assignment.objects.get(application=sib_app)
    assert sib.kind == "none"  # the only unit is full, so even the guarantee finds no room
    # Both have the right to a place (it ranks first in municipal kindergartens); § 18 decides among them.
    assert "høyere prioritet (rett til plass og nedsatt funksjonsevne, barnehageloven § 18)" in sib.explanation


def test_a_private_kindergarten_ranks_by_its_own_statutes(application_day) -> None:
    rnd, units = admission_round(units=1, private=(0,))
    services.unit_criteria_set(unit=units[0], kinds=["staff_child", "age"])
    staff_family = family(birth_date=dt.date(2024, 6, 1))
    employee = EmployeeFactory(person=staff_family.guardian)
    EmploymentFactory(employee=employee, unit=units[0], position_code="BHG_LAERER")
    older = family(birth_date=dt.date(2024, 1, 1))
    staff_app = apply(rnd, units, staff_family)
    older_app = apply(rnd, units, older)
    close_and_match(rnd)
    assert programme_of(staff_app) == units[0].pk
    assert programme_of(older_app) is None or programme_of(older_app) != units[0].pk


def test_statutory_criteria_cannot_be_configured_away_on_a_private_kindergarten(application_day) -> None:
    _rnd, units = admission_round(units=2, private=(1,))
    with pytest.raises(ValidationError, match="§ 18"):
        services.unit_criteria_set(unit=units[1], kinds=["disability", "sibling"])
    with pytest.raises(ValidationError, match="Kommunale"):
        services.unit_criteria_set(unit=units[0], kinds=["sibling"])


def test_the_lottery_is_deterministic_for_a_recorded_seed_and_differs_between_seeds(application_day) -> None:
    rnd, units = admission_round(units=1, seed="seed-a")
    for _ in range(8):
        apply(rnd, units, family(birth_date=dt.date(2023, 4, 4)))  # same age: only the lottery separates them
    pid = f"{units[0].pk}:3-5"

    def order() -> list[str]:
        rnd.refresh_from_db()
        return list(selectors.matching_input(admission_round=rnd).data.priority[pid])

    first = order()
    assert order() == first
    type(rnd).objects.filter(pk=rnd.pk).update(lottery_seed="seed-b")
    assert order() != first
    type(rnd).objects.filter(pk=rnd.pk).update(lottery_seed="seed-a")
    assert order() == first


# ---------------------------------------------------------------------------------------- matching flow


def test_locking_a_placement_recomputes_and_reports_the_affected_applicants(application_day) -> None:
    rnd, units = admission_round(units=2)
    a = apply(rnd, units, family(birth_date=dt.date(2023, 1, 1)))
    b = apply(rnd, units, family(birth_date=dt.date(2023, 6, 1)))
    close_and_match(rnd)
    assert programme_of(a) == units[0].pk and programme_of(b) == units[1].pk  # older first
    outcome = services.assignment_lock(application=b, programme=Programme.objects.get(unit=units[0], age_group="3-5"))
    assert outcome.affected_application_ids == sorted([a.pk, b.pk])
    assert programme_of(b) == units[0].pk and programme_of(a) == units[1].pk
    assert Assignment.objects.get(application=b).locked
    services.assignment_unlock(application=b)
    assert programme_of(a) == units[0].pk


def test_publish_accept_creates_the_placement_and_a_decision_letter(application_day) -> None:
    rnd, units = admission_round(units=2)
    fam = family(birth_date=BIG)
    app = apply(rnd, units, fam, size_kind="percent", size_value=80)
    close_and_match(rnd)
    outcome = services.admission_round_publish(admission_round=rnd)
    assert (outcome.offers, outcome.letters) == (1, 1)
    offer = Offer.objects.get(application=app)
    assert offer.deadline == application_day + dt.timedelta(days=14)
    letter = DecisionLetter.objects.get(application=app)
    assert letter.appeal_deadline == application_day + dt.timedelta(weeks=3)
    assert set(letter.recipient_ids) == {fam.guardian.pk, fam.other_guardian.pk}
    with pytest.raises(PermissionDenied):
        services.offer_accept(offer=offer, guardian=cast(Person, PersonFactory()))
    assert AuditEvent.objects.filter(action="denied", event="kindergarten.offer.accept").exists()
    assert not Placement.objects.exists()
    placement = services.offer_accept(offer=offer, guardian=fam.other_guardian)
    assert (placement.unit_id, placement.start_date, placement.service) == (
        units[0].pk,
        dt.date(2027, 8, 1),
        "kindergarten",
    )
    assert placement.kindergarten_detail.size_value == 80
    app.refresh_from_db()
    assert app.status == ApplicationStatus.ACCEPTED


def test_accepting_after_the_deadline_is_refused(application_day) -> None:
    rnd, units = admission_round()
    fam = family(birth_date=BIG)
    apply(rnd, units[:1], fam)
    close_and_match(rnd)
    services.admission_round_publish(admission_round=rnd)
    offer = Offer.objects.get()
    with clock.freeze(offer.deadline + dt.timedelta(days=1)), pytest.raises(ValidationError, match="Svarfristen"):
        services.offer_accept(offer=offer, guardian=fam.guardian)
    assert not Placement.objects.exists()


def test_a_declined_place_goes_to_the_next_on_the_waiting_list_who_keeps_waiting_for_higher_choices(
    application_day,
) -> None:
    rnd, units = admission_round(units=2)
    first = family(birth_date=dt.date(2023, 1, 1))
    second = family(birth_date=dt.date(2023, 2, 1))
    third = family(birth_date=dt.date(2023, 3, 1))
    a1 = apply(rnd, units[:1], first)
    a2 = apply(rnd, units, second)
    a3 = apply(rnd, units[:1], third)
    close_and_match(rnd)
    services.admission_round_publish(admission_round=rnd)
    assert programme_of(a2) == units[1].pk
    # Unit A's waiting list: second (position 1), third (position 2).
    services.offer_decline(offer=Offer.objects.get(application=a1), guardian=first.guardian, keep_waiting=False)
    new = Offer.objects.get(application=a2, status=OfferStatus.PENDING)
    assert new.programme.unit_id == units[0].pk
    assert Offer.objects.get(application=a2, programme__unit=units[1]).status == OfferStatus.SUPERSEDED
    # Second's old place at B went back to B's waiting list (empty); third keeps position 2 for A.
    assert not Offer.objects.filter(application=a3).exists()
    entry = WaitingListEntry.objects.get(application=a3)
    assert (entry.position, entry.status) == (2, "active")
    # When second declines A as well, the place moves on to third.
    services.offer_decline(offer=new, guardian=second.guardian)
    assert Offer.objects.get(application=a3).programme.unit_id == units[0].pk
    a2.refresh_from_db()
    assert a2.status == ApplicationStatus.DECLINED  # no higher choice left to wait for


def test_expired_offers_move_the_waiting_list_on(application_day) -> None:
    rnd, units = admission_round(units=1)
    a1 = apply(rnd, units, family(birth_date=dt.date(2023, 1, 1)))
    a2 = apply(rnd, units, family(birth_date=dt.date(2023, 2, 1)))
    close_and_match(rnd)
    services.admission_round_publish(admission_round=rnd)
    offer = Offer.objects.get(application=a1)
    with clock.freeze(offer.deadline + dt.timedelta(days=1)):
        assert services.offers_expire() == 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.EXPIRED
    assert Offer.objects.get(application=a2).status == OfferStatus.PENDING


def test_an_appeal_is_registered_and_decided_and_a_late_one_is_marked(application_day) -> None:
    rnd, units = admission_round(units=1)
    apply(rnd, units, family(birth_date=BIG))
    app = apply(rnd, units, family(birth_date=dt.date(2023, 6, 1)))
    close_and_match(rnd)
    services.admission_round_publish(admission_round=rnd)
    appeal = services.appeal_register(application=app, reason="Vi ønsker Barnehage A.")
    assert not appeal.late
    services.appeal_decide(appeal=appeal, upheld=False, decision_text="Barnehagen er full.")
    with pytest.raises(ValidationError):
        services.appeal_decide(appeal=appeal, upheld=True, decision_text="Ny vurdering.")
    late = services.appeal_register(
        application=app, reason="For sent.", received_at=clock.now() + dt.timedelta(weeks=4)
    )
    assert late.late


def test_the_export_command_writes_a_round_an_independent_checker_accepts(application_day, tmp_path: Path) -> None:
    rnd, units = admission_round(units=3, capacity=1)
    for month in range(1, 8):
        apply(rnd, list(reversed(units)), family(birth_date=dt.date(2023, month, 1)))
    apply(rnd, units[:1], family(birth_date=dt.date(2026, 2, 1)))
    close_and_match(rnd)
    out = tmp_path / "round.json"
    call_command("admission_export", rnd.code, "--out", str(out))
    data = json.loads(out.read_text())
    assert set(data) == {"round", "programs", "applicants", "priority", "assignment"}
    assert data["round"] == rnd.code
    assert len(data["applicants"]) == 8
    assert check_export(data) == []
    kinds = {a["kind"] for a in data["assignment"].values()}
    assert kinds <= {"choice", "guarantee", "none"}


def test_a_child_with_a_right_who_got_no_choice_is_offered_the_nearest_kindergarten_with_room(application_day) -> None:
    rnd, units = admission_round(units=3)
    winner = apply(rnd, units[:1], family(birth_date=dt.date(2023, 1, 1)))
    # Lives by Barnehage A (same postal code), so B is nearer than C.
    loser = apply(rnd, units[:1], family(birth_date=dt.date(2023, 6, 1), postal_code="2000"))
    close_and_match(rnd)
    assert programme_of(winner) == units[0].pk
    assignment = Assignment.objects.get(application=loser)
    assert (assignment.kind, assignment.programme.unit_id if assignment.programme else None) == (
        "guarantee",
        units[1].pk,
    )
    assert assignment.right_to_place
    assert "Barnehage A var full" in assignment.explanation


def test_either_guardian_sees_and_can_change_the_application_while_the_round_is_open(application_day) -> None:
    rnd, units = admission_round(units=3)
    fam = family(birth_date=BIG)
    app = apply(rnd, units[:1], fam)
    assert list(selectors.applications_for_guardian(guardian=fam.other_guardian)) == [app]
    assert not selectors.applications_for_guardian(guardian=cast(Person, PersonFactory())).exists()
    services.application_change(
        application=app,
        guardian=fam.other_guardian,
        choices=[units[2], units[0]],
        wanted_start_date=dt.date(2027, 9, 1),
        size_kind="days",
        size_value=3,
    )
    assert [c.unit_id for c in app.choices.order_by("rank")] == [units[2].pk, units[0].pk]
    with pytest.raises(PermissionDenied):
        services.application_change(
            application=app,
            guardian=cast(Person, PersonFactory()),
            choices=units[:1],
            wanted_start_date=dt.date(2027, 9, 1),
            size_kind="percent",
            size_value=100,
        )
    services.admission_round_set_state(admission_round=rnd, state=RoundState.CLOSED)
    with pytest.raises(ValidationError, match="kan ikke endres"):
        services.application_change(
            application=app,
            guardian=fam.guardian,
            choices=units[:1],
            wanted_start_date=dt.date(2027, 9, 1),
            size_kind="percent",
            size_value=100,
        )
    assert [c.unit_id for c in app.choices.order_by("rank")] == [units[2].pk, units[0].pk]
