"""Compute a month's invoice basis (pure reads): per child the fee from ``fees.public``, split on the payers.

A household is the children who live with a common adult (the register's family relations,
``lives_with_child``) in the same dwelling unit (address and bruksenhetsnummer), plus pairs the finance office
registered by hand (``ManualSibling``, for strengt fortrolig children) — ``fees.public.households_group``. Its
income is the one in an approved reduced-fee/free-hours decision valid that month, applied for by an adult the
child lives with (else ``None``).
Payers are the guardians with foreldreansvar living with the child; with a ``PaymentSplit`` every guardian
with foreldreansvar pays an equal share.

Changes within a month (municipal setting ``proration`` = calendar days): a child's placements in the month
are cut into *segments* — runs of consecutive days with the same place size / hours (a department change
alone does not cut). A child with one segment is priced once as before; a child with several is priced once
per segment with that segment's size and dates (the fee engine prorates by days), its siblings as they are,
and each segment's lines carry ``segment`` = 1, 2, … in the line key. With ``full_month`` proration the month
is priced once at the latest size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from fees.public import (
    ChildInput,
    ChildQuote,
    HouseholdInput,
    MissingRate,
    Proration,
    RateSet,
    UnitType,
    fee_rates_on,
    households_group,
    quote_household,
)
from invoicing.models import ApplicationStatus, FeeApplication, LineType, ManualSibling, PaymentSplit
from invoicing.place_details import placement_sizes, sfo_places
from oas.access.relations import ChildRight, relation_q
from oas.errors import DomainError
from oas.people.models import Person, PersonRelation, Placement, RelationKind, Service
from oas.periods import DATED, overlapping

CENT = Decimal("0.01")


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """Return the first and last day of ``month``."""
    first = month.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def _overlaps(first: dt.date, last: dt.date, prefix: str = "") -> Q:
    return overlapping(first, last, fields=DATED, prefix=prefix)


@dataclass(frozen=True)
class LineDraft:
    """One line to be written: the key is (child, payer, service, month, period_month, line_type)."""

    child_id: int
    payer_id: int
    unit_id: int | None
    service: str
    line_type: str
    share: Decimal
    amount: Decimal
    description: str
    trace: list[dict[str, Any]] = field(default_factory=list)
    segment: int = 0
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    place: str = ""

    def key(self) -> tuple[int, int, str, str, int]:
        return (self.child_id, self.payer_id, self.service, self.line_type, self.segment)


@dataclass(frozen=True)
class Segment:
    """Consecutive days of one child's place in one service with the same price basis."""

    placement_id: int
    unit_id: int
    start: dt.date
    end: dt.date


@dataclass
class MonthBasis:
    month: dt.date
    lines: list[LineDraft]
    warnings: list[str]
    children: int

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


def _estimated_grade(birth: dt.date, on: dt.date) -> int:
    school_year = on.year if on.month >= 8 else on.year - 1
    return max(1, min(7, school_year - birth.year - 5))


def _payers(relations: list[tuple[int, bool]], split: bool) -> list[tuple[int, Decimal]]:
    """Return (payer, share) pairs; ``relations`` are (adult_id, lives_with_child) of guardians with ansvar."""
    if not relations:
        return []
    adults = sorted({a for a, _lives in relations})
    if split and len(adults) > 1:
        share = (Decimal(1) / len(adults)).quantize(Decimal("0.0001"))
        return [(a, share) for a in adults]
    living = sorted(a for a, lives in relations if lives)
    return [((living or adults)[0], Decimal(1))]


def _split_amount(amount: Decimal, payers: list[tuple[int, Decimal]]) -> list[tuple[int, Decimal, Decimal]]:
    """Split ``amount`` by shares in whole øre; the first payer takes the rounding remainder."""
    parts = [(p, s, (amount * s).quantize(CENT, rounding=ROUND_HALF_UP)) for p, s in payers]
    remainder = amount - sum((a for _p, _s, a in parts), Decimal(0))
    if parts and remainder:
        p, s, a = parts[0]
        parts[0] = (p, s, a + remainder)
    return parts


@dataclass
class _MonthData:
    """Everything one month's pricing needs, loaded with a fixed number of queries."""

    first: dt.date
    last: dt.date
    chosen: dict[tuple[int, str], dict[str, Any]]
    persons: dict[int, Person]
    sizes: dict[int, Any]
    sfo: dict[int, Any]
    grades: dict[int, int]
    guardians: dict[int, list[tuple[int, bool]]]
    splits: set[int]
    incomes: dict[int, Decimal]
    segments: dict[tuple[int, str], list[Segment]] = field(default_factory=dict)
    resident_adults: dict[int, set[int]] = field(default_factory=dict)
    manual_links: list[tuple[int, int]] = field(default_factory=list)


def _load(municipality_number: str, first: dt.date, last: dt.date) -> _MonthData:
    month_placements = Placement.objects.filter(
        _overlaps(first, last),
        service__in=[Service.KINDERGARTEN, Service.SFO],
        unit__municipality__number=municipality_number,
    )
    placements = month_placements.order_by("child_id", "service", "start_date").values(
        "id", "child_id", "service", "unit_id", "start_date", "end_date"
    )
    # Subqueries rather than long id lists: 7,500 ids quoted into every statement cost seconds.
    child_ids = month_placements.values("child_id")
    # One priced place per child and service: the latest placement of the month, spanning the month's chain.
    chosen: dict[tuple[int, str], dict[str, Any]] = {}
    rows: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for row in placements:
        key = (row["child_id"], row["service"])
        rows[key].append(dict(row))
        place: dict[str, Any] = dict(row)
        if key in chosen:
            place["start_date"] = min(chosen[key]["start_date"], place["start_date"])
        chosen[key] = place
    persons = {
        p.pk: p
        for p in Person.objects.filter(pk__in=child_ids).only(
            "id", "birth_date", "address_id", "street_address", "unit_number", "postal_code", "first_name", "last_name"
        )
    }
    guardians: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for child_id, adult_id, lives in (
        # Payers are guardians (never foster parents, whom the child welfare service pays for); the kernel
        # relation policy leaves out the parent a strengt fortrolig child does not live with: the invoice and
        # its ERP lines name the unit.
        PersonRelation.objects.filter(
            relation_q(right=ChildRight.WHEREABOUTS),
            kind=RelationKind.GUARDIAN,
            child_id__in=child_ids,
        )
        .filter(overlapping(first, last))
        .values_list("child_id", "adult_id", "lives_with_child")
    ):
        guardians[child_id].append((adult_id, lives))
    incomes: dict[int, Decimal] = {}
    # Only a decision on the income of the household the child lives in counts: the applicant must live with
    # the child that month (a parent the child does not live with cannot lower the fee with his income).
    applicant_lives_with_child = PersonRelation.objects.filter(
        adult_id=OuterRef("feeapplication__applicant_id"),
        child_id=OuterRef("person_id"),
        lives_with_child=True,
    ).filter(overlapping(first, last))
    for child_id, income in FeeApplication.children.through.objects.filter(
        Exists(applicant_lives_with_child),
        person_id__in=child_ids,
        feeapplication__status=ApplicationStatus.APPROVED,
        feeapplication__valid_from__lte=last,
        feeapplication__valid_to__gte=first,
    ).values_list("person_id", "feeapplication__annual_income"):
        incomes[child_id] = min(income, incomes.get(child_id, income))
    data = _MonthData(
        first=first,
        last=last,
        chosen=chosen,
        persons=persons,
        sizes=placement_sizes(placement_ids=month_placements.filter(service=Service.KINDERGARTEN).values("id")),
        sfo=sfo_places(placement_ids=month_placements.filter(service=Service.SFO).values("id")),
        grades={
            child_id: int(grade)
            for child_id, grade in Placement.objects.filter(
                _overlaps(last, last), service=Service.SCHOOL, child_id__in=child_ids
            )
            .exclude(group__grade__isnull=True)
            .values_list("child_id", "group__grade")
            if grade is not None
        },
        guardians=guardians,
        splits=set(
            PaymentSplit.objects.filter(child_id__in=child_ids)
            .filter(overlapping(first, last))
            .values_list("child_id", flat=True)
        ),
        incomes=incomes,
    )
    data.segments = {key: _segments(data, key[1], chain) for key, chain in rows.items()}
    resident: dict[int, set[int]] = defaultdict(set)
    for child_id, adult_id in (
        PersonRelation.objects.filter(
            kind__in=[RelationKind.GUARDIAN, RelationKind.PARENT, RelationKind.FOSTER_PARENT],
            lives_with_child=True,
            child_id__in=child_ids,
        )
        .filter(overlapping(first, last))
        .values_list("child_id", "adult_id")
    ):
        resident[child_id].add(adult_id)
    data.resident_adults = dict(resident)
    data.manual_links = list(
        ManualSibling.objects.filter(child_id__in=child_ids, sibling_id__in=child_ids)
        .filter(overlapping(first, last))
        .values_list("child_id", "sibling_id")
    )
    return data


def _price_basis(data: _MonthData, service: str, placement_id: int) -> tuple[Any, ...]:
    if service == Service.KINDERGARTEN:
        size = data.sizes.get(placement_id)
        return ("kg", size.kind, size.value, size.weekly_hours) if size else ("kg",)
    place = data.sfo.get(placement_id)
    return ("sfo", place.place_type, place.hours_per_week) if place else ("sfo",)


def place_text(data: _MonthData, service: str, placement_id: int) -> str:
    """The place as a guardian knows it: «60 %», «3 dager i uka», «hel plass», «timeplass 8 t/uke»."""
    if service == Service.KINDERGARTEN:
        size = data.sizes.get(placement_id)
        if size is None:
            return ""
        if size.kind == "percent":
            return f"{size.value} %"
        return _("%(days)s dager i uka") % {"days": size.value}
    place = data.sfo.get(placement_id)
    if place is None:
        return ""
    if place.place_type == "hours" and place.hours_per_week:
        return _("timeplass %(hours)s t/uke") % {"hours": place.hours_per_week}
    return {"full": _("hel plass"), "part": _("deltidsplass")}.get(place.place_type, place.place_type)


def _segments(data: _MonthData, service: str, chain: list[dict[str, Any]]) -> list[Segment]:
    """Cut a child's placements in the month into segments; neighbours with the same price basis merge."""
    out: list[Segment] = []
    for row in chain:  # ordered by start date; the kernel refuses overlaps
        start = max(row["start_date"], data.first)
        end = min(row["end_date"] or data.last, data.last)
        if end < start:
            continue
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.end + dt.timedelta(days=1) == start
            and _price_basis(data, service, prev.placement_id) == _price_basis(data, service, row["id"])
        ):
            out[-1] = Segment(placement_id=row["id"], unit_id=row["unit_id"], start=prev.start, end=end)
        else:
            out.append(Segment(placement_id=row["id"], unit_id=row["unit_id"], start=start, end=end))
    return out


def _child_input(data: _MonthData, child_id: int, service: str, segment: Segment | None = None) -> ChildInput | None:
    """The engine input for a child's place: the whole month (latest size) or one ``segment``."""
    p = data.chosen[(child_id, service)]
    birth = data.persons[child_id].birth_date
    if birth is None:
        return None
    segments = data.segments.get((child_id, service)) or []
    if segment is not None:
        placement_id, first_day, last_day = segment.placement_id, segment.start, segment.end
    elif segments:
        placement_id, first_day, last_day = p["id"], segments[0].start, segments[-1].end
    else:
        placement_id, first_day, last_day = p["id"], p["start_date"], p["end_date"] or data.last
    start = first_day if first_day > data.first else None
    end = last_day if last_day < data.last else None
    if service == Service.KINDERGARTEN:
        size = data.sizes.get(placement_id)
        return ChildInput(
            key=f"{child_id}:{service}",
            birth_date=birth,
            unit_type=UnitType.KINDERGARTEN,
            place_percentage=Decimal(size.value) if size and size.kind == "percent" else None,
            days_per_week=size.value if size and size.kind == "days" else None,
            weekly_hours=size.weekly_hours if size else None,
            start_date=start,
            end_date=end,
        )
    place = data.sfo.get(placement_id)
    return ChildInput(
        key=f"{child_id}:{service}",
        birth_date=birth,
        unit_type=UnitType.SFO,
        grade=data.grades.get(child_id) or _estimated_grade(birth, data.last),
        sfo_place_type=place.place_type if place else "full",
        weekly_hours=Decimal(place.hours_per_week) if place and place.hours_per_week else None,
        start_date=start,
        end_date=end,
    )


def _whole_month_days(data: _MonthData, child_id: int, service: str) -> Segment:
    """The days of the month a child with one price basis had the place (start and end within the month)."""
    p = data.chosen[(child_id, service)]
    segments = data.segments.get((child_id, service)) or []
    if segments:
        return Segment(placement_id=p["id"], unit_id=p["unit_id"], start=segments[0].start, end=segments[-1].end)
    start = max(p["start_date"], data.first)
    end = min(p["end_date"] or data.last, data.last)
    return Segment(placement_id=p["id"], unit_id=p["unit_id"], start=start, end=end)


def _quote_lines(
    data: _MonthData, priced: list[tuple[ChildQuote, int, Segment | None]], warnings: list[str]
) -> list[LineDraft]:
    """Lines for each priced place: ``segment`` 0 for the whole month, else 1, 2, … with the segment's dates."""
    lines: list[LineDraft] = []
    for cq, index, segment in priced:
        child_part, service = cq.key.split(":")
        child_id = int(child_part)
        payers = _payers(data.guardians.get(child_id, []), child_id in data.splits)
        if not payers:
            if index <= 1:
                warnings.append(
                    _("Barn %(child)s har ingen foresatt med foreldreansvar og er ikke fakturert.")
                    % {"child": child_id}
                )
            continue
        trace = [
            {
                "rule": t.rule,
                "label": str(t.label),
                "change": str(t.change),
                "amount": str(t.amount),
                "detail": t.detail,
            }
            for t in cq.trace
        ]
        what = "barnehage" if service == Service.KINDERGARTEN else "SFO"
        period = f"{data.first:%m.%Y}" if segment is None else f"{segment.start:%d.%m}–{segment.end:%d.%m.%Y}"
        unit_id = segment.unit_id if segment is not None else data.chosen[(child_id, service)]["unit_id"]
        days = segment or _whole_month_days(data, child_id, service)
        place = place_text(data, service, segment.placement_id if segment else data.chosen[(child_id, service)]["id"])
        for line_type, amount, text in (
            (LineType.FEE, cq.parental_fee, "Foreldrebetaling"),
            (LineType.FOOD, cq.food_money, "Kostpenger"),
        ):
            if not amount:
                continue
            lines.extend(
                LineDraft(
                    child_id=child_id,
                    payer_id=payer_id,
                    unit_id=unit_id,
                    service=service,
                    line_type=line_type,
                    share=share,
                    amount=part,
                    description=f"{text} {what} {period}",
                    trace=trace if line_type == LineType.FEE else [],
                    segment=index,
                    period_start=days.start,
                    period_end=days.end,
                    place=place,
                )
                for payer_id, share, part in _split_amount(amount, payers)
            )
    return lines


def month_basis(*, municipality_number: str, month: dt.date, rates: RateSet | None = None) -> MonthBasis:
    """Compute the invoice basis of ``month`` (raises ``MissingRate`` naming the missing rate; never guesses)."""
    first, last = month_bounds(month)
    rate_set = rates or fee_rates_on(municipality_number=municipality_number, on=first)
    by_segment = rate_set.municipal.proration == Proration.CALENDAR_DAYS
    data = _load(municipality_number, first, last)
    services_of: dict[int, list[str]] = defaultdict(list)
    for child_id, service in sorted(data.chosen):
        services_of[child_id].append(service)
    groups = households_group(
        children=[data.persons[c] for c in sorted(services_of)],
        resident_adults=data.resident_adults,
        manual_links=data.manual_links,
    )
    households = [[(child.pk, service) for child in group for service in services_of[child.pk]] for group in groups]
    lines: list[LineDraft] = []
    warnings: list[str] = []
    for members in households:
        inputs: list[ChildInput] = []
        for child_id, service in members:
            child_input = _child_input(data, child_id, service)
            if child_input is None:
                warnings.append(_("Barn %(child)s mangler fødselsdato og er ikke fakturert.") % {"child": child_id})
            else:
                inputs.append(child_input)
        if not inputs:
            continue
        income_values = [data.incomes[c] for c, _s in members if c in data.incomes]
        household = HouseholdInput(annual_income=min(income_values) if income_values else None, children=tuple(inputs))
        try:
            quote = quote_household(on=first, household=household, rates=rate_set)
            priced: list[tuple[ChildQuote, int, Segment | None]] = []
            for cq in quote.children:
                child_part, service = cq.key.split(":")
                segments = data.segments.get((int(child_part), service), [])
                if not by_segment or len(segments) < 2:
                    priced.append((cq, 0, None))
                    continue
                for index, segment in enumerate(segments, start=1):
                    priced.append((_segment_quote(data, household, cq.key, segment, first, rate_set), index, segment))
        except MissingRate:
            raise
        except DomainError as exc:
            ids = ", ".join(str(c) for c, _s in members)
            warnings.append(
                _("Barn %(children)s: %(message)s (ikke fakturert)") % {"children": ids, "message": exc.message}
            )
            continue
        lines.extend(_quote_lines(data, priced, warnings))
    return MonthBasis(month=first, lines=lines, warnings=warnings, children=len({c for c, _s in data.chosen}))


def _segment_quote(
    data: _MonthData, household: HouseholdInput, key: str, segment: Segment, first: dt.date, rates: RateSet
) -> ChildQuote:
    """Price one segment: the household as it is, with this child's place replaced by the segment's."""
    child_part, service = key.split(":")
    segment_input = _child_input(data, int(child_part), service, segment)
    assert segment_input is not None  # the whole-month input for the same child was built
    children = tuple(segment_input if c.key == key else c for c in household.children)
    quote = quote_household(
        on=first, household=HouseholdInput(annual_income=household.annual_income, children=children), rates=rates
    )
    return next(q for q in quote.children if q.key == key)
