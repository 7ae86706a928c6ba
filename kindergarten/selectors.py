"""Reads of the Barnehage domain: guardianship and siblings, priority orders, the matching input and the export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from admission import engine
from admission.geo import LatLon, estimate_position
from admission.guardians import (  # noqa: F401  (re-exported: the app's callers use selectors)
    children_with_responsibility,
    guardian_has_parental_responsibility,
    guardians_of,
)
from admission.lottery import lottery_number
from kindergarten import rules
from kindergarten.models import (
    MUNICIPAL_CRITERIA,
    SEAT_TAKING_OFFER_STATUSES,
    STATUTORY_CRITERIA,
    AdmissionRound,
    Application,
    ApplicationStatus,
    Assignment,
    CriterionKind,
    GroundKind,
    Offer,
    Programme,
    RoundState,
    UnitCriterion,
)
from oas import clock
from oas.access.relations import ChildRight, relation_q
from oas.organisation.models import OrgUnit, Ownership
from oas.people.models import Employment, Person, PersonRelation, Placement, RelationKind, Service


def _active_on(day: dt.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def sibling_units(*, child: Person, on: dt.date) -> list[int]:
    """Return the kindergartens where siblings attend on ``on``.

    Siblings are other children of the same guardians who live at the same address (matrikkel address id, or
    street address and postal code when the id is missing) and have a kindergarten placement in the kernel.
    """
    guardians = guardians_of(child=child, on=on, right=ChildRight.INFORMATION)
    if not guardians:
        return []
    siblings = PersonRelation.objects.filter(
        _active_on(on), adult_id__in=guardians, kind=RelationKind.GUARDIAN
    ).exclude(child=child)
    if child.address_id:
        same_address = Q(child__address_id=child.address_id)
    elif child.street_address:
        same_address = Q(child__street_address=child.street_address, child__postal_code=child.postal_code)
    else:
        return []
    sibling_ids = siblings.filter(same_address).values_list("child_id", flat=True)
    return sorted(
        set(
            Placement.objects.filter(
                Q(end_date__isnull=True) | Q(end_date__gte=on),
                child_id__in=sibling_ids,
                service=Service.KINDERGARTEN,
                start_date__lte=on,
            ).values_list("unit_id", flat=True)
        )
    )


def placements_from(*, child_ids: Iterable[int], service: str, on: dt.date) -> dict[int, list[Placement]]:
    """Return each child's placements in ``service`` that have not ended before ``on`` (current or later)."""
    out: dict[int, list[Placement]] = {}
    for placement in (
        Placement.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on), child_id__in=child_ids, service=service
        )
        .select_related("unit")
        .order_by("start_date", "pk")
    ):
        out.setdefault(placement.child_id, []).append(placement)
    return out


def kindergarten_refusal(
    *, birth_date: dt.date | None, start: dt.date, school: Sequence[Placement]
) -> tuple[str, str] | None:
    """Return (code, message) when a child cannot have a kindergarten place from ``start``, else None.

    A child of school age (from 1 August of the year it turns six) or with a school placement on ``start``
    belongs in school, not kindergarten.
    """
    if birth_date is not None and rules.is_school_age(birth_date=birth_date, on=start):
        first_day = rules.school_start(birth_date=birth_date)
        return (
            "school_age",
            str(
                _(
                    "Barnet begynner på skolen %(date)s og kan ikke få barnehageplass fra %(start)s. "
                    "Gjelder det utsatt skolestart, kontakt opptakskontoret."
                )
                % {"date": first_day.strftime("%d.%m.%Y"), "start": start.strftime("%d.%m.%Y")}
            ),
        )
    pupil = next((p for p in school if p.start_date <= start and (p.end_date is None or p.end_date >= start)), None)
    if pupil is not None:
        return (
            "school_pupil",
            str(
                _("Barnet er elev ved %(unit)s og kan ikke få barnehageplass fra %(start)s.")
                % {"unit": pupil.unit.name, "start": start.strftime("%d.%m.%Y")}
            ),
        )
    return None


def unit_criteria(*, unit: OrgUnit) -> list[str]:
    """Return a unit's ordered admission criteria: the municipal ones, or a private unit's statutes after § 18."""
    if unit.ownership != Ownership.PRIVATE:
        return [str(c) for c in MUNICIPAL_CRITERIA]
    own = [
        kind
        for kind in UnitCriterion.objects.filter(unit=unit).order_by("position").values_list("kind", flat=True)
        if kind not in STATUTORY_CRITERIA
    ]
    return [*(str(c) for c in STATUTORY_CRITERIA), *own]


def seats_taken(*, programme: Programme) -> int:
    """Return the places already given in a programme (pending and accepted offers)."""
    return Offer.objects.filter(programme=programme, status__in=SEAT_TAKING_OFFER_STATUSES).count()


def active_applications(*, admission_round: AdmissionRound) -> QuerySet[Application]:
    """Return the applications of a round that take part in matching."""
    return admission_round.applications.exclude(status=ApplicationStatus.WITHDRAWN)


def applications_to_check() -> QuerySet[Application]:
    """Return applications with priority grounds whose documentation has not been checked yet."""
    return (
        Application.objects.exclude(status=ApplicationStatus.WITHDRAWN)
        .annotate(unchecked=Count("grounds", filter=Q(grounds__documentation_checked=False)))
        .filter(unchecked__gt=0)
    )


def offers_expiring(*, within_days: int = 3) -> QuerySet[Offer]:
    """Return pending offers whose answer deadline is within ``within_days`` days."""
    today = clock.today()
    return Offer.objects.filter(
        status="pending", deadline__gte=today, deadline__lte=today + dt.timedelta(days=within_days)
    )


@dataclass(frozen=True)
class ApplicantFacts:
    application_id: int
    child_id: int
    birth_date: dt.date
    age_group: str
    right: rules.RightToPlace
    lottery: int
    checked_grounds: frozenset[str]
    sibling_units: frozenset[int]
    staff_units: frozenset[int]
    choices: tuple[int, ...]


@dataclass(frozen=True)
class MatchingInput:
    data: engine.RoundInput
    facts: dict[str, ApplicantFacts]  # applicant id (str(application.pk)) → facts
    programmes: dict[str, Programme]  # programme id → Programme row
    # applicant id → why the child cannot have a kindergarten place (school age, school pupil): left out of matching
    refused: dict[str, str] = field(default_factory=dict)
    # applicant id → the kindergarten placement the child already has (a transfer, bytte)
    transfers: dict[str, Placement] = field(default_factory=dict)


# Lazy: the label is rendered in the language active when matching runs (it goes into the explanations).
_CRITERION_LABEL: dict[CriterionKind, Promise] = {
    CriterionKind.DISABILITY: _("nedsatt funksjonsevne, barnehageloven § 18"),
    CriterionKind.CHILD_WELFARE: _("vedtak etter barnevernsloven, barnehageloven § 18"),
    CriterionKind.MUNICIPAL: _("kommunalt opptakskriterium"),
    CriterionKind.SIBLING: _("søsken"),
    CriterionKind.STAFF_CHILD: _("barn av ansatte"),
    CriterionKind.RIGHT_TO_PLACE: _("rett til plass"),
}


_GROUND_OF = {
    CriterionKind.DISABILITY: GroundKind.DISABILITY,
    CriterionKind.CHILD_WELFARE: GroundKind.CHILD_WELFARE,
    CriterionKind.MUNICIPAL: GroundKind.MUNICIPAL,
}


def _meets(kind: str, facts: ApplicantFacts, unit_id: int) -> bool:
    if kind in _GROUND_OF:
        return _GROUND_OF[CriterionKind(kind)] in facts.checked_grounds
    if kind == CriterionKind.SIBLING:
        return unit_id in facts.sibling_units
    if kind == CriterionKind.STAFF_CHILD:
        return unit_id in facts.staff_units
    if kind == CriterionKind.RIGHT_TO_PLACE:
        return facts.right.has_right
    return False


def priority_order(
    *, unit_id: int, criteria: Sequence[str], applicants: Iterable[ApplicantFacts]
) -> tuple[list[str], dict[str, str]]:
    """Order applicants for a unit by its criteria, then the lottery; return the order and each one's label.

    The label is the highest criterion the applicant meets there (used to explain results); where the right to
    a place ranks first (municipal kindergartens), the next criterion met is added ("rett til plass og søsken").
    """
    keyed: list[tuple[tuple[int, ...], str, str]] = []
    for facts in applicants:
        key: list[int] = []
        met_labels: list[str] = []
        for kind in criteria:
            if kind == CriterionKind.AGE:
                key.append(facts.birth_date.toordinal())  # older children first
                continue
            met = _meets(kind, facts, unit_id)
            key.append(0 if met else 1)
            if met:
                met_labels.append(str(_CRITERION_LABEL[CriterionKind(kind)]))
        key.append(facts.lottery)
        aid = str(facts.application_id)
        right_leads = bool(criteria) and criteria[0] == CriterionKind.RIGHT_TO_PLACE and facts.right.has_right
        if right_leads and len(met_labels) > 1:
            label = str(_("%(first)s og %(second)s") % {"first": met_labels[0], "second": met_labels[1]})
        else:
            label = met_labels[0] if met_labels else ""
        keyed.append((tuple(key), aid, label))
    keyed.sort()
    return [aid for _k, aid, _l in keyed], {aid: label for _k, aid, label in keyed}


def _staff_units(guardian_ids: Iterable[int], on: dt.date) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for person_id, unit_id in Employment.objects.filter(
        _active_on(on), employee__person_id__in=guardian_ids
    ).values_list("employee__person_id", "unit_id"):
        out.setdefault(person_id, set()).add(unit_id)
    return out


def _locks(
    *, admission_round: AdmissionRound, programmes: Sequence[Programme], matched: Collection[str]
) -> dict[str, str | None]:
    """Return the places staff have locked (applicant id → programme id, or None for no place)."""
    locks: dict[str, str | None] = {}
    by_pk = {p.pk: p for p in programmes}
    for application_id, programme_pk in Assignment.objects.filter(
        application__round=admission_round, locked=True
    ).values_list("application_id", "programme_id"):
        if str(application_id) not in matched:
            continue  # refused (school age): not matched at all
        row = by_pk.get(programme_pk) if programme_pk is not None else None
        locks[str(application_id)] = engine.programme_id(str(row.unit_id), row.age_group) if row else None
    return locks


def matching_input(*, admission_round: AdmissionRound) -> MatchingInput:
    """Build the engine's input for a round from the database (a fixed number of queries)."""
    programmes = list(admission_round.programmes.select_related("unit").order_by("unit_id", "age_group"))
    prog_by_id = {engine.programme_id(str(p.unit_id), p.age_group): p for p in programmes}
    units = {p.unit_id: p.unit for p in programmes}
    unit_positions: list[tuple[str, LatLon]] = [
        (u.postal_code, (u.latitude, u.longitude))
        for u in units.values()
        if u.latitude is not None and u.longitude is not None
    ]
    applications = list(
        active_applications(admission_round=admission_round)
        .select_related("child")
        .prefetch_related("choices", "grounds")
        .order_by("pk")
    )
    child_ids = [a.child_id for a in applications]
    guardians_by_child: dict[int, set[int]] = {}
    for child_id, adult_id in PersonRelation.objects.filter(
        _active_on(admission_round.start_date), child_id__in=child_ids, kind=RelationKind.GUARDIAN
    ).values_list("child_id", "adult_id"):
        guardians_by_child.setdefault(child_id, set()).add(adult_id)
    staff = _staff_units({g for gs in guardians_by_child.values() for g in gs}, admission_round.start_date)
    municipality_number = admission_round.municipality.number
    year = admission_round.start_date.year
    school = placements_from(child_ids=child_ids, service=Service.SCHOOL, on=admission_round.start_date)
    kindergarten = placements_from(child_ids=child_ids, service=Service.KINDERGARTEN, on=admission_round.start_date)

    facts: dict[str, ApplicantFacts] = {}
    refused: dict[str, str] = {}
    transfers: dict[str, Placement] = {}
    applicants: list[engine.Applicant] = []
    for app in applications:
        child = app.child
        assert child.birth_date is not None
        start = max(app.wanted_start_date, admission_round.start_date)
        refusal = kindergarten_refusal(birth_date=child.birth_date, start=start, school=school.get(child.pk, []))
        if refusal is not None:
            refused[str(app.pk)] = refusal[1]
            continue
        right = rules.right_to_place(
            birth_date=child.birth_date,
            applied_on=app.submitted_at.astimezone(clock.OSLO).date(),
            deadline=admission_round.application_deadline,
            admission_year=year,
            lives_in_municipality=child.municipality_number in ("", municipality_number),
        )
        current = next((p for p in kindergarten.get(child.pk, []) if p.end_date is None or p.end_date >= start), None)
        if current is not None:
            # A child who keeps a place until the new one starts is applying for a transfer (bytte): the right to
            # a place is already fulfilled, so neither the § 16 priority nor the guarantee applies.
            transfers[str(app.pk)] = current
            right = rules.RightToPlace(
                False,
                None,
                str(_("Barnet har allerede plass i %(unit)s og søker bytte.") % {"unit": current.unit.name}),
            )
        choices = tuple(c.unit_id for c in sorted(app.choices.all(), key=lambda c: c.rank))
        f = ApplicantFacts(
            application_id=app.pk,
            child_id=child.pk,
            birth_date=child.birth_date,
            age_group=rules.age_group(birth_date=child.birth_date, on=start),
            right=right,
            lottery=lottery_number(seed=admission_round.lottery_seed, key=app.pk),
            checked_grounds=frozenset(g.kind for g in app.grounds.all() if g.documentation_checked),
            sibling_units=frozenset(int(u) for u in app.sibling_unit_ids),
            staff_units=frozenset(u for g in guardians_by_child.get(child.pk, ()) for u in staff.get(g, ())),
            choices=choices,
        )
        facts[str(app.pk)] = f
        position = estimate_position(postal_code=child.postal_code, grunnkrets=child.grunnkrets, units=unit_positions)
        applicants.append(
            engine.Applicant(
                id=str(app.pk),
                age_group=f.age_group,
                choices=tuple(str(u) for u in choices),
                right_to_place=right.has_right,
                position=position,
            )
        )
    applicants.sort(key=lambda a: facts[a.id].lottery)

    priority: dict[str, list[str]] = {}
    labels: dict[str, dict[str, str]] = {}
    criteria_by_unit = {uid: unit_criteria(unit=u) for uid, u in units.items()}
    listing: dict[str, list[ApplicantFacts]] = {pid: [] for pid in prog_by_id}
    for f in facts.values():
        for unit_id in f.choices:
            pid = engine.programme_id(str(unit_id), f.age_group)
            if pid in listing:
                listing[pid].append(f)
    for pid, programme in prog_by_id.items():
        priority[pid], labels[pid] = priority_order(
            unit_id=programme.unit_id, criteria=criteria_by_unit[programme.unit_id], applicants=listing[pid]
        )

    locks = _locks(admission_round=admission_round, programmes=programmes, matched=facts.keys())

    chosen_units = {u for f in facts.values() for u in f.choices}
    unit_names = dict(OrgUnit.objects.filter(pk__in=chosen_units).values_list("pk", "name"))
    data = engine.RoundInput(
        programmes=[
            engine.Programme(
                id=pid,
                unit=str(p.unit_id),
                unit_name=p.unit.name,
                age_group=p.age_group,
                capacity=p.capacity,
                position=(p.unit.latitude, p.unit.longitude)
                if p.unit.latitude is not None and p.unit.longitude is not None
                else None,
                municipal=p.unit.ownership != Ownership.PRIVATE,
            )
            for pid, p in prog_by_id.items()
        ],
        applicants=applicants,
        priority=priority,
        labels=labels,
        locks=locks,
        unit_names={str(k): v for k, v in unit_names.items()},
    )
    return MatchingInput(data=data, facts=facts, programmes=prog_by_id, refused=refused, transfers=transfers)


def round_export(*, admission_round: AdmissionRound) -> dict[str, Any]:
    """Return the round's current proposal in the public export shape (see ``admission.engine.export``)."""
    built = matching_input(admission_round=admission_round)
    result = engine.match(built.data)
    exported = engine.export(round_id=admission_round.code, data=built.data, result=result)
    # Once matched, the stored proposal (with staff adjustments) is what the round decided.
    pid_of = {p.pk: pid for pid, p in built.programmes.items()}
    for application_id, programme_id, kind in Assignment.objects.filter(application__round=admission_round).values_list(
        "application_id", "programme_id", "kind"
    ):
        if str(application_id) in exported["assignment"]:
            exported["assignment"][str(application_id)] = {"program": pid_of.get(programme_id), "kind": kind}
    return exported


def application_is_changeable(*, application: Application) -> bool:
    """Return whether the guardians may still change the wishes: submitted, and the round open."""
    return application.status == ApplicationStatus.SUBMITTED and application.round.state == RoundState.OPEN


def applications_for_guardian(*, guardian: Person) -> QuerySet[Application]:
    """Return the applications for children the guardian has parental responsibility for (made by either parent)."""
    today = clock.today()
    # The kernel relation policy: an application names the units applied for, so only adults who may learn them.
    children = PersonRelation.objects.filter(
        _active_on(today), relation_q(right=ChildRight.WHEREABOUTS), adult=guardian
    ).values("child_id")
    return Application.objects.filter(child_id__in=children).select_related("round", "child").order_by("-submitted_at")


# ------------------------------------------------------------------------------------------------ pages (issue 5)


def open_rounds() -> QuerySet[AdmissionRound]:
    """Return the rounds guardians can apply in now."""
    return AdmissionRound.objects.filter(state="open").order_by("application_deadline", "pk")


def round_units(*, admission_round: AdmissionRound) -> list[tuple[int, str]]:
    """Return the kindergartens guardians can choose in a round (coordinated admission), by name."""
    return list(
        OrgUnit.objects.filter(admission_programmes__round=admission_round, coordinated_admission=True)
        .distinct()
        .order_by("name")
        .values_list("pk", "name")
    )


def round_proposal(*, admission_round: AdmissionRound) -> QuerySet[Assignment]:
    """Return the round's proposed assignments with child and unit, for review."""
    return (
        Assignment.objects.filter(application__round=admission_round)
        .select_related("application__child", "programme__unit")
        .order_by("programme__unit__name", "application__child__last_name", "pk")
    )


def application_worklist(
    *,
    queryset: QuerySet[Application],
    status: str = "",
    unit_id: int | None = None,
    unchecked: bool = False,
    right_to_place: bool | None = None,
) -> QuerySet[Application]:
    """Filter the office's application list (status, chosen unit, unchecked documentation, right to a place)."""
    qs = queryset.select_related("round", "child")
    if status:
        qs = qs.filter(status=status)
    if unit_id is not None:
        qs = qs.filter(choices__unit_id=unit_id)
    if unchecked:
        qs = qs.filter(grounds__documentation_checked=False)
    if right_to_place is not None:
        qs = qs.filter(assignment__right_to_place=right_to_place)
    return qs.distinct().order_by("submitted_at", "pk")


def terminable_placements(*, child: Person) -> QuerySet[Placement]:
    """Return the child's kindergarten and SFO places that have not ended (the guardian may end them)."""
    today = clock.today()
    return (
        Placement.objects.filter(child=child, service__in=(Service.KINDERGARTEN, Service.SFO))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("unit")
        .order_by("start_date", "pk")
    )


def private_units_not_approved(*, admission_round: AdmissionRound) -> list[str]:
    """Return the names of private kindergartens with proposed places in the round they have not approved."""
    return list(
        Assignment.objects.filter(
            application__round=admission_round,
            programme__unit__ownership=Ownership.PRIVATE,
            unit_approved_at__isnull=True,
        )
        .order_by("programme__unit__name")
        .values_list("programme__unit__name", flat=True)
        .distinct()
    )


def assignments_to_approve(*, units: QuerySet[OrgUnit]) -> QuerySet[Assignment]:
    """Return proposed places at these private kindergartens that the kindergarten has not approved yet."""
    return (
        Assignment.objects.filter(
            programme__unit__in=units,
            programme__unit__ownership=Ownership.PRIVATE,
            application__round__state="matched",
            unit_approved_at__isnull=True,
        )
        .select_related("application__child", "programme__unit")
        .order_by("programme__unit__name", "pk")
    )
