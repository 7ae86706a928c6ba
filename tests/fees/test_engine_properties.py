"""Properties of the fee engine over generated households (pure; no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from fees.engine import (
    ChildInput,
    FirstChildRule,
    HouseholdInput,
    Proration,
    SiblingScope,
    UnitType,
    quote_household,
)
from tests.fees.rates import NATIONAL, rates

NOV = dt.date(2026, 11, 19)
days_in_november = st.integers(min_value=1, max_value=30).map(lambda d: dt.date(2026, 11, d))


@st.composite
def children(draw: st.DrawFn) -> tuple[ChildInput, ...]:
    count = draw(st.integers(min_value=1, max_value=4))
    out = []
    for index in range(count):
        unit = draw(st.sampled_from([UnitType.KINDERGARTEN, UnitType.SFO]))
        start = draw(st.none() | days_in_november)
        end = draw(st.none() | days_in_november)
        if start and end and end < start:
            start, end = end, start
        if unit == UnitType.KINDERGARTEN:
            child = ChildInput(
                key=f"c{index}",
                birth_date=dt.date(draw(st.integers(2020, 2025)), draw(st.integers(1, 12)), 1),
                unit_type=unit,
                place_percentage=draw(st.none() | st.integers(10, 100).map(Decimal)),
                weekly_hours=draw(st.none() | st.integers(8, 50).map(Decimal)),
                start_date=start,
                end_date=end,
                utsatt_skolestart=draw(st.booleans()),
            )
        else:
            place = draw(st.sampled_from(["full", "part", "hours"]))
            child = ChildInput(
                key=f"c{index}",
                birth_date=dt.date(draw(st.integers(2013, 2020)), draw(st.integers(1, 12)), 1),
                unit_type=unit,
                grade=draw(st.integers(1, 7)),
                sfo_place_type=place,
                weekly_hours=Decimal(draw(st.integers(4, 30))) if place == "hours" else None,
                start_date=start,
                end_date=end,
            )
        out.append(child)
    return tuple(out)


settings_strategy = st.fixed_dictionaries(
    {
        "first_child_rule": st.sampled_from(list(FirstChildRule)),
        "proration": st.sampled_from(list(Proration)),
        "sibling_scope": st.sampled_from(list(SiblingScope)),
        "sfo_income_share": st.sampled_from([None, Decimal(6)]),
        "sfo_income_cap_max_grade": st.sampled_from([None, 4]),
    }
)


@settings(max_examples=300, deadline=None)
@given(kids=children(), income=st.integers(0, 1_500_000), municipal=settings_strategy)
def test_every_price_is_its_trace_and_stays_within_bounds(
    kids: tuple[ChildInput, ...], income: int, municipal: dict
) -> None:
    quote = quote_household(on=NOV, household=HouseholdInput(Decimal(income), kids), rates=rates(**municipal))
    for child in quote.children:
        assert sum(step.change for step in child.trace) == child.monthly_price
        assert child.monthly_price >= 0
        assert child.parental_fee >= 0
        if child.unit_type == UnitType.KINDERGARTEN:
            assert child.parental_fee <= NATIONAL.max_price
            assert child.food_money <= Decimal("400.00")


@settings(max_examples=300, deadline=None)
@given(
    kids=children(),
    low=st.integers(0, 1_000_000),
    extra=st.integers(0, 1_000_000),
    municipal=settings_strategy,
)
def test_a_higher_income_never_lowers_the_price(
    kids: tuple[ChildInput, ...], low: int, extra: int, municipal: dict
) -> None:
    rate_set = rates(**municipal)
    poorer = quote_household(on=NOV, household=HouseholdInput(Decimal(low), kids), rates=rate_set)
    richer = quote_household(on=NOV, household=HouseholdInput(Decimal(low + extra), kids), rates=rate_set)
    no_decision = quote_household(on=NOV, household=HouseholdInput(None, kids), rates=rate_set)
    for a, b, c in zip(poorer.children, richer.children, no_decision.children, strict=True):
        assert a.monthly_price <= b.monthly_price <= c.monthly_price
