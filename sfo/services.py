"""Writes of the SFO domain: SFO admission with the same matching engine as kindergarten admission.

Each applicant has one choice: the SFO of the child's school. The SFO ranks applicants youngest first (first
graders before older pupils), then by the recorded lottery. Nobody has a statutory right to an SFO place here,
so the engine's guarantee never applies.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from admission import engine
from admission import services as admission_services
from admission.lottery import lottery_number
from oas import clock
from oas.audit.services import audit_record
from oas.errors import ValidationError, full_clean_or_raise
from oas.organisation.models import Municipality, OrgUnit, OrgUnitKind
from oas.people.models import Person, Placement
from sfo import letters as sfo_letters
from sfo import selectors
from sfo.admission_rules import RULES
from sfo.models import (
    PlaceType,
    SfoApplication,
    SfoApplicationStatus,
    SfoCapacity,
    SfoRound,
    SfoRoundState,
)
from sfo.placements import sfo_placement_change

SFO_AGE_GROUP = "sfo"  # SFO has no age-group programmes: one programme per SFO


_clean = full_clean_or_raise


@transaction.atomic
def sfo_round_create(
    *,
    municipality: Municipality,
    code: str,
    name: str,
    application_deadline: dt.date,
    start_date: dt.date,
    offer_deadline_days: int = 14,
    lottery_seed: str | None = None,
    state: str = SfoRoundState.OPEN,
    user_id: int | None = None,
) -> SfoRound:
    """Create an SFO admission round (open, or a draft the office opens later) with a recorded lottery seed."""
    if state not in (SfoRoundState.OPEN, SfoRoundState.DRAFT):
        raise ValidationError(_("Et nytt opptak er et utkast eller åpent."), code="invalid_state")
    sfo_round = SfoRound(
        municipality=municipality,
        code=code,
        name=name,
        application_deadline=application_deadline,
        start_date=start_date,
        offer_deadline_days=offer_deadline_days,
        lottery_seed=lottery_seed or secrets.token_hex(16),
        state=state,
    )
    _clean(sfo_round)
    sfo_round.save()
    audit_record(
        action="create",
        event="sfo.round.create",
        object_type="sfo.round",
        object_id=sfo_round.pk,
        details={"code": code, "state": state},
        user_id=user_id,
    )
    return sfo_round


@transaction.atomic
def sfo_round_create_with_places(
    *,
    code: str,
    name: str,
    application_deadline: dt.date,
    start_date: dt.date,
    places: int,
    state: str = SfoRoundState.DRAFT,
    municipality: Municipality | None = None,
    user_id: int | None = None,
) -> SfoRound:
    """Create a round of the municipality (the first, when not given) with ``places`` in each of its SFOs."""
    municipality = municipality or Municipality.objects.filter(valid_to__isnull=True).order_by("pk").first()
    if municipality is None:
        raise ValidationError(_("Ingen kommune er satt opp."))
    if SfoRound.objects.filter(code=code).exists():
        raise ValidationError(
            _("Koden %(code)s er allerede brukt.") % {"code": code}, fields={"code": [_("Velg en annen kode.")]}
        )
    sfo_round = sfo_round_create(
        municipality=municipality,
        code=code,
        name=name,
        application_deadline=application_deadline,
        start_date=start_date,
        state=state,
        user_id=user_id,
    )
    for unit in OrgUnit.objects.filter(municipality=municipality, kind=OrgUnitKind.SFO).order_by("pk"):
        sfo_capacity_set(sfo_round=sfo_round, unit=unit, capacity=places)
    return sfo_round


@transaction.atomic
def sfo_round_open(*, sfo_round: SfoRound, user_id: int | None = None) -> SfoRound:
    """Open a draft (or closed, not yet published) round for applications."""
    sfo_round = SfoRound.objects.select_for_update().get(pk=sfo_round.pk)
    if sfo_round.state not in (SfoRoundState.DRAFT, SfoRoundState.CLOSED):
        raise ValidationError(_("Bare et utkast eller et stengt opptak kan åpnes."), code="invalid_state")
    sfo_round.state = SfoRoundState.OPEN
    sfo_round.save(update_fields=["state"])
    audit_record(
        action="update", event="sfo.round.open", object_type="sfo.round", object_id=sfo_round.pk, user_id=user_id
    )
    return sfo_round


@transaction.atomic
def sfo_round_close(*, sfo_round: SfoRound) -> SfoRound:
    """Close an open round for applications."""
    if sfo_round.state != SfoRoundState.OPEN:
        raise ValidationError(_("Bare et åpent opptak kan lukkes."), code="invalid_state")
    sfo_round.state = SfoRoundState.CLOSED
    sfo_round.save(update_fields=["state"])
    return sfo_round


@transaction.atomic
def sfo_capacity_set(*, sfo_round: SfoRound, unit: OrgUnit, capacity: int) -> SfoCapacity:
    """Set an SFO's places in a round; never below the places already given."""
    if unit.kind != OrgUnitKind.SFO:
        raise ValidationError(
            _("%(unit)s er ikke en SFO.") % {"unit": unit.name}, fields={"unit": [_("Ugyldig enhet.")]}
        )
    if capacity < 0:
        raise ValidationError(_("Kapasiteten kan ikke være negativ."), fields={"capacity": [_("Må være 0 eller mer.")]})
    row = SfoCapacity.objects.select_for_update().filter(round=sfo_round, unit=unit).first()
    given = selectors.sfo_seats_taken(sfo_round=sfo_round, unit=unit)
    if capacity < given:
        raise ValidationError(
            _("%(unit)s har allerede gitt %(given)s plasser; kapasiteten kan ikke settes til %(capacity)s.")
            % {"unit": unit.name, "given": given, "capacity": capacity},
            code="capacity_below_given",
        )
    if row is None:
        return SfoCapacity.objects.create(round=sfo_round, unit=unit, capacity=capacity)
    row.capacity = capacity
    row.save(update_fields=["capacity"])
    return row


class DuplicateSfoApplication(admission_services.DuplicateApplication):
    def __init__(self, existing: SfoApplication):
        super().__init__(existing.pk, message=RULES.duplicate_message)
        self.existing = existing


def sfo_application_submit(
    *,
    sfo_round: SfoRound,
    child: Person,
    applicant: Person,
    unit: OrgUnit,
    place_type: str,
    start_date: dt.date,
    hours_per_week: int | None = None,
    user_id: int | None = None,
) -> SfoApplication:
    """Apply for a place in the SFO of the child's school; refuses bad input without writing anything."""
    admission_services.responsibility_require(
        guardian=applicant, child_id=child.pk, event="sfo.application.submit", user_id=user_id
    )
    with transaction.atomic():
        sfo_round = SfoRound.objects.select_for_update().get(pk=sfo_round.pk)
        admission_services.round_require_open(is_open=sfo_round.state == SfoRoundState.OPEN)
        existing = (
            SfoApplication.objects.filter(round=sfo_round, child=child)
            .exclude(status=SfoApplicationStatus.WITHDRAWN)
            .first()
        )
        if existing is not None:
            raise DuplicateSfoApplication(existing)
        admission_services.start_date_require_not_past(start_date=start_date, field="start_date")
        if not SfoCapacity.objects.filter(round=sfo_round, unit=unit).exists():
            raise ValidationError(
                _("%(unit)s er ikke med i dette opptaket.") % {"unit": unit.name}, code="unit_not_in_round"
            )
        if not selectors.sfo_belongs_to_childs_school(child=child, unit=unit, on=start_date):
            raise ValidationError(
                _("%(unit)s hører ikke til barnets skole.") % {"unit": unit.name}, code="not_childs_school"
            )
        if place_type not in PlaceType.values:
            raise ValidationError(_("Ukjent plasstype."), fields={"place_type": [_("Velg hel, deltid eller timer.")]})
        if (place_type == PlaceType.HOURS) != (hours_per_week is not None):
            raise ValidationError(
                _("Oppgi antall timer per uke for timeplass (og bare da)."), fields={"hours_per_week": [_("Ugyldig.")]}
            )
        application = SfoApplication(
            round=sfo_round,
            child=child,
            applicant=applicant,
            unit=unit,
            place_type=place_type,
            hours_per_week=hours_per_week,
            start_date=start_date,
            submitted_at=clock.now(),
        )
        _clean(application)
        application.save()
        audit_record(
            action="create",
            event="sfo.application.submit",
            person_ids=[child.pk, applicant.pk],
            object_type="sfo.application",
            object_id=application.pk,
            user_id=user_id,
        )
        return application


def _sfo_input(sfo_round: SfoRound) -> tuple[engine.RoundInput, dict[str, SfoApplication]]:
    capacities = list(sfo_round.capacities.select_related("unit").order_by("unit_id"))
    applications = list(
        SfoApplication.objects.filter(round=sfo_round)
        .exclude(status=SfoApplicationStatus.WITHDRAWN)
        .select_related("child", "unit")
        .order_by("pk")
    )
    by_id = {str(a.pk): a for a in applications}
    lottery = {aid: lottery_number(seed=sfo_round.lottery_seed, key=aid) for aid in by_id}
    programmes = [
        engine.Programme(
            id=engine.programme_id(str(c.unit_id), SFO_AGE_GROUP),
            unit=str(c.unit_id),
            unit_name=c.unit.name,
            age_group=SFO_AGE_GROUP,
            capacity=c.capacity,
        )
        for c in capacities
    ]
    priority: dict[str, list[str]] = {}
    for c in capacities:
        pid = engine.programme_id(str(c.unit_id), SFO_AGE_GROUP)
        listed = [a for a in applications if a.unit_id == c.unit_id]
        # Youngest first (first graders before older pupils), then the lottery.
        listed.sort(key=lambda a: (-(a.child.birth_date or dt.date.min).toordinal(), lottery[str(a.pk)]))
        priority[pid] = [str(a.pk) for a in listed]
    applicants = sorted(
        (engine.Applicant(id=aid, age_group=SFO_AGE_GROUP, choices=(str(a.unit_id),)) for aid, a in by_id.items()),
        key=lambda a: lottery[a.id],
    )
    return engine.RoundInput(programmes=programmes, applicants=applicants, priority=priority), by_id


@dataclass(frozen=True)
class SfoMatchOutcome:
    offered: int
    waiting: int


@dataclass(frozen=True)
class SfoProposal:
    """What the matching would give one application (nothing is written until the round is published)."""

    application: SfoApplication
    offered: bool
    waiting_position: int | None
    explanation: str


def sfo_round_proposal(*, sfo_round: SfoRound) -> list[SfoProposal]:
    """Run the matching on the round as it stands and return the proposal (deterministic: the seed is recorded)."""
    data, by_id = _sfo_input(sfo_round)
    result = engine.match(data)
    positions = {aid: i for ids in result.waiting.values() for i, aid in enumerate(ids, start=1)}
    return [
        SfoProposal(
            application=application,
            offered=result.assignments[aid].programme is not None,
            waiting_position=positions.get(aid),
            explanation=result.assignments[aid].explanation,
        )
        for aid, application in by_id.items()
    ]


@transaction.atomic
def sfo_round_match(*, sfo_round: SfoRound, user_id: int | None = None) -> SfoMatchOutcome:
    """Run the matching on a closed round for the office to review; publishing turns it into offers."""
    sfo_round = SfoRound.objects.select_for_update().get(pk=sfo_round.pk)
    if sfo_round.state not in (SfoRoundState.CLOSED, SfoRoundState.MATCHED):
        raise ValidationError(_("Tildelingen kan bare kjøres når søknadsfristen er ute."), code="invalid_state")
    proposal = sfo_round_proposal(sfo_round=sfo_round)
    offered = sum(1 for p in proposal if p.offered)
    sfo_round.state = SfoRoundState.MATCHED
    sfo_round.save(update_fields=["state"])
    audit_record(
        action="update",
        event="sfo.round.match",
        object_type="sfo.round",
        object_id=sfo_round.pk,
        details={"seed": sfo_round.lottery_seed, "offered": offered},
        user_id=user_id,
    )
    return SfoMatchOutcome(offered=offered, waiting=len(proposal) - offered)


@transaction.atomic
def sfo_round_match_and_publish(*, sfo_round: SfoRound, user_id: int | None = None) -> SfoMatchOutcome:
    """Match a closed (or reviewed) SFO round and publish it: offers with a deadline, and numbered waiting lists."""
    sfo_round = SfoRound.objects.select_for_update().get(pk=sfo_round.pk)
    if sfo_round.state not in (SfoRoundState.CLOSED, SfoRoundState.MATCHED):
        raise ValidationError(_("Tildelingen kan bare kjøres når søknadsfristen er ute."), code="invalid_state")
    data, by_id = _sfo_input(sfo_round)
    result = engine.match(data)
    deadline = clock.today() + dt.timedelta(days=sfo_round.offer_deadline_days)
    positions = {aid: i for ids in result.waiting.values() for i, aid in enumerate(ids, start=1)}
    offered = 0
    for aid, application in by_id.items():
        asg = result.assignments[aid]
        application.explanation = asg.explanation
        if asg.programme is not None:
            application.status = SfoApplicationStatus.OFFERED
            application.offer_deadline = deadline
            offered += 1
        else:
            application.status = SfoApplicationStatus.WAITING
            application.waiting_position = positions.get(aid)
    SfoApplication.objects.bulk_update(by_id.values(), ["explanation", "status", "offer_deadline", "waiting_position"])
    sfo_round.state = SfoRoundState.PUBLISHED
    sfo_round.save(update_fields=["state"])
    audit_record(
        action="create",
        event="sfo.round.publish",
        object_type="sfo.round",
        object_id=sfo_round.pk,
        details={"seed": sfo_round.lottery_seed, "offered": offered},
        user_id=user_id,
    )
    application_ids = [a.pk for a in by_id.values()]
    # Rendering the PDFs does not belong in this transaction, but the promise to send them does: one outbox row
    # per application, written here, delivered by the outbox (never lost when the broker is down at commit).
    sfo_letters.sfo_decision_letters_outbox(application_ids=application_ids)
    return SfoMatchOutcome(offered=offered, waiting=len(by_id) - offered)


def _refuse(guardian: Person, application: SfoApplication, event: str, user_id: int | None) -> None:
    admission_services.responsibility_require(
        guardian=guardian,
        child_id=application.child_id,
        event=event,
        object_type="sfo.application",
        object_id=application.pk,
        user_id=user_id,
    )


def sfo_offer_accept(*, application: SfoApplication, guardian: Person, user_id: int | None = None) -> Placement:
    """Accept an SFO offer before its deadline: creates the kernel placement (service SFO) and its details."""
    _refuse(guardian, application, "sfo.offer.accept", user_id)
    with transaction.atomic():
        application = SfoApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != SfoApplicationStatus.OFFERED:
            raise ValidationError(_("Det er ikke noe tilbud å svare på."), code="no_offer")
        assert application.offer_deadline is not None
        admission_services.offer_require_answerable(deadline=application.offer_deadline)
        # One kernel service places the child (as the leaders' placement page does): an SFO place the child
        # already has ends the day before the new one starts.
        placement = sfo_placement_change(
            child=application.child,
            unit=application.unit,
            start_date=max(application.start_date, application.round.start_date),
            place_type=application.place_type,
            hours_per_week=application.hours_per_week,
            user_id=user_id,
        )
        application.status = SfoApplicationStatus.ACCEPTED
        application.placement = placement
        application.save(update_fields=["status", "placement"])
        audit_record(
            action="create",
            event="sfo.offer.accept",
            person_ids=[application.child_id, guardian.pk],
            object_type="sfo.application",
            object_id=application.pk,
            details={"placement": placement.pk},
            user_id=user_id,
        )
        return placement


def sfo_offer_decline(
    *, application: SfoApplication, guardian: Person, user_id: int | None = None
) -> SfoApplication | None:
    """Decline an SFO offer; the place goes to the first on the SFO's waiting list, who is returned."""
    _refuse(guardian, application, "sfo.offer.decline", user_id)
    with transaction.atomic():
        application = SfoApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != SfoApplicationStatus.OFFERED:
            raise ValidationError(_("Det er ikke noe tilbud å svare på."), code="no_offer")
        application.status = SfoApplicationStatus.DECLINED
        application.save(update_fields=["status"])
        audit_record(
            action="update",
            event="sfo.offer.decline",
            person_ids=[application.child_id, guardian.pk],
            object_type="sfo.application",
            object_id=application.pk,
            user_id=user_id,
        )
        nxt = (
            SfoApplication.objects.select_for_update()
            .filter(round=application.round, unit=application.unit, status=SfoApplicationStatus.WAITING)
            .filter(~Q(waiting_position=None))
            .order_by("waiting_position")
            .first()
        )
        if nxt is None:
            return None
        nxt.status = SfoApplicationStatus.OFFERED
        nxt.offer_deadline = clock.today() + dt.timedelta(days=application.round.offer_deadline_days)
        nxt.explanation = _("Det ble ledig plass i %(unit)s, og barnet var neste på ventelisten.") % {
            "unit": application.unit.name
        }
        nxt.save(update_fields=["status", "offer_deadline", "explanation"])
        return nxt


def _sfo_application_lock_changeable(application: SfoApplication, *, verb: str) -> SfoApplication:
    """Lock the application and check it can still be changed: submitted, round open, deadline not passed.

    ``verb`` is "endres" or "trekkes"; each has its own whole sentences for translation.
    """
    application = (
        SfoApplication.objects.select_for_update().select_related("round", "child", "unit").get(pk=application.pk)
    )
    if verb == "trekkes":
        not_now = _("Søknaden kan ikke trekkes nå.")
        too_late = _("Søknadsfristen gikk ut %(deadline)s; søknaden kan ikke trekkes.")
    else:
        not_now = _("Søknaden kan ikke endres nå.")
        too_late = _("Søknadsfristen gikk ut %(deadline)s; søknaden kan ikke endres.")
    if application.status != SfoApplicationStatus.SUBMITTED or application.round.state != SfoRoundState.OPEN:
        raise ValidationError(not_now, code="invalid_state")
    if clock.today() > application.round.application_deadline:
        raise ValidationError(
            too_late % {"deadline": application.round.application_deadline.strftime("%d.%m.%Y")},
            code="deadline_passed",
        )
    return application


def sfo_application_change(
    *,
    application: SfoApplication,
    guardian: Person,
    place_type: str,
    start_date: dt.date,
    hours_per_week: int | None = None,
    user_id: int | None = None,
) -> SfoApplication:
    """Change place type, hours or start date before the deadline (either guardian with responsibility)."""
    _refuse(guardian, application, "sfo.application.change", user_id)
    with transaction.atomic():
        application = _sfo_application_lock_changeable(application, verb="endres")
        admission_services.start_date_require_not_past(start_date=start_date, field="start_date")
        if not selectors.sfo_belongs_to_childs_school(child=application.child, unit=application.unit, on=start_date):
            raise ValidationError(
                _("%(unit)s hører ikke til barnets skole.") % {"unit": application.unit.name}, code="not_childs_school"
            )
        if place_type not in PlaceType.values:
            raise ValidationError(_("Ukjent plasstype."), fields={"place_type": [_("Velg hel, deltid eller timer.")]})
        if (place_type == PlaceType.HOURS) != (hours_per_week is not None):
            raise ValidationError(
                _("Oppgi antall timer per uke for timeplass (og bare da)."), fields={"hours_per_week": [_("Ugyldig.")]}
            )
        before = {
            "place_type": application.place_type,
            "hours_per_week": application.hours_per_week,
            "start_date": application.start_date.isoformat(),
        }
        application.place_type = place_type
        application.hours_per_week = hours_per_week
        application.start_date = start_date
        _clean(application)
        application.save(update_fields=["place_type", "hours_per_week", "start_date"])
        event = audit_record(
            action="update",
            event="sfo.application.change",
            person_ids=[application.child_id, guardian.pk],
            object_type="sfo.application",
            object_id=application.pk,
            details={
                "before": before,
                "after": {
                    "place_type": place_type,
                    "hours_per_week": hours_per_week,
                    "start_date": start_date.isoformat(),
                },
            },
            user_id=user_id,
        )
        _sfo_guardians_notify(
            application=application,
            key=f"sfo-soknad-endret:{application.pk}:{event.pk}",
            title=_("SFO-søknaden for %(child)s er endret av %(guardian)s")
            % {"child": application.child.first_name, "guardian": guardian.full_name},
        )
        return application


def sfo_application_withdraw(
    *, application: SfoApplication, guardian: Person, user_id: int | None = None
) -> SfoApplication:
    """Withdraw an SFO application before the deadline; it then takes no part in the matching."""
    _refuse(guardian, application, "sfo.application.withdraw", user_id)
    with transaction.atomic():
        application = _sfo_application_lock_changeable(application, verb="trekkes")
        application.status = SfoApplicationStatus.WITHDRAWN
        application.save(update_fields=["status"])
        audit_record(
            action="update",
            event="sfo.application.withdraw",
            person_ids=[application.child_id, guardian.pk],
            object_type="sfo.application",
            object_id=application.pk,
            user_id=user_id,
        )
        _sfo_guardians_notify(
            application=application,
            key=f"sfo-soknad-trukket:{application.pk}",
            title=_("SFO-søknaden for %(child)s er trukket av %(guardian)s")
            % {"child": application.child.first_name, "guardian": guardian.full_name},
        )
        return application


def _sfo_guardians_notify(*, application: SfoApplication, key: str, title: str) -> int:
    """Notify every guardian with parental responsibility (the one who acted too: a receipt)."""
    return admission_services.guardians_notify(
        guardian_ids=selectors.sfo_guardians_of(child=application.child),
        key=key,
        title=title,
        url=reverse("sfo_pages:portal"),
    )
