"""Writes of the Barnehage domain: rounds, capacity, criteria, applications, matching, offers, appeals."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from admission import engine
from admission import services as admission_services
from integrations.public import outbox_enqueue
from kindergarten import letters, rules, selectors
from kindergarten.admission_rules import RULES
from kindergarten.models import (
    ATTACHMENT_CONTENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    STATUTORY_CRITERIA,
    AdmissionRound,
    AgeGroup,
    Appeal,
    AppealStatus,
    Application,
    ApplicationChoice,
    ApplicationStatus,
    Assignment,
    Attachment,
    CriterionKind,
    DecisionLetter,
    GroundKind,
    KindergartenPlacementDetail,
    KindergartenUnitDetail,
    Offer,
    OfferStatus,
    PriorityGround,
    Programme,
    RoundKind,
    RoundState,
    SizeKind,
    UnitCriterion,
    WaitingListEntry,
    WaitingStatus,
)
from kindergarten.placements import kindergarten_placement_change
from oas import clock
from oas.audit.services import audit_record
from oas.errors import PermissionDenied, ValidationError, from_django_validation_error
from oas.organisation.models import Municipality, OrgUnit, OrgUnitKind, Ownership
from oas.people.models import Person, Placement, Service
from oas.uploads import content_type_of

logger = logging.getLogger(__name__)


def _clean(obj: object) -> None:
    try:
        obj.full_clean()  # type: ignore[attr-defined]
    except DjangoValidationError as exc:
        raise from_django_validation_error(exc) from exc


# ---------------------------------------------------------------------------------------------------- rounds


@transaction.atomic
def admission_round_create(
    *,
    municipality: Municipality,
    code: str,
    name: str,
    application_deadline: dt.date,
    start_date: dt.date,
    kind: str = RoundKind.MAIN,
    max_choices: int = 5,
    offer_deadline_days: int = 14,
    lottery_seed: str | None = None,
) -> AdmissionRound:
    """Create an admission round in draft; the lottery seed is drawn now and recorded."""
    admission_round = AdmissionRound(
        municipality=municipality,
        code=code,
        name=name,
        kind=kind,
        application_deadline=application_deadline,
        start_date=start_date,
        max_choices=max_choices,
        offer_deadline_days=offer_deadline_days,
        lottery_seed=lottery_seed or secrets.token_hex(16),
    )
    _clean(admission_round)
    admission_round.save()
    return admission_round


_TRANSITIONS = {
    RoundState.OPEN: (RoundState.DRAFT, RoundState.CLOSED),
    RoundState.CLOSED: (RoundState.OPEN,),
}


@transaction.atomic
def admission_round_set_state(*, admission_round: AdmissionRound, state: str) -> AdmissionRound:
    """Open a round for applications or close it (the only manual state changes)."""
    allowed = _TRANSITIONS.get(RoundState(state), ())
    if admission_round.state not in allowed:
        raise ValidationError(
            _("Opptaket kan ikke endres fra «%(current)s» til «%(new)s».")
            % {"current": admission_round.get_state_display(), "new": RoundState(state).label},
            code="invalid_state",
        )
    admission_round.state = state
    admission_round.save(update_fields=["state"])
    return admission_round


@transaction.atomic
def programmes_prefill(*, admission_round: AdmissionRound, user_id: int | None = None) -> int:
    """Give every coordinated kindergarten without a capacity in the round its registered places; return how many.

    Capacities the office has already set stay as they are.
    """
    existing = set(Programme.objects.filter(round=admission_round).values_list("unit_id", "age_group"))
    details = KindergartenUnitDetail.objects.filter(
        unit__kind=OrgUnitKind.KINDERGARTEN,
        unit__coordinated_admission=True,
        unit__municipality_id=admission_round.municipality_id,
    ).select_related("unit")
    created = [
        Programme(
            round=admission_round,
            unit=detail.unit,
            age_group=age_group,
            capacity=detail.registered_places(age_group=age_group),
        )
        for detail in details
        for age_group in AgeGroup.values
        if (detail.unit_id, age_group) not in existing and detail.registered_places(age_group=age_group) > 0
    ]
    Programme.objects.bulk_create(created)
    if created:
        audit_record(
            action="update",
            event="kindergarten.round.capacity_prefill",
            object_type="kindergarten.admissionround",
            object_id=admission_round.pk,
            details={"programmes": len(created)},
            user_id=user_id,
        )
    return len(created)


@transaction.atomic
def programme_set_capacity(
    *, admission_round: AdmissionRound, unit: OrgUnit, age_group: str, capacity: int
) -> Programme:
    """Set a kindergarten's capacity for an age group in a round; never below the places already given."""
    if unit.kind != OrgUnitKind.KINDERGARTEN or not unit.coordinated_admission:
        raise ValidationError(
            _("%(unit)s er ikke en barnehage som deltar i samordnet opptak.") % {"unit": unit.name},
            fields={"unit": [_("Ugyldig enhet.")]},
        )
    if age_group not in AgeGroup.values:
        raise ValidationError(_("Ukjent aldersgruppe."), fields={"age_group": [_("Velg 0-2 eller 3-5.")]})
    if capacity < 0:
        raise ValidationError(_("Kapasiteten kan ikke være negativ."), fields={"capacity": [_("Må være 0 eller mer.")]})
    programme = (
        Programme.objects.select_for_update().filter(round=admission_round, unit=unit, age_group=age_group).first()
    )
    if programme is None:
        programme = Programme(round=admission_round, unit=unit, age_group=age_group, capacity=capacity)
        _clean(programme)
        programme.save()
        return programme
    given = selectors.seats_taken(programme=programme)
    if capacity < given:
        raise ValidationError(
            _(
                "%(unit)s har allerede gitt %(given)s plasser for %(age_group)s år; kapasiteten kan ikke settes til "
                "%(capacity)s."
            )
            % {"unit": unit.name, "given": given, "age_group": age_group, "capacity": capacity},
            code="capacity_below_given",
            fields={"capacity": [_("Minst %(given)s.") % {"given": given}]},
        )
    grew = capacity > programme.capacity
    programme.capacity = capacity
    programme.save(update_fields=["capacity"])
    if grew and admission_round.state == RoundState.PUBLISHED:
        _waiting_list_advance(programmes=[programme])
    return programme


@transaction.atomic
def unit_criteria_set(*, unit: OrgUnit, kinds: Sequence[str]) -> list[UnitCriterion]:
    """Replace a private kindergarten's ordered admission criteria (from its statutes, vedtekter)."""
    if unit.ownership != Ownership.PRIVATE:
        raise ValidationError(_("Kommunale barnehager følger kommunens opptakskriterier."), code="municipal_unit")
    unknown = [k for k in kinds if k not in CriterionKind.values]
    if unknown:
        raise ValidationError(
            _("Ukjent kriterium: %(kinds)s.") % {"kinds": ", ".join(unknown)}, fields={"kinds": unknown}
        )
    if len(set(kinds)) != len(kinds):
        raise ValidationError(_("Et kriterium kan bare stå én gang."), fields={"kinds": [_("Duplikat.")]})
    statutory = [k for k in kinds if k in STATUTORY_CRITERIA]
    if statutory:
        raise ValidationError(
            _("Barn med prioritet etter barnehageloven § 18 kommer alltid først og skal ikke føres opp."),
            fields={"kinds": statutory},
        )
    UnitCriterion.objects.filter(unit=unit).delete()
    return UnitCriterion.objects.bulk_create(
        UnitCriterion(unit=unit, position=i, kind=kind) for i, kind in enumerate(kinds, start=1)
    )


# ---------------------------------------------------------------------------------------------- applications


@dataclass(frozen=True)
class AttachmentIn:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class GroundIn:
    kind: str
    description: str = ""
    attachments: Sequence[AttachmentIn] = ()


def _validate_attachment(attachment: AttachmentIn) -> None:
    if attachment.content_type not in ATTACHMENT_CONTENT_TYPES:
        raise ValidationError(
            _("«%(filename)s» har en filtype som ikke er tillatt. Last opp PDF, JPEG eller PNG.")
            % {"filename": attachment.filename},
            code="attachment_type",
            fields={"attachments": [_("Ugyldig filtype.")]},
        )
    if len(attachment.content) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("«%(filename)s» er større enn 10 MB.") % {"filename": attachment.filename},
            code="attachment_too_large",
            fields={"attachments": [_("Maks 10 MB.")]},
        )
    # The content must really parse as the declared type (the kernel's upload check, also used for reduced-fee
    # documentation and message attachments): a "%PDF-" prefix in front of something else is refused.
    if content_type_of(data=attachment.content) != attachment.content_type:
        raise ValidationError(
            _("Innholdet i «%(filename)s» stemmer ikke med filtypen %(content_type)s.")
            % {"filename": attachment.filename, "content_type": attachment.content_type},
            code="attachment_type",
            fields={"attachments": [_("Innholdet stemmer ikke med filtypen.")]},
        )


class DuplicateApplication(admission_services.DuplicateApplication):
    """The child already has an application in the round; ``existing`` is the one to change instead."""

    def __init__(self, existing: Application):
        super().__init__(existing.pk, message=RULES.duplicate_message)
        self.existing = existing


def _refuse_without_responsibility(*, guardian: Person, child: Person, event: str, user_id: int | None) -> None:
    admission_services.responsibility_require(guardian=guardian, child_id=child.pk, event=event, user_id=user_id)


def _refuse_non_kindergarten_child(*, child: Person, start: dt.date) -> None:
    """Refuse a kindergarten place from ``start`` for a child of school age or with a school placement."""
    school = selectors.placements_from(child_ids=[child.pk], service=Service.SCHOOL, on=start).get(child.pk, [])
    refusal = selectors.kindergarten_refusal(birth_date=child.birth_date, start=start, school=school)
    if refusal is not None:
        code, message = refusal
        raise ValidationError(message, code=code, fields={"wanted_start_date": [message]})


def _refuse_outside_age_range(*, child: Person, start: dt.date, choices: Sequence[OrgUnit]) -> None:
    """Refuse a chosen kindergarten whose age range (the unit's min and max age) does not fit the child at start."""
    if child.birth_date is None:
        return
    age = rules.age_on(child.birth_date, start)
    for unit in choices:
        if (unit.min_age is not None and age < unit.min_age) or (unit.max_age is not None and age > unit.max_age):
            raise ValidationError(
                _(
                    "Barnet er %(age)s år ved oppstart %(start)s; %(unit)s tar imot barn fra %(min)s til %(max)s år. "
                    "Velg en annen oppstart eller en annen barnehage."
                )
                % {
                    "age": age,
                    "start": start.strftime("%d.%m.%Y"),
                    "unit": unit.name,
                    "min": unit.min_age if unit.min_age is not None else 0,
                    "max": unit.max_age if unit.max_age is not None else 5,
                },
                code="age_out_of_range",
                fields={"choices": [unit.name]},
            )


def _current_kindergarten(*, child: Person, start: dt.date, choices: Sequence[OrgUnit]) -> OrgUnit | None:
    """Return the kindergarten the child already has a place in from ``start`` (a transfer, bytte), if any.

    Choosing that kindergarten again is refused: the child already has the place.
    """
    current = selectors.placements_from(child_ids=[child.pk], service=Service.KINDERGARTEN, on=start).get(child.pk, [])
    if not current:
        return None
    units = {p.unit_id: p.unit for p in current}
    same = [u for u in choices if u.pk in units]
    if same:
        raise ValidationError(
            _("Barnet har allerede plass i %(unit)s. En søknad om bytte gjelder andre barnehager.")
            % {"unit": same[0].name},
            code="already_placed_there",
            fields={"choices": [same[0].name]},
        )
    return current[0].unit


def application_submit(
    *,
    admission_round: AdmissionRound,
    child: Person,
    applicant: Person,
    choices: Sequence[OrgUnit],
    wanted_start_date: dt.date,
    size_kind: str = SizeKind.PERCENT,
    size_value: int = 100,
    grounds: Sequence[GroundIn] = (),
    user_id: int | None = None,
) -> Application:
    """Submit a guardian's application for a kindergarten place; refuses bad input without writing anything."""
    # The refusal must be audit-logged even though the application is not written: check before the transaction.
    _refuse_without_responsibility(
        guardian=applicant, child=child, event="kindergarten.application.submit", user_id=user_id
    )
    with transaction.atomic():
        return _application_create(
            admission_round=admission_round,
            child=child,
            applicant=applicant,
            choices=choices,
            wanted_start_date=wanted_start_date,
            size_kind=size_kind,
            size_value=size_value,
            grounds=grounds,
            user_id=user_id,
        )


def _validate_wishes(
    *,
    admission_round: AdmissionRound,
    choices: Sequence[OrgUnit],
    wanted_start_date: dt.date,
    grounds: Sequence[GroundIn] = (),
) -> None:
    """Check the parts of an application a guardian fills in; raise on the first problem."""
    admission_services.start_date_require_not_past(start_date=wanted_start_date, field="wanted_start_date")
    if not choices:
        raise ValidationError(_("Velg minst én barnehage."), fields={"choices": [_("Påkrevd.")]})
    if len(choices) > admission_round.max_choices:
        raise ValidationError(
            _("Du kan velge høyst %(max)s barnehager.") % {"max": admission_round.max_choices},
            fields={"choices": [_("For mange.")]},
        )
    if len({u.pk for u in choices}) != len(choices):
        raise ValidationError(_("Hver barnehage kan bare velges én gang."), fields={"choices": [_("Duplikat.")]})
    in_round = set(admission_round.programmes.values_list("unit_id", flat=True))
    outside = [u for u in choices if u.pk not in in_round or not u.coordinated_admission]
    if outside:
        raise ValidationError(
            _("%(unit)s er ikke med i dette opptaket.") % {"unit": outside[0].name},
            code="unit_not_in_round",
            fields={"choices": [u.name for u in outside]},
        )
    kinds = [g.kind for g in grounds]
    if any(k not in GroundKind.values for k in kinds) or len(set(kinds)) != len(kinds):
        raise ValidationError(_("Ugyldige prioriteringsgrunnlag."), fields={"grounds": [_("Ukjent eller gjentatt.")]})
    for ground in grounds:
        for attachment in ground.attachments:
            _validate_attachment(attachment)


def _application_create(
    *,
    admission_round: AdmissionRound,
    child: Person,
    applicant: Person,
    choices: Sequence[OrgUnit],
    wanted_start_date: dt.date,
    size_kind: str,
    size_value: int,
    grounds: Sequence[GroundIn],
    user_id: int | None,
) -> Application:
    # Lock the round so two concurrent submissions for the same child cannot both pass the duplicate check.
    admission_round = AdmissionRound.objects.select_for_update().get(pk=admission_round.pk)
    admission_services.round_require_open(is_open=admission_round.state == RoundState.OPEN)
    existing = selectors.active_applications(admission_round=admission_round).filter(child=child).first()
    if existing is not None:
        raise DuplicateApplication(existing)
    _validate_wishes(
        admission_round=admission_round, choices=choices, wanted_start_date=wanted_start_date, grounds=grounds
    )
    start = max(wanted_start_date, admission_round.start_date)
    _refuse_non_kindergarten_child(child=child, start=start)
    _refuse_outside_age_range(child=child, start=start, choices=choices)
    transfer_from = _current_kindergarten(child=child, start=start, choices=choices)
    today = clock.today()
    kinds = [g.kind for g in grounds]

    application = Application(
        round=admission_round,
        child=child,
        applicant=applicant,
        submitted_at=clock.now(),
        wanted_start_date=wanted_start_date,
        size_kind=size_kind,
        size_value=size_value,
        sibling_unit_ids=selectors.sibling_units(child=child, on=max(today, admission_round.start_date)),
        transfer_from=transfer_from,
    )
    _clean(application)
    application.save()
    ApplicationChoice.objects.bulk_create(
        ApplicationChoice(application=application, unit=unit, rank=i) for i, unit in enumerate(choices, start=1)
    )
    for ground in grounds:
        row = PriorityGround.objects.create(application=application, kind=ground.kind, description=ground.description)
        Attachment.objects.bulk_create(
            Attachment(
                ground=row,
                filename=a.filename,
                content_type=a.content_type,
                size=len(a.content),
                sha256=hashlib.sha256(a.content).hexdigest(),
                content=a.content,
            )
            for a in ground.attachments
        )
    audit_record(
        action="create",
        event="kindergarten.application.submit",
        person_ids=[child.pk, applicant.pk],
        object_type="kindergarten.application",
        object_id=application.pk,
        details={
            "round": admission_round.code,
            "choices": [u.pk for u in choices],
            "grounds": kinds,
            "transfer_from": transfer_from.pk if transfer_from else None,
        },
        user_id=user_id,
    )
    _guardians_notify(
        child=child,
        key=f"kg-soknad:{application.pk}",
        title=_("Søknad om barnehageplass for %(child)s er sendt av %(applicant)s")
        % {"child": child.first_name, "applicant": applicant.full_name},
        url=reverse("kindergarten_pages:portal_application", args=[application.pk]),
    )
    # The archive entry is a delivery to another system: an outbox row in this transaction, so it is neither lost
    # when the broker is down at commit nor sent for an application that was rolled back.
    outbox_enqueue(
        kind=letters.APPLICATION_ARCHIVE_KIND,
        payload={"application_id": application.pk},
        idempotency_key=f"kg-soknad-arkiv:{application.pk}",
    )
    return application


def _guardians_notify(*, child: Person, key: str, title: str, url: str) -> int:
    """Notify every guardian with parental responsibility (the one who acted too: a receipt)."""
    return admission_services.guardians_notify(
        guardian_ids=selectors.guardians_of(child=child), key=key, title=title, url=url
    )


def decision_letters_send_pending(*, limit: int = 10_000, older_than_minutes: int = 0) -> int:
    """Send the stored decision letters still unsent, synchronously (beat recovery, tests and benchmarks).

    The beat task passes ``older_than_minutes`` so it leaves fresh letters to their own on-commit tasks; a letter
    that fails is logged and left for the next run (the keys make every retry idempotent).
    """
    unsent = DecisionLetter.objects.filter(sent_at__isnull=True)
    if older_than_minutes:
        unsent = unsent.filter(created_at__lt=clock.now() - dt.timedelta(minutes=older_than_minutes))
    sent = 0
    for letter_id in unsent.order_by("pk").values_list("pk", flat=True)[:limit]:
        try:
            sent += letters.decision_letter_send(letter_id=letter_id)
        except Exception:
            logger.exception("kindergarten: decision letter %s could not be sent; next run retries", letter_id)
    return sent


def application_change(
    *,
    application: Application,
    guardian: Person,
    choices: Sequence[OrgUnit],
    wanted_start_date: dt.date,
    size_kind: str,
    size_value: int,
    user_id: int | None = None,
) -> Application:
    """Change the wishes of an application while the round is open (either guardian with responsibility)."""
    _refuse_without_responsibility(
        guardian=guardian, child=application.child, event="kindergarten.application.change", user_id=user_id
    )
    with transaction.atomic():
        application = Application.objects.select_for_update().select_related("round").get(pk=application.pk)
        if not selectors.application_is_changeable(application=application):
            raise ValidationError(_("Søknaden kan ikke endres nå."), code="invalid_state")
        _validate_wishes(admission_round=application.round, choices=choices, wanted_start_date=wanted_start_date)
        start = max(wanted_start_date, application.round.start_date)
        _refuse_non_kindergarten_child(child=application.child, start=start)
        _refuse_outside_age_range(child=application.child, start=start, choices=choices)
        application.transfer_from = _current_kindergarten(child=application.child, start=start, choices=choices)
        application.wanted_start_date = wanted_start_date
        application.size_kind = size_kind
        application.size_value = size_value
        _clean(application)
        application.save(update_fields=["wanted_start_date", "size_kind", "size_value", "transfer_from"])
        application.choices.all().delete()
        ApplicationChoice.objects.bulk_create(
            ApplicationChoice(application=application, unit=unit, rank=i) for i, unit in enumerate(choices, start=1)
        )
        audit_record(
            action="update",
            event="kindergarten.application.change",
            person_ids=[application.child_id, guardian.pk],
            object_type="kindergarten.application",
            object_id=application.pk,
            details={"choices": [u.pk for u in choices]},
            user_id=user_id,
        )
        return application


@transaction.atomic
def application_withdraw(*, application: Application, guardian: Person, user_id: int | None = None) -> Application:
    """Withdraw an application while the round is still open."""
    if not selectors.guardian_has_parental_responsibility(guardian=guardian, child=application.child):
        raise PermissionDenied(_("Du har ikke foreldreansvar for dette barnet."), code="no_parental_responsibility")
    if application.round.state != RoundState.OPEN or application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(_("Søknaden kan ikke trekkes nå."), code="invalid_state")
    application.status = ApplicationStatus.WITHDRAWN
    application.save(update_fields=["status"])
    audit_record(
        action="update",
        event="kindergarten.application.withdraw",
        person_ids=[application.child_id, guardian.pk],
        object_type="kindergarten.application",
        object_id=application.pk,
        user_id=user_id,
    )
    return application


@transaction.atomic
def priority_ground_check(*, ground: PriorityGround, checked: bool, user_id: int | None = None) -> PriorityGround:
    """Record that staff have (or have not) verified the documentation of a priority ground."""
    ground.documentation_checked = checked
    ground.checked_at = clock.now() if checked else None
    ground.save(update_fields=["documentation_checked", "checked_at"])
    audit_record(
        action="update",
        event="kindergarten.ground.check",
        person_ids=[ground.application.child_id],
        object_type="kindergarten.priorityground",
        object_id=ground.pk,
        details={"checked": checked},
        user_id=user_id,
    )
    return ground


# -------------------------------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class MatchOutcome:
    result: engine.MatchResult
    affected_application_ids: list[int]  # whose proposed place changed compared to the previous run


def admission_round_match(*, admission_round: AdmissionRound, user_id: int | None = None) -> MatchOutcome:
    """Run the matching for a closed round and store the proposal (locked assignments are kept)."""
    with transaction.atomic():
        admission_round = AdmissionRound.objects.select_for_update().get(pk=admission_round.pk)
        if admission_round.state not in (RoundState.CLOSED, RoundState.MATCHED):
            raise ValidationError(_("Tildelingen kan bare kjøres når søknadsfristen er ute."), code="invalid_state")
        return _match_and_store(admission_round=admission_round, user_id=user_id)


def _current_proposal(admission_round: AdmissionRound) -> dict[int, int | None]:
    return dict(
        Assignment.objects.filter(application__round=admission_round).values_list("application_id", "programme_id")
    )


def _match_and_store(
    *, admission_round: AdmissionRound, user_id: int | None, previous: dict[int, int | None] | None = None
) -> MatchOutcome:
    if previous is None:
        previous = _current_proposal(admission_round)
    built = selectors.matching_input(admission_round=admission_round)
    try:
        result = engine.match(built.data)
    except engine.MatchingInputError as exc:
        raise ValidationError(
            _("Tildelingen kan ikke kjøres: %(error)s.") % {"error": exc}, code="matching_input"
        ) from exc
    # A private kindergarten's approval stands for the same applicant in the same place; a changed one needs it again.
    approved: dict[tuple[int, int | None], dt.datetime | None] = {
        (application_id, programme_id): at
        for application_id, programme_id, at in Assignment.objects.filter(
            application__round=admission_round, unit_approved_at__isnull=False
        ).values_list("application_id", "programme_id", "unit_approved_at")
    }
    Assignment.objects.filter(application__round=admission_round).delete()
    rows = []
    affected = []
    for aid, asg in result.assignments.items():
        programme = built.programmes[asg.programme] if asg.programme else None
        application_id = int(aid)
        if application_id in previous and previous[application_id] != (programme.pk if programme else None):
            affected.append(application_id)
        explanation = asg.explanation
        transfer = built.transfers.get(aid)
        if transfer is not None and programme is None:
            explanation += " " + _("Barnet beholder plassen i %(unit)s.") % {"unit": transfer.unit.name}
        rows.append(
            Assignment(
                application_id=application_id,
                programme=programme,
                kind=asg.kind,
                choice_rank=asg.choice_rank + 1 if asg.choice_rank is not None else None,
                locked=asg.locked,
                right_to_place=built.facts[aid].right.has_right,
                explanation=explanation.strip(),
                unit_approved_at=approved.get((application_id, programme.pk if programme else None)),
            )
        )
    for aid, reason in built.refused.items():
        application_id = int(aid)
        if application_id in previous and previous[application_id] is not None:
            affected.append(application_id)
        rows.append(
            Assignment(application_id=application_id, programme=None, kind="none", locked=False, explanation=reason)
        )
    Assignment.objects.bulk_create(rows)
    admission_round.state = RoundState.MATCHED
    admission_round.matched_at = clock.now()
    admission_round.save(update_fields=["state", "matched_at"])
    audit_record(
        action="update",
        event="kindergarten.round.match",
        object_type="kindergarten.admissionround",
        object_id=admission_round.pk,
        details={"seed": admission_round.lottery_seed, "applicants": len(rows), "affected": sorted(affected)},
        user_id=user_id,
    )
    return MatchOutcome(result=result, affected_application_ids=sorted(affected))


def assignment_lock(
    *, application: Application, programme: Programme | None, user_id: int | None = None
) -> MatchOutcome:
    """Fix one applicant's place (or no place), recompute the round around it and report who is affected."""
    with transaction.atomic():
        admission_round = AdmissionRound.objects.select_for_update().get(pk=application.round_id)
        if admission_round.state != RoundState.MATCHED:
            raise ValidationError(_("Plasser kan bare låses i et tildelingsforslag."), code="invalid_state")
        if programme is not None and programme.round_id != admission_round.pk:
            raise ValidationError(_("Barnehagen er ikke med i dette opptaket."), code="unit_not_in_round")
        if programme is not None:
            locked_there = Assignment.objects.filter(programme=programme, locked=True).exclude(application=application)
            if locked_there.count() >= programme.capacity:
                raise ValidationError(
                    _("%(unit)s har ikke flere plasser å låse for %(age_group)s år.")
                    % {"unit": programme.unit.name, "age_group": programme.age_group},
                    code="capacity_exceeded",
                )
        previous = _current_proposal(admission_round)
        Assignment.objects.update_or_create(
            application=application,
            defaults={"programme": programme, "locked": True, "kind": "none"},
        )
        return _match_and_store(admission_round=admission_round, user_id=user_id, previous=previous)


def assignment_unlock(*, application: Application, user_id: int | None = None) -> MatchOutcome:
    """Release a locked place and recompute the round."""
    with transaction.atomic():
        admission_round = AdmissionRound.objects.select_for_update().get(pk=application.round_id)
        if admission_round.state != RoundState.MATCHED:
            raise ValidationError(_("Plasser kan bare låses opp i et tildelingsforslag."), code="invalid_state")
        Assignment.objects.filter(application=application).update(locked=False)
        return _match_and_store(admission_round=admission_round, user_id=user_id)


@dataclass(frozen=True)
class PublishOutcome:
    offers: int
    waiting: int
    letters: int


@transaction.atomic
def admission_round_publish(*, admission_round: AdmissionRound, user_id: int | None = None) -> PublishOutcome:
    """Publish the proposal: offers with an answer deadline, waiting lists and decision letters."""
    admission_round = AdmissionRound.objects.select_for_update().get(pk=admission_round.pk)
    if admission_round.state != RoundState.MATCHED:
        raise ValidationError(_("Bare et tildelingsforslag kan publiseres."), code="invalid_state")
    waiting_for = selectors.private_units_not_approved(admission_round=admission_round)
    if waiting_for:
        # A private kindergarten's places are offered only once it has approved the proposal for its applicants.
        raise ValidationError(
            _("Disse private barnehagene har ikke godkjent forslaget ennå: %(units)s.")
            % {"units": ", ".join(waiting_for)},
            code="private_not_approved",
        )
    built = selectors.matching_input(admission_round=admission_round)
    result = engine.match(built.data)
    today = clock.today()
    now = clock.now()
    deadline = today + dt.timedelta(days=admission_round.offer_deadline_days)
    assignments = list(
        Assignment.objects.filter(application__round=admission_round).select_related(
            "application__child", "programme__unit"
        )
    )
    offers: list[Offer] = []
    for asg in assignments:
        if asg.programme is None:
            continue
        offers.append(
            Offer(
                application=asg.application,
                programme=asg.programme,
                kind=asg.kind,
                start_date=max(asg.application.wanted_start_date, admission_round.start_date),
                deadline=deadline,
                explanation=asg.explanation,
                created_at=now,
            )
        )
    Offer.objects.bulk_create(offers)
    offered_ids = [o.application_id for o in offers]
    Application.objects.filter(pk__in=offered_ids).update(status=ApplicationStatus.OFFERED)
    refused_ids = [int(aid) for aid in built.refused]
    Application.objects.filter(pk__in=refused_ids).update(status=ApplicationStatus.REFUSED)
    selectors.active_applications(admission_round=admission_round).exclude(pk__in=[*offered_ids, *refused_ids]).update(
        status=ApplicationStatus.WAITING
    )

    entries = [
        WaitingListEntry(programme=built.programmes[pid], application_id=int(aid), position=i)
        for pid, ids in result.waiting.items()
        for i, aid in enumerate(ids, start=1)
    ]
    WaitingListEntry.objects.bulk_create(entries)

    guardians = _guardians_by_child([a.application.child_id for a in assignments], on=today)
    offer_by_app = {o.application_id: o for o in offers}
    letter_rows = []
    for asg in assignments:
        offer = offer_by_app.get(asg.application_id)
        content = letters.decision_letter_build(
            child_name=asg.application.child.full_name,
            unit_name=asg.programme.unit.name if asg.programme else None,
            start_date=offer.start_date if offer else None,
            offer_deadline=offer.deadline if offer else None,
            choice_number=asg.choice_rank,
            explanation=asg.explanation,
            decided_on=today,
            recipient_ids=guardians.get(asg.application.child_id, []),
            waiting=str(asg.application_id) not in built.refused,
        )
        letter_rows.append(
            DecisionLetter(
                application=asg.application,
                offer=offer,
                recipient_ids=content.recipient_ids,
                title=content.title,
                body=content.as_body(),
                appeal_deadline=content.appeal_deadline,
                created_at=now,
            )
        )
    letter_ids = [letter.pk for letter in DecisionLetter.objects.bulk_create(letter_rows)]
    # Rendering thousands of PDFs does not belong in this transaction, but the promise to send them does: one
    # outbox row per letter, written here (never lost when the broker is down at commit).
    letters.decision_letters_outbox(letter_ids=letter_ids)

    admission_round.state = RoundState.PUBLISHED
    admission_round.published_at = now
    admission_round.save(update_fields=["state", "published_at"])
    audit_record(
        action="create",
        event="kindergarten.round.publish",
        object_type="kindergarten.admissionround",
        object_id=admission_round.pk,
        details={"offers": len(offers), "waiting_entries": len(entries), "letters": len(letter_rows)},
        user_id=user_id,
    )
    return PublishOutcome(offers=len(offers), waiting=len(entries), letters=len(letter_rows))


def _guardians_by_child(child_ids: Sequence[int], *, on: dt.date) -> dict[int, list[int]]:
    from oas.access.relations import ChildRight, child_adult_ids

    # The kernel relation policy: a decision letter names the unit, so it goes to the adults who may learn it.
    return child_adult_ids(child_ids=child_ids, right=ChildRight.WHEREABOUTS, on=on)


# ---------------------------------------------------------------------------------------------------- offers


def offer_accept(*, offer: Offer, guardian: Person, user_id: int | None = None) -> Placement:
    """Accept an offer before its deadline: creates the kernel placement and its kindergarten details."""
    child = offer.application.child
    _refuse_without_responsibility(guardian=guardian, child=child, event="kindergarten.offer.accept", user_id=user_id)
    with transaction.atomic():
        offer = (
            Offer.objects.select_for_update(of=("self",))
            .select_related("application__child", "programme__unit")
            .get(pk=offer.pk)
        )
        if offer.status != OfferStatus.PENDING:
            raise ValidationError(_("Tilbudet er allerede besvart."), code="offer_answered")
        admission_services.offer_require_answerable(deadline=offer.deadline)
        application = offer.application
        _refuse_non_kindergarten_child(child=application.child, start=offer.start_date)
        freed = _release_accepted_place(application=application, new_start=offer.start_date)
        # One service places the child: a place the child already has (a transfer, bytte) ends the day before
        # the new one starts, instead of a second place running alongside it.
        placement = kindergarten_placement_change(
            child=application.child,
            unit=offer.programme.unit,
            department=None,
            start_date=offer.start_date,
            size_kind=application.size_kind,
            size_value=application.size_value,
            user_id=user_id,
        )
        offer.status = OfferStatus.ACCEPTED
        offer.answered_at = clock.now()
        offer.placement = placement
        offer.save(update_fields=["status", "answered_at", "placement"])
        application.status = ApplicationStatus.ACCEPTED
        application.save(update_fields=["status"])
        audit_record(
            action="create",
            event="kindergarten.offer.accept",
            person_ids=[application.child_id, guardian.pk],
            object_type="kindergarten.offer",
            object_id=offer.pk,
            details={"placement": placement.pk, "unit": offer.programme.unit_id},
            user_id=user_id,
        )
        if freed is not None:
            _waiting_list_advance(programmes=[freed])
        return placement


def _release_accepted_place(*, application: Application, new_start: dt.date) -> Programme | None:
    """End the placement of an earlier accepted (lower) offer when a higher choice is accepted."""
    previous = (
        Offer.objects.select_for_update(of=("self",))
        .filter(application=application, status=OfferStatus.ACCEPTED)
        .select_related("placement", "programme")
        .first()
    )
    if previous is None:
        return None
    placement = previous.placement
    previous.status = OfferStatus.SUPERSEDED
    previous.placement = None
    previous.save(update_fields=["status", "placement"])
    if placement is not None:
        if placement.start_date < new_start:
            placement.end_date = new_start - dt.timedelta(days=1)
            placement.save(update_fields=["end_date"])
        else:
            # The earlier place had not started yet: it never happened.
            KindergartenPlacementDetail.objects.filter(placement=placement).delete()
            placement.delete()
    return previous.programme


def offer_decline(*, offer: Offer, guardian: Person, keep_waiting: bool = True, user_id: int | None = None) -> Offer:
    """Decline an offer; the child may stay on the waiting lists for higher choices. The place moves on."""
    child = offer.application.child
    _refuse_without_responsibility(guardian=guardian, child=child, event="kindergarten.offer.decline", user_id=user_id)
    with transaction.atomic():
        offer = Offer.objects.select_for_update().select_related("application", "programme").get(pk=offer.pk)
        if offer.status != OfferStatus.PENDING:
            raise ValidationError(_("Tilbudet er allerede besvart."), code="offer_answered")
        offer.status = OfferStatus.DECLINED
        offer.answered_at = clock.now()
        offer.save(update_fields=["status", "answered_at"])
        application = offer.application
        entries = WaitingListEntry.objects.filter(application=application, status=WaitingStatus.ACTIVE)
        if not keep_waiting:
            entries.update(status=WaitingStatus.REMOVED)
        has_accepted = Offer.objects.filter(application=application, status=OfferStatus.ACCEPTED).exists()
        if not has_accepted:
            application.status = ApplicationStatus.WAITING if entries.exists() else ApplicationStatus.DECLINED
            application.save(update_fields=["status"])
        audit_record(
            action="update",
            event="kindergarten.offer.decline",
            person_ids=[application.child_id, guardian.pk],
            object_type="kindergarten.offer",
            object_id=offer.pk,
            details={"keep_waiting": keep_waiting},
            user_id=user_id,
        )
        _waiting_list_advance(programmes=[offer.programme])
        return offer


@transaction.atomic
def offers_expire(*, user_id: int | None = None) -> int:
    """Expire pending offers past their deadline and move the waiting lists on; return how many expired."""
    today = clock.today()
    expired = list(
        Offer.objects.select_for_update()
        .filter(status=OfferStatus.PENDING, deadline__lt=today)
        .select_related("programme")
    )
    for offer in expired:
        offer.status = OfferStatus.EXPIRED
        offer.save(update_fields=["status"])
        if not Offer.objects.filter(application_id=offer.application_id, status=OfferStatus.ACCEPTED).exists():
            Application.objects.filter(pk=offer.application_id).update(status=ApplicationStatus.WAITING)
    if expired:
        audit_record(
            action="update",
            event="kindergarten.offer.expire",
            object_type="kindergarten.offer",
            details={"offers": [o.pk for o in expired]},
            user_id=user_id,
        )
        _waiting_list_advance(programmes=list({o.programme_id: o.programme for o in expired}.values()))
    return len(expired)


def _waiting_list_advance(*, programmes: Sequence[Programme]) -> list[Offer]:
    """Offer free places to the next on each waiting list, by fixed position; cascades to freed places."""
    queue = list(programmes)
    made: list[Offer] = []
    now = clock.now()
    today = clock.today()
    while queue:
        programme = Programme.objects.select_for_update().select_related("round").get(pk=queue.pop(0).pk)
        admission_round = programme.round
        while selectors.seats_taken(programme=programme) < programme.capacity:
            entry = (
                WaitingListEntry.objects.select_for_update()
                .filter(programme=programme, status=WaitingStatus.ACTIVE)
                .exclude(application__status=ApplicationStatus.WITHDRAWN)
                .select_related("application")
                .order_by("position")
                .first()
            )
            if entry is None:
                break
            application = entry.application
            rank = (
                ApplicationChoice.objects.filter(application=application, unit_id=programme.unit_id)
                .values_list("rank", flat=True)
                .first()
            )
            entry.status = WaitingStatus.OFFERED
            entry.save(update_fields=["status"])
            # Entries for choices below this one are no longer wanted.
            lower_units = ApplicationChoice.objects.filter(application=application, rank__gt=rank or 0).values(
                "unit_id"
            )
            WaitingListEntry.objects.filter(
                application=application, status=WaitingStatus.ACTIVE, programme__unit_id__in=lower_units
            ).update(status=WaitingStatus.REMOVED)
            pending = Offer.objects.select_for_update().filter(application=application, status=OfferStatus.PENDING)
            for old in pending.select_related("programme"):
                old.status = OfferStatus.SUPERSEDED
                old.save(update_fields=["status"])
                queue.append(old.programme)
            offer = Offer.objects.create(
                application=application,
                programme=programme,
                kind="choice",
                start_date=max(application.wanted_start_date, admission_round.start_date, today),
                deadline=today + dt.timedelta(days=admission_round.offer_deadline_days),
                explanation=_("Det ble ledig plass i %(unit)s, og barnet var neste på ventelisten.")
                % {"unit": programme.unit.name},
                created_at=now,
            )
            if not Offer.objects.filter(application=application, status=OfferStatus.ACCEPTED).exists():
                application.status = ApplicationStatus.OFFERED
                application.save(update_fields=["status"])
            made.append(offer)
            audit_record(
                action="create",
                event="kindergarten.offer.waiting_list",
                person_ids=[application.child_id],
                object_type="kindergarten.offer",
                object_id=offer.pk,
                details={"programme": programme.pk, "position": entry.position},
            )
    return made


# ---------------------------------------------------------------------------------------------------- appeals


@transaction.atomic
def appeal_register(
    *, application: Application, reason: str, received_at: dt.datetime | None = None, user_id: int | None = None
) -> Appeal:
    """Register a complaint (klage) about an admission decision; late ones are marked, not refused."""
    if not reason.strip():
        raise ValidationError(_("Skriv hva klagen gjelder."), fields={"reason": [_("Påkrevd.")]})
    letter = application.letters.filter(appeal__isnull=True).order_by("-created_at").first()
    if letter is None:
        raise ValidationError(_("Det er ikke fattet vedtak i saken ennå."), code="no_decision")
    received = received_at or clock.now()
    appeal = Appeal(
        application=application,
        reason=reason,
        received_at=received,
        late=received.astimezone(clock.OSLO).date() > letter.appeal_deadline,
    )
    _clean(appeal)
    appeal.save()
    audit_record(
        action="create",
        event="kindergarten.appeal.register",
        person_ids=[application.child_id],
        object_type="kindergarten.appeal",
        object_id=appeal.pk,
        details={"late": appeal.late},
        user_id=user_id,
    )
    return appeal


def appeal_decide(
    *,
    appeal: Appeal,
    upheld: bool,
    decision_text: str,
    programme: Programme | None = None,
    user_id: int | None = None,
) -> Appeal:
    """Decide a registered appeal: medhold offers the place the appeal asked for; ikke medhold sends it on.

    Upheld (medhold, the municipality changes its decision): ``programme`` is the place the appeal is granted. It
    must have room (raise the capacity first: the municipality decides that deliberately); the child gets a new
    offer with an answer deadline, earlier pending offers are replaced and a new decision letter is sent.
    Rejected (ikke medhold): the appeal goes to the klageinstans, the municipality's klagenemnd (forskrift om
    saksbehandlingsregler ved opptak § 8); the oversendelse is a letter to the guardians that the letters outbox
    sends and archives on the child's case, where the klagenemnd's secretariat takes it up.
    """
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update(of=("self",))
            .select_related("application__round", "application__child")
            .get(pk=appeal.pk)
        )
        if appeal.status != AppealStatus.REGISTERED:
            raise ValidationError(_("Klagen er allerede avgjort."), code="appeal_decided")
        if not decision_text.strip():
            raise ValidationError(_("Skriv begrunnelsen for vedtaket."), fields={"decision_text": [_("Påkrevd.")]})
        application = appeal.application
        now = clock.now()
        appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
        appeal.decided_at = now
        appeal.decision_text = decision_text
        guardians = _guardians_by_child([application.child_id], on=clock.today()).get(application.child_id, [])
        if upheld:
            appeal.offer = _appeal_offer(application=application, programme=programme, decision_text=decision_text)
            content = letters.appeal_upheld_letter_build(
                child_name=application.child.full_name,
                unit_name=appeal.offer.programme.unit.name,
                start_date=appeal.offer.start_date,
                offer_deadline=appeal.offer.deadline,
                decision_text=decision_text,
                decided_on=clock.today(),
                recipient_ids=guardians,
            )
        else:
            appeal.forwarded_at = now
            content = letters.appeal_forwarded_letter_build(
                child_name=application.child.full_name,
                reason=appeal.reason,
                decision_text=decision_text,
                decided_on=clock.today(),
                recipient_ids=guardians,
            )
        appeal.save(update_fields=["status", "decided_at", "decision_text", "offer", "forwarded_at"])
        letter = DecisionLetter.objects.create(
            application=application,
            offer=appeal.offer,
            appeal=appeal,
            recipient_ids=content.recipient_ids,
            title=content.title,
            body=content.as_body(),
            appeal_deadline=content.appeal_deadline,
            created_at=now,
        )
        letters.decision_letters_outbox(letter_ids=[letter.pk])
        audit_record(
            action="update",
            event="kindergarten.appeal.decide",
            person_ids=[application.child_id],
            object_type="kindergarten.appeal",
            object_id=appeal.pk,
            details={
                "upheld": upheld,
                "offer": appeal.offer_id,
                "forwarded": appeal.forwarded_at is not None,
                "letter": letter.pk,
            },
            user_id=user_id,
        )
        return appeal


def _appeal_offer(*, application: Application, programme: Programme | None, decision_text: str) -> Offer:
    """Offer the place an upheld appeal grants; replace pending offers and stop waiting for that kindergarten."""
    if programme is None:
        raise ValidationError(
            _("Velg barnehagen klagen gir plass i."),
            code="programme_required",
            fields={"programme": [_("Påkrevd når klagen får medhold.")]},
        )
    programme = Programme.objects.select_for_update().select_related("unit", "round").get(pk=programme.pk)
    if programme.round_id != application.round_id:
        raise ValidationError(_("Barnehagen er ikke med i dette opptaket."), code="unit_not_in_round")
    if Offer.objects.filter(application=application, programme=programme, status=OfferStatus.ACCEPTED).exists():
        raise ValidationError(_("Barnet har allerede plassen i %(unit)s.") % {"unit": programme.unit.name})
    if selectors.seats_taken(programme=programme) >= programme.capacity:
        raise ValidationError(
            _("%(unit)s har ingen ledig plass for %(age_group)s år. Øk kapasiteten før klagen gis medhold.")
            % {"unit": programme.unit.name, "age_group": programme.age_group},
            code="capacity_exceeded",
        )
    admission_round = programme.round
    today = clock.today()
    start = max(application.wanted_start_date, admission_round.start_date, today)
    _refuse_non_kindergarten_child(child=application.child, start=start)
    freed = []
    for old in Offer.objects.select_for_update().filter(application=application, status=OfferStatus.PENDING):
        old.status = OfferStatus.SUPERSEDED
        old.save(update_fields=["status"])
        freed.append(old.programme)
    in_choices = ApplicationChoice.objects.filter(application=application, unit_id=programme.unit_id).exists()
    offer = Offer.objects.create(
        application=application,
        programme=programme,
        kind="choice" if in_choices else "guarantee",
        start_date=start,
        deadline=today + dt.timedelta(days=admission_round.offer_deadline_days),
        explanation=decision_text,
        created_at=clock.now(),
    )
    WaitingListEntry.objects.filter(application=application, programme=programme, status=WaitingStatus.ACTIVE).update(
        status=WaitingStatus.OFFERED
    )
    if application.status != ApplicationStatus.ACCEPTED:
        application.status = ApplicationStatus.OFFERED
        application.save(update_fields=["status"])
    if freed:
        _waiting_list_advance(programmes=freed)
    return offer


# --------------------------------------------------------------------------------------------- ending a place

DEFAULT_NOTICE_MONTHS = 1


def notice_end_date(*, given_on: dt.date, months: int | None = None) -> dt.date:
    """Return the last day of a place ended on ``given_on``: ``months`` whole months from the end of that month.

    The municipality's notice period is ``settings.KINDERGARTEN_NOTICE_MONTHS`` (default 1): notice given in
    February ends the place on 31 March.
    """
    from django.conf import settings

    n = months if months is not None else int(getattr(settings, "KINDERGARTEN_NOTICE_MONTHS", DEFAULT_NOTICE_MONTHS))
    year, month = divmod(given_on.month - 1 + n + 1, 12)
    first_after = dt.date(given_on.year + year, month + 1, 1)
    return first_after - dt.timedelta(days=1)


def placement_terminate(*, placement: Placement, guardian: Person, user_id: int | None = None) -> Placement:
    """End a kindergarten or SFO place at the end of the notice period (a guardian with parental responsibility)."""
    _refuse_without_responsibility(
        guardian=guardian, child=placement.child, event="kindergarten.placement.terminate", user_id=user_id
    )
    with transaction.atomic():
        placement = Placement.objects.select_for_update().get(pk=placement.pk)
        if placement.service not in (Service.KINDERGARTEN, Service.SFO):
            raise ValidationError(_("Bare barnehage- og SFO-plasser kan sies opp her."), code="invalid_service")
        end = notice_end_date(given_on=clock.today())
        if placement.end_date is not None and placement.end_date <= end:
            raise ValidationError(
                _("Plassen slutter allerede %(end_date)s.") % {"end_date": placement.end_date.strftime("%d.%m.%Y")},
                code="already_ending",
            )
        if end < placement.start_date:
            raise ValidationError(
                _("Plassen begynner først etter oppsigelsestiden. Takk nei eller kontakt opptakskontoret."),
                code="not_started",
            )
        placement.end_date = end
        _clean(placement)
        placement.save(update_fields=["end_date"])
        audit_record(
            action="update",
            event="kindergarten.placement.terminate",
            person_ids=[placement.child_id, guardian.pk],
            object_type="people.placement",
            object_id=placement.pk,
            details={"end_date": end.isoformat()},
            user_id=user_id,
        )
        return placement


# ------------------------------------------------------------------------------ private kindergartens approve


def assignments_approve(*, unit: OrgUnit, user_id: int | None = None) -> int:
    """A private kindergarten approves the matching proposal for its applicants; return how many were approved."""
    if unit.ownership != Ownership.PRIVATE:
        raise ValidationError(_("Bare private barnehager godkjenner sine søkere."), code="not_private")
    with transaction.atomic():
        rows = Assignment.objects.filter(
            programme__unit=unit, application__round__state=RoundState.MATCHED, unit_approved_at__isnull=True
        )
        ids = list(rows.values_list("pk", flat=True))
        Assignment.objects.filter(pk__in=ids).update(unit_approved_at=clock.now())
        audit_record(
            action="update",
            event="kindergarten.assignment.approve",
            object_type="organisation.orgunit",
            object_id=unit.pk,
            details={"assignments": ids},
            user_id=user_id,
        )
        return len(ids)
