"""Reads for fees: the rates in force on a date (as engine dataclasses) and siblings by address."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from oas.errors import ValidationError
from oas.organisation.models import Municipality
from oas.people.models import Person
from oas.periods import active_on

from .engine import (
    FirstChildRule,
    HouseholdInput,
    HouseholdQuote,
    MissingRate,
    MunicipalRates,
    NationalRates,
    PriceZone,
    Proration,
    RateSet,
    SfoPlaceKind,
    SfoPlaceRate,
    SiblingScope,
    quote_household,
)
from .models import MunicipalFeeRates, NationalFeeRates, SfoPlaceTypeRate


def _valid_on(on: dt.date) -> Q:
    return active_on(on)


def national_rates_to_dataclass(row: NationalFeeRates) -> NationalRates:
    """Convert a stored row to the engine's dataclass."""
    return NationalRates(
        label=row.label,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        max_price=row.max_price,
        max_price_low_centrality=row.max_price_low_centrality,
        max_price_tiltakssone=row.max_price_tiltakssone,
        payments_per_year=row.payments_per_year,
        full_time_hours=row.full_time_hours,
        sibling_min_discount_child2=row.sibling_min_discount_child2,
        sibling_min_discount_child3_plus=row.sibling_min_discount_child3_plus,
        reduced_fee_income_share=row.reduced_fee_income_share,
        reduced_fee_income_limit=row.reduced_fee_income_limit,
        reduced_fee_sibling_share_child2=row.reduced_fee_sibling_share_child2,
        reduced_fee_sibling_share_child3_plus=row.reduced_fee_sibling_share_child3_plus,
        core_hours_per_week=row.core_hours_per_week,
        core_hours_income_limit=row.core_hours_income_limit,
        core_hours_min_age=row.core_hours_min_age,
        core_hours_max_age=row.core_hours_max_age,
        sfo_free_hours_per_week=row.sfo_free_hours_per_week,
        sfo_free_hours_max_grade=row.sfo_free_hours_max_grade,
        verified=row.verified,
        sources=row.sources,
    )


def municipal_rates_to_dataclass(row: MunicipalFeeRates) -> MunicipalRates:
    """Convert a stored row (with its SFO place types) to the engine's dataclass."""
    return MunicipalRates(
        municipality_number=row.municipality.number,
        municipality_name=row.municipality.name,
        label=row.label,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        price_zone=PriceZone(row.price_zone),
        kindergarten_full_time_price=row.kindergarten_full_time_price,
        kindergarten_food_money=row.kindergarten_food_money,
        kindergarten_sibling_discount_child2=row.kindergarten_sibling_discount_child2,
        kindergarten_sibling_discount_child3_plus=row.kindergarten_sibling_discount_child3_plus,
        kindergarten_payment_free_month=row.kindergarten_payment_free_month,
        sfo_food_money=row.sfo_food_money,
        sfo_sibling_discount_child2=row.sfo_sibling_discount_child2,
        sfo_sibling_discount_child3_plus=row.sfo_sibling_discount_child3_plus,
        sfo_income_share=row.sfo_income_share,
        sfo_income_cap_max_grade=row.sfo_income_cap_max_grade,
        sfo_payments_per_year=row.sfo_payments_per_year,
        sfo_payment_free_month=row.sfo_payment_free_month,
        first_child_rule=FirstChildRule(row.first_child_rule),
        proration=Proration(row.proration),
        sibling_scope=SiblingScope(row.sibling_scope),
        sfo_place_types=tuple(
            SfoPlaceRate(
                code=p.code,
                name=p.name,
                kind=SfoPlaceKind(p.kind),
                weekly_hours=p.weekly_hours,
                monthly_price=p.monthly_price,
            )
            for p in row.sfo_place_types.all()
        ),
        is_demo=row.is_demo,
        sources=row.sources,
    )


def national_fee_rates_on(*, on: dt.date) -> NationalRates:
    """Return the national rates in force on ``on``; raise MissingRate naming the rate when there are none."""
    row = NationalFeeRates.objects.filter(_valid_on(on)).first()
    if row is None:
        raise MissingRate(
            _("Mangler sats for perioden: nasjonal maksimalpris og inntektsgrenser for %(date)s.")
            % {"date": on.isoformat()},
            fields={"date": [_("Ingen nasjonale satser for datoen.")]},
        )
    return national_rates_to_dataclass(row)


def municipal_fee_rates_on(*, municipality_number: str, on: dt.date) -> MunicipalRates:
    """Return the municipality's rates in force on ``on``; raise MissingRate naming them when there are none."""
    row = (
        MunicipalFeeRates.objects.filter(_valid_on(on), municipality__number=municipality_number)
        .select_related("municipality")
        .prefetch_related(Prefetch("sfo_place_types", queryset=SfoPlaceTypeRate.objects.order_by("-monthly_price")))
        .first()
    )
    if row is None:
        raise MissingRate(
            _("Mangler sats for perioden: kommunale satser for kommune %(number)s for %(date)s.")
            % {"number": municipality_number, "date": on.isoformat()},
            fields={"date": [_("Ingen kommunale satser for datoen.")]},
        )
    return municipal_rates_to_dataclass(row)


def fee_rates_on(*, municipality_number: str, on: dt.date) -> RateSet:
    """Return the national and municipal rates in force on ``on`` (three queries)."""
    return RateSet(
        national=national_fee_rates_on(on=on),
        municipal=municipal_fee_rates_on(municipality_number=municipality_number, on=on),
    )


def fee_municipalities_on(*, on: dt.date) -> QuerySet[Municipality]:
    """Return the municipalities that have fee rates in force on ``on``."""
    ids = MunicipalFeeRates.objects.filter(_valid_on(on)).values("municipality_id")
    return Municipality.objects.filter(id__in=ids).order_by("number")


_SPACES = re.compile(r"\s+")


def household_address_key(person: Person) -> str | None:
    """Return the key of the person's dwelling unit (bolig), or None when the register gives no address.

    The matrikkel address id identifies the building entrance, not the flat: the bruksenhetsnummer (e.g.
    H0201) is part of the key, so families in different flats of one building are different households.
    Without an address id: the street address, bruksenhetsnummer and postal code, normalised. Persons with
    strengt fortrolig address have no address in the register and never match anyone (see
    ``households_group``'s manual links).
    """
    unit = person.unit_number.strip().upper()
    if person.address_id:
        return f"id:{person.address_id}|{unit}"
    if not person.street_address:
        return None
    street = _SPACES.sub(" ", person.street_address.strip().lower())
    return f"adr:{street}|{unit}|{person.postal_code.strip()}"


def households_group(
    *,
    children: Sequence[Person],
    resident_adults: Mapping[int, Iterable[int]],
    manual_links: Iterable[tuple[int, int]] = (),
) -> list[list[Person]]:
    """Group children into households for the sibling discount and the household income.

    Two children are in one household when the register's family relations and the dwelling unit agree: an
    adult (guardian, parent or foster parent) lives with both (``resident_adults``: child id → ids of the
    adults with ``lives_with_child``) and both are registered in the same dwelling unit
    (``household_address_key``, flat included). Unrelated families in one building, or in one flat, are
    not siblings. ``manual_links`` are pairs of children the finance office registered as siblings by hand
    (strengt fortrolig children have no address in the register). Groups keep the order of ``children``.
    """
    parent = {c.pk: c.pk for c in children}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_adult_and_dwelling: dict[tuple[int, str], int] = {}
    for child in children:
        key = household_address_key(child)
        if key is None:
            continue
        for adult in resident_adults.get(child.pk, ()):
            first = by_adult_and_dwelling.setdefault((adult, key), child.pk)
            union(first, child.pk)
    for a, b in manual_links:
        if a in parent and b in parent:
            union(a, b)
    groups: dict[int, list[Person]] = {}
    for child in children:
        groups.setdefault(find(child.pk), []).append(child)
    return list(groups.values())


def persons_sharing_address(*, person: Person) -> QuerySet[Person]:
    """Return the other persons registered in the same dwelling unit (same address and bruksenhetsnummer)."""
    if person.address_id:
        return Person.objects.filter(
            address_id=person.address_id, unit_number__iexact=person.unit_number.strip()
        ).exclude(pk=person.pk)
    if not person.street_address:
        return Person.objects.none()
    return Person.objects.filter(
        address_id="",
        street_address__iexact=person.street_address.strip(),
        unit_number__iexact=person.unit_number.strip(),
        postal_code=person.postal_code.strip(),
    ).exclude(pk=person.pk)


def fee_quote(*, on: dt.date, municipality_number: str | None, household: HouseholdInput) -> HouseholdQuote:
    """Quote a household on ``on``; without a municipality number, use the only municipality with rates."""
    if not municipality_number:
        numbers = list(fee_municipalities_on(on=on).values_list("number", flat=True))
        if len(numbers) != 1:
            message = _("Oppgi kommunenummer.")
            raise ValidationError(message, fields={"municipality": [message]})
        municipality_number = numbers[0]
    rates = fee_rates_on(municipality_number=municipality_number, on=on)
    return quote_household(on=on, household=household, rates=rates)
