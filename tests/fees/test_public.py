"""fees.public: what the monthly invoicing run will call."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fees.public import (
    ChildInput,
    MissingRate,
    UnitType,
    fee_quote_for_children,
    fee_rates_on,
    households_group,
)
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def test_invoicing_gets_each_childs_month_price_with_the_trace(seeded_rates: None) -> None:
    quote = fee_quote_for_children(
        municipality_number="3030",
        on=dt.date(2024, 12, 1),
        annual_income=None,
        children=[
            ChildInput("101", dt.date(2021, 4, 1), UnitType.KINDERGARTEN),
            ChildInput("102", dt.date(2023, 4, 1), UnitType.KINDERGARTEN, start_date=dt.date(2024, 12, 17)),
        ],
    )
    # 101: child 1, 2 000 + 400. 102: child 2, 2 000 × 70 % = 1 400; 17.–31. December = 15 of 31 days:
    # 1 400 × 15/31 = 677,419 → 677,42; food 400 × 15/31 = 193,548 → 193,55; 870,97.
    assert [(c.key, c.monthly_price) for c in quote.children] == [
        ("101", Decimal("2400.00")),
        ("102", Decimal("870.97")),
    ]
    assert quote.national_period == "2024/25"


def test_a_run_can_load_the_rates_once_and_quote_without_queries(seeded_rates: None, django_assert_num_queries) -> None:
    rates = fee_rates_on(municipality_number="3030", on=dt.date(2024, 12, 1))
    with django_assert_num_queries(0):
        for _ in range(50):
            fee_quote_for_children(
                municipality_number="3030",
                on=dt.date(2024, 12, 1),
                annual_income=Decimal(300_000),
                children=[ChildInput("1", dt.date(2021, 4, 1), UnitType.KINDERGARTEN)],
                rates=rates,
            )


def test_a_month_without_rates_stops_the_run_and_names_the_rate(seeded_rates: None) -> None:
    with pytest.raises(MissingRate) as caught:
        fee_quote_for_children(
            municipality_number="3030",
            on=dt.date(2027, 8, 1),
            annual_income=None,
            children=[ChildInput("1", dt.date(2022, 4, 1), UnitType.KINDERGARTEN)],
        )
    assert "2027-08-01" in caught.value.message


def test_children_are_grouped_by_dwelling_and_a_common_resident_adult_across_units(db: None) -> None:
    a = ChildFactory.create(address_id="A-1")
    b = ChildFactory.create(address_id="A-1")
    c = ChildFactory.create(address_id="B-2")
    flat = ChildFactory.create(address_id="A-1", unit_number="H0201")  # same building, another flat
    protected = ChildFactory.create(street_address="", address_id="")
    groups = households_group(
        children=[a, c, b, flat, protected],
        resident_adults={a.pk: {7}, b.pk: {7}, c.pk: {7}, flat.pk: {7}},
    )
    assert groups == [[a, b], [c], [flat], [protected]]
