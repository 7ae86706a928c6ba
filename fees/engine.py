"""The fee engine: pure, typed functions over plain dataclasses (no database access).

``quote_household`` takes a date, a household and the rates in force on that date (loaded by
``fees.selectors.fee_rates_on``) and returns each child's monthly price with its *trace*: the ordered
list of rules that changed the price and by how much. The same function serves the public price
calculator and the monthly invoicing run (through ``fees.public``).

Rule order for a kindergarten child (forskrift om foreldrebetaling i barnehager, FOR-2005-12-16-1478):

1. ``base_price``         the municipality's price for a full-time place (§ 1: 41 hours a week or more)
2. ``max_price_cap``      at most the national maksimalpris for the period and price zone (§ 1)
3. ``sibling_discount``   child 2 at least 30 %, child 3 and more free (§ 3, from 1.8.2023)
4. ``reduced_fee``        full-time price of child 1 at most 6 % of household income / 11 payments;
                          child 2 at most 70 %, child 3+ 0 % of child 1's reduced price (§ 3)
5. ``part_time``          part-time places pay in proportion to the place size (§ 2)
6. ``free_core_hours``    gratis kjernetid: 20 free hours a week (§ 3): price × min(1, 20 / min(H, 41))
7. ``proration``          start or stop within the month (municipal setting)
8. ``food_money``         kostpenger, in proportion to place size and proration; no discounts apply
9. ``payment_free_month`` the month without payment (11 payments a year; July by default)

For an SFO child: ``base_price`` (place type) → ``sibling_discount`` (municipal) → ``sfo_free_hours``
(12 free hours a week for the national grades) → ``sfo_income_cap`` (municipal, optional) →
``proration`` → ``food_money`` → ``payment_free_month``.

Every amount is rounded to whole øre (ROUND_HALF_UP) after each step, so the trace adds up exactly.
Sources and the reasoning behind each default are in ``fees/README.md``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.utils.translation import gettext as _

from oas.errors import DomainError, ValidationError

ORE = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def money(value: Decimal) -> Decimal:
    """Round to whole øre, half up."""
    return value.quantize(ORE, rounding=ROUND_HALF_UP)


def _fmt(value: Decimal) -> str:
    """Norwegian number format for trace details: 1 636,36."""
    sign = "-" if value < 0 else ""
    whole, _dot, frac = f"{abs(value):.2f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{' '.join(groups)},{frac}"


def _num(value: Decimal) -> str:
    """A plain number without exponent or trailing zeros, decimal comma: 20, 37,5."""
    return f"{value.normalize():f}".replace(".", ",")


def _pct(value: Decimal) -> str:
    return f"{_num(value)} %"


class UnitType(StrEnum):
    KINDERGARTEN = "kindergarten"
    SFO = "sfo"


class FirstChildRule(StrEnum):
    """Which child counts as child 1 for sibling discounts (municipal choice; see README)."""

    HIGHEST_PRICE = "highest_price"
    YOUNGEST = "youngest"
    OLDEST = "oldest"


class Proration(StrEnum):
    """How a start or stop within a month is priced (municipal choice)."""

    CALENDAR_DAYS = "calendar_days"
    FULL_MONTH = "full_month"


class SiblingScope(StrEnum):
    """Whether kindergarten and SFO children are ranked together for sibling discounts."""

    COMBINED = "combined"
    SEPARATE = "separate"


class PriceZone(StrEnum):
    """Which national maksimalpris applies to the municipality."""

    ORDINARY = "ordinary"
    LOW_CENTRALITY = "low_centrality"
    TILTAKSSONE = "tiltakssone"


class SfoPlaceKind(StrEnum):
    FULL = "full"
    PART = "part"
    HOURLY = "hourly"


class MissingRate(DomainError):
    """No rate is stored for the period: the engine names it and never guesses."""

    code = "missing_rate"
    http_status = 422


@dataclass(frozen=True)
class NationalRates:
    """Rates fixed by the Storting for a period (barnehageår), kindergarten and SFO."""

    label: str
    valid_from: dt.date
    valid_to: dt.date | None
    max_price: Decimal
    max_price_low_centrality: Decimal | None
    max_price_tiltakssone: Decimal | None
    payments_per_year: int
    full_time_hours: Decimal
    sibling_min_discount_child2: Decimal
    sibling_min_discount_child3_plus: Decimal
    reduced_fee_income_share: Decimal
    reduced_fee_income_limit: Decimal
    reduced_fee_sibling_share_child2: Decimal
    reduced_fee_sibling_share_child3_plus: Decimal
    core_hours_per_week: Decimal
    core_hours_income_limit: Decimal
    core_hours_min_age: int
    core_hours_max_age: int
    sfo_free_hours_per_week: Decimal
    sfo_free_hours_max_grade: int
    verified: bool = True
    sources: str = ""

    def max_price_for(self, zone: PriceZone) -> Decimal:
        if zone == PriceZone.LOW_CENTRALITY and self.max_price_low_centrality is not None:
            return self.max_price_low_centrality
        if zone == PriceZone.TILTAKSSONE and self.max_price_tiltakssone is not None:
            return self.max_price_tiltakssone
        return self.max_price


@dataclass(frozen=True)
class SfoPlaceRate:
    """An SFO place type. For ``hourly`` places ``monthly_price`` is the price per weekly hour."""

    code: str
    name: str
    kind: SfoPlaceKind
    weekly_hours: Decimal | None
    monthly_price: Decimal


@dataclass(frozen=True)
class MunicipalRates:
    """A municipality's prices and its choices where the law leaves them to the municipality."""

    municipality_number: str
    municipality_name: str
    label: str
    valid_from: dt.date
    valid_to: dt.date | None
    price_zone: PriceZone
    kindergarten_full_time_price: Decimal
    kindergarten_food_money: Decimal
    kindergarten_sibling_discount_child2: Decimal
    kindergarten_sibling_discount_child3_plus: Decimal
    kindergarten_payment_free_month: int | None
    sfo_food_money: Decimal
    sfo_sibling_discount_child2: Decimal
    sfo_sibling_discount_child3_plus: Decimal
    sfo_income_share: Decimal | None
    sfo_income_cap_max_grade: int | None
    sfo_payments_per_year: int
    sfo_payment_free_month: int | None
    first_child_rule: FirstChildRule
    proration: Proration
    sibling_scope: SiblingScope
    sfo_place_types: tuple[SfoPlaceRate, ...] = ()
    is_demo: bool = False
    sources: str = ""

    def sfo_place_type(self, code: str) -> SfoPlaceRate | None:
        return next((p for p in self.sfo_place_types if p.code == code), None)


@dataclass(frozen=True)
class RateSet:
    """The national and municipal rates in force on one date."""

    national: NationalRates
    municipal: MunicipalRates

    @property
    def verified(self) -> bool:
        return self.national.verified and not self.municipal.is_demo


@dataclass(frozen=True)
class ChildInput:
    """One child in the household. ``key`` is the caller's reference (a child id or a name)."""

    key: str
    birth_date: dt.date
    unit_type: UnitType
    place_percentage: Decimal | None = None
    days_per_week: int | None = None
    weekly_hours: Decimal | None = None
    grade: int | None = None
    sfo_place_type: str | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    utsatt_skolestart: bool = False


@dataclass(frozen=True)
class HouseholdInput:
    """``annual_income`` is the household's samlede person- og kapitalinntekt; ``None`` means that no
    income-based reduction applies (no application or decision)."""

    annual_income: Decimal | None
    children: tuple[ChildInput, ...]


@dataclass(frozen=True)
class TraceStep:
    rule: str
    label: str
    change: Decimal
    amount: Decimal
    detail: str = ""


@dataclass(frozen=True)
class ChildQuote:
    key: str
    unit_type: UnitType
    sibling_rank: int | None
    parental_fee: Decimal
    food_money: Decimal
    monthly_price: Decimal
    trace: tuple[TraceStep, ...]


@dataclass(frozen=True)
class HouseholdQuote:
    on: dt.date
    municipality_number: str
    national_period: str
    municipal_period: str
    rates_verified: bool
    children: tuple[ChildQuote, ...]
    total: Decimal


# --- validation -----------------------------------------------------------------------------------


def _validate_child(child: ChildInput, prefix: str, municipal: MunicipalRates, errors: dict[str, list[str]]) -> None:
    if child.place_percentage is not None and not (0 < child.place_percentage <= 100):
        errors[prefix + "place_percentage"] = [_("Plasstørrelsen må være mellom 1 og 100 prosent.")]
    if child.days_per_week is not None and not (1 <= child.days_per_week <= 5):
        errors[prefix + "days_per_week"] = [_("Antall dager må være mellom 1 og 5.")]
    if child.weekly_hours is not None and not (0 < child.weekly_hours <= 60):
        errors[prefix + "weekly_hours"] = [_("Ukentlig oppholdstid må være mellom 1 og 60 timer.")]
    if child.start_date and child.end_date and child.end_date < child.start_date:
        errors[prefix + "end_date"] = [_("Sluttdato kan ikke være før startdato.")]
    if child.unit_type != UnitType.SFO:
        return
    if child.grade is None or not (1 <= child.grade <= 7):
        errors[prefix + "grade"] = [_("Oppgi trinn (1–7) for SFO.")]
    if not child.sfo_place_type:
        errors[prefix + "sfo_place_type"] = [_("Velg plasstype for SFO.")]
        return
    place = municipal.sfo_place_type(child.sfo_place_type)
    if place is None:
        raise MissingRate(
            _("Mangler sats for perioden: SFO-plasstype «%(code)s» for %(name)s (%(period)s).")
            % {"code": child.sfo_place_type, "name": municipal.municipality_name, "period": municipal.label},
            fields={prefix + "sfo_place_type": [_("Ukjent plasstype for perioden.")]},
        )
    if place.kind == SfoPlaceKind.HOURLY and child.weekly_hours is None:
        errors[prefix + "weekly_hours"] = [_("Timeplass krever ukentlig oppholdstid.")]


def _validate(household: HouseholdInput, municipal: MunicipalRates) -> None:
    errors: dict[str, list[str]] = {}
    if household.annual_income is not None and household.annual_income < 0:
        errors["annual_income"] = [_("Inntekten kan ikke være negativ.")]
    if not household.children:
        errors["children"] = [_("Legg inn minst ett barn.")]
    for index, child in enumerate(household.children):
        _validate_child(child, f"children.{index}.", municipal, errors)
    keys = [c.key for c in household.children]
    if len(set(keys)) != len(keys):
        errors["children"] = [_("Hvert barn må ha et unikt navn eller en unik referanse.")]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], fields=errors)


# --- helpers ----------------------------------------------------------------------------------------


def _month_bounds(on: dt.date) -> tuple[dt.date, dt.date]:
    last = calendar.monthrange(on.year, on.month)[1]
    return on.replace(day=1), on.replace(day=last)


def _attending_days(child: ChildInput, first: dt.date, last: dt.date) -> int:
    start = max(first, child.start_date or first)
    end = min(last, child.end_date or last)
    return max(0, (end - start).days + 1)


def kindergarten_year_start(on: dt.date) -> int:
    """Return the calendar year in which the barnehageår containing ``on`` starts (1 August)."""
    return on.year if on.month >= 8 else on.year - 1


def core_hours_age_eligible(*, birth_date: dt.date, on: dt.date, national: NationalRates, utsatt: bool) -> bool:
    """Whether the child is in the gratis-kjernetid age group on ``on``.

    The right runs from 1 August of the calendar year the child turns 2 until school start, i.e. the
    children who turn 2, 3, 4 or 5 in the calendar year the barnehageår starts; children with utsatt
    skolestart (deferred school start) keep it.
    """
    age_turned = kindergarten_year_start(on) - birth_date.year
    if utsatt and age_turned >= national.core_hours_min_age:
        return True
    return national.core_hours_min_age <= age_turned <= national.core_hours_max_age


def place_proportion(child: ChildInput, full_time_hours: Decimal) -> Decimal:
    """The share of a full-time place: percentage, else days of 5, else hours of a full-time week."""
    if child.place_percentage is not None:
        return child.place_percentage / HUNDRED
    if child.days_per_week is not None:
        return Decimal(child.days_per_week) / Decimal(5)
    if child.weekly_hours is not None:
        return min(Decimal(1), child.weekly_hours / full_time_hours)
    return Decimal(1)


_SortKey = tuple[Decimal, int, str]


@dataclass
class _Trace:
    amount: Decimal = ZERO
    steps: list[TraceStep] = field(default_factory=list)

    def set(self, rule: str, label: str, new_amount: Decimal, detail: str = "") -> None:
        new_amount = money(new_amount)
        change = new_amount - self.amount
        self.amount = new_amount
        self.steps.append(TraceStep(rule=rule, label=label, change=change, amount=new_amount, detail=detail))


def _ranking_key(rule: FirstChildRule, price_of: Callable[[ChildInput], Decimal]) -> Callable[[ChildInput], _SortKey]:
    def key(child: ChildInput) -> _SortKey:
        if rule == FirstChildRule.YOUNGEST:
            return (ZERO, -child.birth_date.toordinal(), child.key)
        if rule == FirstChildRule.OLDEST:
            return (ZERO, child.birth_date.toordinal(), child.key)
        # Highest price first; ties: the oldest child is child 1 (stable as younger siblings start).
        return (-price_of(child), child.birth_date.toordinal(), child.key)

    return key


def _rank(children: Sequence[ChildInput], key: Callable[[ChildInput], _SortKey]) -> dict[str, int]:
    return {child.key: index + 1 for index, child in enumerate(sorted(children, key=key))}


# --- the engine -------------------------------------------------------------------------------------


def quote_household(*, on: dt.date, household: HouseholdInput, rates: RateSet) -> HouseholdQuote:
    """Return each child's price for the month containing ``on``, with the trace of every rule."""
    national, municipal = rates.national, rates.municipal
    _validate(household, municipal)
    first, last = _month_bounds(on)
    days_in_month = (last - first).days + 1
    attending = [c for c in household.children if _attending_days(c, first, last) > 0]

    max_price = national.max_price_for(municipal.price_zone)
    kg_full_price = min(municipal.kindergarten_full_time_price, max_price)

    def list_price(child: ChildInput) -> Decimal:
        if child.unit_type == UnitType.KINDERGARTEN:
            return money(kg_full_price * place_proportion(child, national.full_time_hours))
        place = municipal.sfo_place_type(child.sfo_place_type or "")
        assert place is not None  # checked in _validate
        return _sfo_base(place, child)

    key = _ranking_key(municipal.first_child_rule, list_price)
    kg_children = [c for c in attending if c.unit_type == UnitType.KINDERGARTEN]
    sfo_children = [c for c in attending if c.unit_type == UnitType.SFO]
    kg_rank = _rank(kg_children, key)
    if municipal.sibling_scope == SiblingScope.COMBINED:
        sibling_rank = _rank(attending, key)
    else:
        sibling_rank = {**kg_rank, **_rank(sfo_children, key)}

    quotes: list[ChildQuote] = []
    for child in household.children:
        days = _attending_days(child, first, last)
        if days == 0:
            trace = _Trace()
            trace.set("not_attending", _("Ingen plass i måneden"), ZERO)
            quotes.append(_child_quote(child, None, trace, ZERO))
            continue
        if child.unit_type == UnitType.KINDERGARTEN:
            trace, food = _kindergarten(
                child=child,
                on=on,
                national=national,
                municipal=municipal,
                max_price=max_price,
                rank=sibling_rank[child.key],
                kg_rank=kg_rank[child.key],
                income=household.annual_income,
            )
        else:
            trace, food = _sfo(
                child=child,
                national=national,
                municipal=municipal,
                rank=sibling_rank[child.key],
                income=household.annual_income,
            )
        food = _prorate_and_feed(
            trace=trace,
            child=child,
            municipal=municipal,
            days=days,
            days_in_month=days_in_month,
            food=food,
            month=on.month,
        )
        quotes.append(_child_quote(child, sibling_rank[child.key], trace, food))

    total = sum((q.monthly_price for q in quotes), ZERO)
    return HouseholdQuote(
        on=on,
        municipality_number=municipal.municipality_number,
        national_period=national.label,
        municipal_period=municipal.label,
        rates_verified=rates.verified,
        children=tuple(quotes),
        total=money(total),
    )


def _child_quote(child: ChildInput, rank: int | None, trace: _Trace, food: Decimal) -> ChildQuote:
    return ChildQuote(
        key=child.key,
        unit_type=child.unit_type,
        sibling_rank=rank,
        parental_fee=money(trace.amount - food),
        food_money=food,
        monthly_price=trace.amount,
        trace=tuple(trace.steps),
    )


def _kindergarten(
    *,
    child: ChildInput,
    on: dt.date,
    national: NationalRates,
    municipal: MunicipalRates,
    max_price: Decimal,
    rank: int,
    kg_rank: int,
    income: Decimal | None,
) -> tuple[_Trace, Decimal]:
    trace = _Trace()
    base = municipal.kindergarten_full_time_price
    trace.set(
        "base_price",
        _("Pris for heltidsplass i barnehage"),
        base,
        _("Kommunens sats for %(period)s") % {"period": municipal.label},
    )
    if base > max_price:
        trace.set(
            "max_price_cap",
            _("Begrenset til maksimalpris"),
            max_price,
            _("Maksimalpris %(period)s: %(amount)s") % {"period": national.label, "amount": _fmt(max_price)},
        )

    # The national minimum holds even if a municipal rate was entered lower.
    discount = _sibling_percentage(
        rank,
        max(municipal.kindergarten_sibling_discount_child2, national.sibling_min_discount_child2),
        max(municipal.kindergarten_sibling_discount_child3_plus, national.sibling_min_discount_child3_plus),
    )
    if discount:
        before = trace.amount
        trace.set(
            "sibling_discount",
            _("Søskenmoderasjon (barn nr. %(rank)d)") % {"rank": rank},
            before * (HUNDRED - discount) / HUNDRED,
            f"{_fmt(before)} × (100 % − {_pct(discount)})",
        )

    if income is not None:
        # § 3: the price of a full-time place for child 1 is at most 6 % of income over the payments of a
        # year; siblings in kindergarten pay at most 70 % (child 2) and 0 % (child 3+) of that.
        cap_child1 = min(
            base, max_price, money(income * national.reduced_fee_income_share / HUNDRED / national.payments_per_year)
        )
        share = (
            HUNDRED
            if kg_rank == 1
            else national.reduced_fee_sibling_share_child2
            if kg_rank == 2
            else national.reduced_fee_sibling_share_child3_plus
        )
        cap = money(cap_child1 * share / HUNDRED)
        if cap < trace.amount:
            detail = _("%(share)s av inntekt %(income)s / %(n)d betalinger = %(cap1)s") % {
                "share": _pct(national.reduced_fee_income_share),
                "income": _fmt(income),
                "n": national.payments_per_year,
                "cap1": _fmt(cap_child1),
            }
            if share != HUNDRED:
                detail += _("; barn nr. %(rank)d betaler %(share)s av dette = %(cap)s") % {
                    "rank": kg_rank,
                    "share": _pct(share),
                    "cap": _fmt(cap),
                }
            trace.set("reduced_fee", _("Redusert foreldrebetaling (inntekt)"), cap, detail)

    proportion = place_proportion(child, national.full_time_hours)
    if proportion < 1 and trace.amount > 0:
        before = trace.amount
        trace.set(
            "part_time",
            _("Deltidsplass (%(pct)s)") % {"pct": _pct(money(proportion * HUNDRED))},
            before * proportion,
            f"{_fmt(before)} × {_pct(money(proportion * HUNDRED))}",
        )

    if (
        income is not None
        and income < national.core_hours_income_limit
        and core_hours_age_eligible(
            birth_date=child.birth_date, on=on, national=national, utsatt=child.utsatt_skolestart
        )
        and trace.amount > 0
    ):
        hours = child.weekly_hours if child.weekly_hours is not None else proportion * national.full_time_hours
        effective = min(hours, national.full_time_hours)
        free_share = min(Decimal(1), national.core_hours_per_week / effective)
        before = trace.amount
        trace.set(
            "free_core_hours",
            _("Gratis kjernetid (%(hours)s timer per uke)") % {"hours": _num(national.core_hours_per_week)},
            before * (1 - free_share),
            _("%(amount)s × (1 − %(free)s / %(hours)s timer)")
            % {"amount": _fmt(before), "free": _num(national.core_hours_per_week), "hours": _num(effective)},
        )

    food = money(municipal.kindergarten_food_money * proportion)
    return trace, food


def _sfo_base(place: SfoPlaceRate, child: ChildInput) -> Decimal:
    if place.kind == SfoPlaceKind.HOURLY:
        assert child.weekly_hours is not None  # checked in _validate
        return money(place.monthly_price * child.weekly_hours)
    return place.monthly_price


def _sfo(
    *,
    child: ChildInput,
    national: NationalRates,
    municipal: MunicipalRates,
    rank: int,
    income: Decimal | None,
) -> tuple[_Trace, Decimal]:
    place = municipal.sfo_place_type(child.sfo_place_type or "")
    assert place is not None and child.grade is not None  # checked in _validate
    trace = _Trace()
    detail = _("Kommunens sats for %(period)s") % {"period": municipal.label}
    if place.kind == SfoPlaceKind.HOURLY:
        detail = _("%(price)s × %(hours)s t") % {
            "price": _fmt(place.monthly_price),
            "hours": _num(child.weekly_hours or ZERO),
        }
    trace.set("base_price", _("SFO: %(name)s") % {"name": place.name}, _sfo_base(place, child), detail)

    discount = _sibling_percentage(
        rank, municipal.sfo_sibling_discount_child2, municipal.sfo_sibling_discount_child3_plus
    )
    if discount:
        before = trace.amount
        trace.set(
            "sibling_discount",
            _("Søskenmoderasjon (barn nr. %(rank)d)") % {"rank": rank},
            before * (HUNDRED - discount) / HUNDRED,
            f"{_fmt(before)} × (100 % − {_pct(discount)})",
        )

    if child.grade <= national.sfo_free_hours_max_grade and trace.amount > 0:
        hours = child.weekly_hours if child.weekly_hours is not None else place.weekly_hours
        if hours is None or hours <= 0:
            raise MissingRate(
                _("Mangler sats for perioden: ukentlige timer for SFO-plasstype «%(code)s».") % {"code": place.code},
                fields={"sfo_place_type": [_("Plasstypen mangler timer per uke.")]},
            )
        free_share = min(Decimal(1), national.sfo_free_hours_per_week / hours)
        before = trace.amount
        trace.set(
            "sfo_free_hours",
            _("Gratis SFO (%(hours)s timer per uke, %(grade)d. trinn)")
            % {"hours": _num(national.sfo_free_hours_per_week), "grade": child.grade},
            before * (1 - free_share),
            _("%(amount)s × (1 − %(free)s / %(hours)s timer)")
            % {"amount": _fmt(before), "free": _num(national.sfo_free_hours_per_week), "hours": _num(hours)},
        )

    if (
        income is not None
        and municipal.sfo_income_share is not None
        and (municipal.sfo_income_cap_max_grade is None or child.grade <= municipal.sfo_income_cap_max_grade)
    ):
        cap = money(income * municipal.sfo_income_share / HUNDRED / municipal.sfo_payments_per_year)
        if cap < trace.amount:
            trace.set(
                "sfo_income_cap",
                _("Redusert betaling i SFO (inntekt)"),
                cap,
                _("%(share)s av inntekt %(income)s / %(n)d betalinger")
                % {
                    "share": _pct(municipal.sfo_income_share),
                    "income": _fmt(income),
                    "n": municipal.sfo_payments_per_year,
                },
            )

    return trace, municipal.sfo_food_money


def _sibling_percentage(rank: int, child2: Decimal, child3_plus: Decimal) -> Decimal:
    if rank == 2:
        return child2
    if rank >= 3:
        return child3_plus
    return ZERO


def _prorate_and_feed(
    *,
    trace: _Trace,
    child: ChildInput,
    municipal: MunicipalRates,
    days: int,
    days_in_month: int,
    food: Decimal,
    month: int,
) -> Decimal:
    """Apply proration, add food money and the payment-free month; return the food money charged."""
    factor = Decimal(1)
    if days < days_in_month and municipal.proration == Proration.CALENDAR_DAYS:
        factor = Decimal(days) / Decimal(days_in_month)
    if factor < 1 and trace.amount:
        before = trace.amount
        trace.set(
            "proration",
            _("Start eller slutt i måneden (%(days)d av %(total)d dager)") % {"days": days, "total": days_in_month},
            before * factor,
            f"{_fmt(before)} × {days}/{days_in_month}",
        )
    full_food = food
    food = money(food * factor)
    if food:
        detail = _("Kostpenger %(amount)s") % {"amount": _fmt(full_food)}
        if food != full_food:
            detail += f" × {days}/{days_in_month}"
        trace.set("food_money", _("Kostpenger"), trace.amount + food, detail)
    free_month = (
        municipal.kindergarten_payment_free_month
        if child.unit_type == UnitType.KINDERGARTEN
        else municipal.sfo_payment_free_month
    )
    if free_month is not None and month == free_month and trace.amount:
        trace.set("payment_free_month", _("Betalingsfri måned"), ZERO, _("11 betalinger i året"))
        food = ZERO
    return food
