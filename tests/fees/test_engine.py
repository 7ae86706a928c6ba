"""Table-driven tests of the fee engine. Every expected number is worked out by hand in the comment.

Rates (tests/fees/rates.py): maksimalpris 2 000, full time = 41 h, kindergarten price 2 000, food 400
(full time), sibling 30 % / free; reduced fee 6 % of income / 11; siblings 70 % / 0 % of child 1's
reduced price; gratis kjernetid 20 h below 642 700; SFO full 3 300 (25 h), part 2 300 (15 h), hourly
150 per weekly hour, food 300, SFO siblings 30 % / 50 %, 12 free SFO hours for grades 1–3; July free.
Default date: 19 November 2026 (30 days; barnehageåret 2026/27, so kjernetid covers children born
2021–2024).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from fees.engine import (
    ChildInput,
    FirstChildRule,
    HouseholdInput,
    MissingRate,
    PriceZone,
    Proration,
    SiblingScope,
    UnitType,
    quote_household,
)
from oas.errors import ValidationError
from tests.fees.rates import D, kg, rates, sfo

NOV = dt.date(2026, 11, 19)


@dataclasses.dataclass
class Case:
    id: str
    children: tuple[ChildInput, ...]
    expected: dict[str, str]
    income: int | None = None
    on: dt.date = NOV
    municipal: dict[str, Any] = dataclasses.field(default_factory=dict)
    rules: dict[str, list[tuple[str, str]]] = dataclasses.field(default_factory=dict)


CASES = [
    # --- base price, part time, max price ------------------------------------------------------------
    Case(
        "full time kindergarten place pays the price plus food money",
        (kg("A", "2025-03-01"),),
        {"A": "2400.00"},  # 2 000 + 400
        rules={"A": [("base_price", "2000.00"), ("food_money", "400.00")]},
    ),
    Case(
        "part time by percentage pays in proportion, food money too",
        (kg("A", "2025-03-01", place_percentage=D(60)),),
        {"A": "1440.00"},  # 2 000 × 60 % = 1 200; food 400 × 60 % = 240; 1 200 + 240
        rules={"A": [("base_price", "2000.00"), ("part_time", "-800.00"), ("food_money", "240.00")]},
    ),
    Case(
        "part time by days counts days of five",
        (kg("A", "2025-03-01", days_per_week=3),),
        {"A": "1440.00"},  # 3/5 = 60 %: as above
    ),
    Case(
        "part time by agreed hours only counts hours of a 41 hour week",
        (kg("A", "2025-03-01", weekly_hours=D("20.5")),),
        {"A": "1200.00"},  # 20,5/41 = 50 %: 1 000 + food 200
    ),
    Case(
        "more than 41 hours is still a full time place",
        (kg("A", "2025-03-01", weekly_hours=D(45)),),
        {"A": "2400.00"},  # min(1, 45/41) = 1
    ),
    Case(
        "a municipal price above the maksimalpris is capped",
        (kg("A", "2025-03-01"),),
        {"A": "2400.00"},  # 2 100 → 2 000; + 400
        municipal={"kindergarten_full_time_price": D("2100.00")},
        rules={"A": [("base_price", "2100.00"), ("max_price_cap", "-100.00"), ("food_money", "400.00")]},
    ),
    Case(
        "a low centrality municipality has the lower maksimalpris",
        (kg("A", "2025-03-01"),),
        {"A": "1900.00"},  # 2 000 → 1 500; + 400
        municipal={"price_zone": PriceZone.LOW_CENTRALITY},
    ),
    # --- siblings ----------------------------------------------------------------------------------------
    Case(
        "child 2 in kindergarten gets 30 percent off, the oldest is child 1 on equal prices",
        (kg("Eldst", "2022-01-01"), kg("Yngst", "2024-01-01")),
        {"Eldst": "2400.00", "Yngst": "1800.00"},  # 2 000 + 400; 2 000 × 70 % = 1 400 + 400
        rules={"Yngst": [("base_price", "2000.00"), ("sibling_discount", "-600.00"), ("food_money", "400.00")]},
    ),
    Case(
        "child 3 in kindergarten is free but pays food money",
        (kg("A", "2021-01-01"), kg("B", "2023-01-01"), kg("C", "2025-01-01")),
        {"A": "2400.00", "B": "1800.00", "C": "400.00"},  # C: 2 000 − 100 % = 0; + 400
        rules={"C": [("base_price", "2000.00"), ("sibling_discount", "-2000.00"), ("food_money", "400.00")]},
    ),
    Case(
        "a municipal child 3 discount below the national minimum is raised to it",
        (kg("A", "2021-01-01"), kg("B", "2023-01-01"), kg("C", "2025-01-01")),
        {"A": "2400.00", "B": "1800.00", "C": "400.00"},  # C still free: max(50 %, 100 %) = 100 %
        municipal={"kindergarten_sibling_discount_child3_plus": D(50)},
    ),
    Case(
        "the child with the highest price is child 1 by default",
        (kg("Eldst", "2022-01-01", place_percentage=D(60)), kg("Yngst", "2024-01-01")),
        # Yngst (2 000) is child 1: 2 400. Eldst: 2 000 × 70 % = 1 400 × 60 % = 840; food 240 → 1 080
        {"Eldst": "1080.00", "Yngst": "2400.00"},
    ),
    Case(
        "with the oldest child rule the oldest is child 1 even with a smaller place",
        (kg("Eldst", "2022-01-01", place_percentage=D(60)), kg("Yngst", "2024-01-01")),
        # Eldst: 1 200 + 240 = 1 440. Yngst: 2 000 × 70 % = 1 400 + 400 = 1 800
        {"Eldst": "1440.00", "Yngst": "1800.00"},
        municipal={"first_child_rule": FirstChildRule.OLDEST},
    ),
    Case(
        "with the youngest child rule the youngest is child 1",
        (kg("Eldst", "2022-01-01"), kg("Yngst", "2024-01-01")),
        {"Eldst": "1800.00", "Yngst": "2400.00"},  # the discount moves to the oldest
        municipal={"first_child_rule": FirstChildRule.YOUNGEST},
    ),
    Case(
        "a sibling who has not started this month does not count",
        (kg("A", "2022-01-01"), kg("B", "2024-01-01", start_date=dt.date(2026, 12, 1))),
        {"A": "2400.00", "B": "0.00"},  # B has no place in November; A is the only child
        rules={"B": [("not_attending", "0.00")]},
    ),
    # --- kindergarten and SFO together ------------------------------------------------------------------
    Case(
        "siblings are counted across kindergarten and SFO by default",
        (sfo("Skole", "2016-05-01", 5, "full"), kg("Bhg", "2023-01-01")),
        # SFO 3 300 is the highest price: child 1, grade 5 has no free hours: 3 300 + 300 = 3 600.
        # Kindergarten is child 2: 2 000 × 70 % = 1 400 + 400 = 1 800
        {"Skole": "3600.00", "Bhg": "1800.00"},
    ),
    Case(
        "with separate counting kindergarten and SFO children are each child 1",
        (sfo("Skole", "2016-05-01", 5, "full"), kg("Bhg", "2023-01-01")),
        {"Skole": "3600.00", "Bhg": "2400.00"},
        municipal={"sibling_scope": SiblingScope.SEPARATE},
    ),
    Case(
        "SFO siblings get the municipal sibling discount",
        (sfo("A", "2015-01-01", 6, "full"), sfo("B", "2016-01-01", 5, "full"), sfo("C", "2017-01-01", 4, "full")),
        # A 3 300 + 300; B 3 300 × 70 % = 2 310 + 300; C 3 300 × 50 % = 1 650 + 300
        {"A": "3600.00", "B": "2610.00", "C": "1950.00"},
    ),
    # --- SFO free hours and place types -----------------------------------------------------------------
    Case(
        "SFO grade 2 full time place gets 12 of 25 hours free",
        (sfo("A", "2019-05-01", 2, "full"),),
        {"A": "2016.00"},  # 3 300 × (1 − 12/25) = 3 300 × 0,52 = 1 716 + 300
        rules={"A": [("base_price", "3300.00"), ("sfo_free_hours", "-1584.00"), ("food_money", "300.00")]},
    ),
    Case(
        "SFO grade 1 part time place of 15 hours pays for 3 hours",
        (sfo("A", "2020-05-01", 1, "part"),),
        {"A": "760.00"},  # 2 300 × (1 − 12/15) = 2 300 × 0,2 = 460 + 300
    ),
    Case(
        "SFO grade 4 gets no free hours",
        (sfo("A", "2017-05-01", 4, "full"),),
        {"A": "3600.00"},  # 3 300 + 300
    ),
    Case(
        "SFO hourly place of 10 hours in grade 5 pays per weekly hour",
        (sfo("A", "2016-05-01", 5, "hours", weekly_hours=D(10)),),
        {"A": "1800.00"},  # 150 × 10 = 1 500 + 300
    ),
    Case(
        "SFO hourly place of 10 hours in grade 1 is free apart from food",
        (sfo("A", "2020-05-01", 1, "hours", weekly_hours=D(10)),),
        {"A": "300.00"},  # 1 500 × (1 − min(1, 12/10)) = 0 + 300
    ),
    Case(
        "the municipal SFO income cap limits the price",
        (sfo("A", "2017-05-01", 4, "full"),),
        {"A": "1936.36"},  # 300 000 × 6 % / 11 = 1 636,3636 → 1 636,36 < 3 300; + 300
        income=300_000,
        municipal={"sfo_income_share": D(6), "sfo_income_cap_max_grade": 4},
        rules={"A": [("base_price", "3300.00"), ("sfo_income_cap", "-1663.64"), ("food_money", "300.00")]},
    ),
    Case(
        "the municipal SFO income cap stops at its last grade",
        (sfo("A", "2016-05-01", 5, "full"),),
        {"A": "3600.00"},
        income=300_000,
        municipal={"sfo_income_share": D(6), "sfo_income_cap_max_grade": 4},
    ),
    # --- reduced fee (6 %) --------------------------------------------------------------------------------
    Case(
        "reduced fee caps a full time place at 6 percent of income over 11 payments",
        (kg("A", "2025-03-01"),),  # turns 1 in 2026: no gratis kjernetid yet
        {"A": "2036.36"},  # 300 000 × 6 % / 11 = 18 000 / 11 = 1 636,3636 → 1 636,36; + 400
        income=300_000,
        rules={"A": [("base_price", "2000.00"), ("reduced_fee", "-363.64"), ("food_money", "400.00")]},
    ),
    Case(
        "reduced fee does not apply above the income limit",
        (kg("A", "2025-03-01"),),
        {"A": "2400.00"},  # 400 000 × 6 % / 11 = 2 181,82 > 2 000
        income=400_000,
    ),
    Case(
        "reduced fee for child 2 is 70 percent of child 1's reduced price",
        (kg("A", "2025-03-01"), kg("B", "2025-03-01")),  # twins; A is child 1 by name
        # A: 1 636,36 + 400 = 2 036,36. B: 2 000 × 70 % = 1 400; cap 1 636,36 × 70 % = 1 145,452 → 1 145,45; + 400
        {"A": "2036.36", "B": "1545.45"},
        income=300_000,
        rules={
            "B": [
                ("base_price", "2000.00"),
                ("sibling_discount", "-600.00"),
                ("reduced_fee", "-254.55"),
                ("food_money", "400.00"),
            ]
        },
    ),
    Case(
        "reduced fee for a part time place is the reduced full time price in proportion",
        (kg("A", "2025-03-01", place_percentage=D(50)),),
        {"A": "1018.18"},  # 1 636,36 × 50 % = 818,18; food 200
        income=300_000,
    ),
    # --- gratis kjernetid ---------------------------------------------------------------------------------
    Case(
        "free core hours take 20 of 41 hours off a full time place",
        (kg("A", "2023-05-01"),),
        {"A": "1424.39"},  # 400 000 is below 642 700: 2 000 × (1 − 20/41) = 2 000 × 21/41 = 1 024,39; + 400
        income=400_000,
        rules={"A": [("base_price", "2000.00"), ("free_core_hours", "-975.61"), ("food_money", "400.00")]},
    ),
    Case(
        "free core hours need income strictly below the limit",
        (kg("A", "2023-05-01"),),
        {"A": "2400.00"},
        income=642_700,
    ),
    Case(
        "free core hours on a 25 hour part time place leave 5 hours to pay",
        (kg("A", "2022-05-01", place_percentage=D(60), weekly_hours=D(25)),),
        {"A": "480.00"},  # 2 000 × 60 % = 1 200 × (1 − 20/25) = 240; food 240
        income=500_000,
    ),
    Case(
        "a place of 20 hours or less is free with core hours",
        (kg("A", "2022-05-01", place_percentage=D(40), weekly_hours=D(16)),),
        {"A": "160.00"},  # 800 × (1 − min(1, 20/16)) = 0; food 400 × 40 % = 160
        income=500_000,
    ),
    Case(
        "a child who turns 2 this calendar year has core hours from August",
        (kg("A", "2024-12-31"),),  # barnehageåret 2026/27 starts in 2026, the year A turns 2
        {"A": "1424.39"},
        income=400_000,
    ),
    Case(
        "a child who turns 2 next calendar year has no core hours yet",
        (kg("A", "2025-01-01"),),
        {"A": "2400.00"},
        income=400_000,
    ),
    Case(
        "in spring the age group follows the barnehageår that started last August",
        (kg("A", "2024-12-31"),),  # 10 March 2026 is in 2025/26: A turned 1 in 2025
        {"A": "2400.00"},
        income=400_000,
        on=dt.date(2026, 3, 10),
    ),
    Case(
        "a six year old has no core hours",
        (kg("A", "2020-09-01"),),
        {"A": "2400.00"},
        income=400_000,
    ),
    Case(
        "utsatt skolestart keeps the core hours",
        (kg("A", "2020-09-01", utsatt_skolestart=True),),
        {"A": "1424.39"},
        income=400_000,
    ),
    # --- start and stop in the month, payment-free month ---------------------------------------------------
    Case(
        "a start mid month pays for the days from the start",
        (kg("A", "2025-03-01", start_date=dt.date(2026, 11, 16)),),
        {"A": "1200.00"},  # 16.–30. = 15 of 30 days: 2 000 × 15/30 = 1 000; food 200
        rules={"A": [("base_price", "2000.00"), ("proration", "-1000.00"), ("food_money", "200.00")]},
    ),
    Case(
        "a stop mid month pays for the days until the stop",
        (kg("A", "2025-03-01", end_date=dt.date(2026, 11, 10)),),
        {"A": "800.00"},  # 10 of 30: 2 000 × 10/30 = 666,67; food 400 × 10/30 = 133,33
    ),
    Case(
        "with full month proration a start mid month pays the whole month",
        (kg("A", "2025-03-01", start_date=dt.date(2026, 11, 16)),),
        {"A": "2400.00"},
        municipal={"proration": Proration.FULL_MONTH},
    ),
    Case(
        "July is free of payment",
        (kg("A", "2025-03-01"), sfo("B", "2019-05-01", 2, "full")),
        {"A": "0.00", "B": "0.00"},
        on=dt.date(2026, 7, 10),
        # B's SFO place (3 300) makes B child 1; A is child 2. Everything is then taken off in July.
        rules={
            "A": [
                ("base_price", "2000.00"),
                ("sibling_discount", "-600.00"),
                ("food_money", "400.00"),
                ("payment_free_month", "-1800.00"),
            ]
        },
    ),
    # --- everything together -------------------------------------------------------------------------------------
    Case(
        "siblings, reduced fee, free core hours, part time and a mid month start combine",
        (
            kg("Eldst", "2021-06-01"),
            kg("Yngst", "2024-02-01", place_percentage=D(60), weekly_hours=D(25), start_date=dt.date(2026, 11, 16)),
        ),
        # Income 250 000: cap for child 1 = 250 000 × 6 % / 11 = 15 000 / 11 = 1 363,636 → 1 363,64.
        # Eldst (child 1, price 2 000 > 1 200): 2 000 → reduced 1 363,64 → core hours × 21/41 = 698,4498 → 698,45;
        #   food 400 → 1 098,45.
        # Yngst (child 2): 2 000 → sibling 30 % → 1 400 → reduced cap 1 363,64 × 70 % = 954,548 → 954,55
        #   → part time × 60 % = 572,73 → core hours × (1 − 20/25) = 114,546 → 114,55 → 15 of 30 days → 57,275
        #   → 57,28; food 400 × 60 % × 15/30 = 120 → 177,28.
        {"Eldst": "1098.45", "Yngst": "177.28"},
        income=250_000,
        rules={
            "Eldst": [
                ("base_price", "2000.00"),
                ("reduced_fee", "-636.36"),
                ("free_core_hours", "-665.19"),
                ("food_money", "400.00"),
            ],
            "Yngst": [
                ("base_price", "2000.00"),
                ("sibling_discount", "-600.00"),
                ("reduced_fee", "-445.45"),
                ("part_time", "-381.82"),
                ("free_core_hours", "-458.18"),
                ("proration", "-57.27"),
                ("food_money", "120.00"),
            ],
        },
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id.replace(" ", "_") for c in CASES])
def test_fee_engine_rule_table(case: Case) -> None:
    household = HouseholdInput(
        annual_income=None if case.income is None else Decimal(case.income), children=case.children
    )
    quote = quote_household(on=case.on, household=household, rates=rates(**case.municipal))
    prices = {child.key: f"{child.monthly_price:.2f}" for child in quote.children}
    assert prices == case.expected
    for key, expected_rules in case.rules.items():
        child = next(c for c in quote.children if c.key == key)
        assert [(s.rule, f"{s.change:.2f}") for s in child.trace] == expected_rules
    for child in quote.children:
        # The trace adds up: the sum of all changes is the price, and each step's amount is the running sum.
        assert sum(s.change for s in child.trace) == child.monthly_price
        assert child.trace[-1].amount == child.monthly_price
        assert child.parental_fee + child.food_money == child.monthly_price
    assert quote.total == sum(c.monthly_price for c in quote.children)


def test_quote_names_the_periods_and_verification_state() -> None:
    quote = quote_household(
        on=NOV, household=HouseholdInput(annual_income=None, children=(kg("A", "2023-01-01"),)), rates=rates()
    )
    assert quote.national_period == "test"
    assert quote.rates_verified is True
    demo = quote_household(
        on=NOV,
        household=HouseholdInput(annual_income=None, children=(kg("A", "2023-01-01"),)),
        rates=rates(is_demo=True),
    )
    assert demo.rates_verified is False  # demo municipal prices are never presented as real


def test_negative_income_is_a_field_error() -> None:
    with pytest.raises(ValidationError) as caught:
        quote_household(
            on=NOV,
            household=HouseholdInput(annual_income=Decimal(-1), children=(kg("A", "2023-01-01"),)),
            rates=rates(),
        )
    assert "annual_income" in caught.value.fields


def test_sfo_child_without_grade_and_place_type_gets_field_errors() -> None:
    child = ChildInput(key="A", birth_date=dt.date(2019, 1, 1), unit_type=UnitType.SFO)
    with pytest.raises(ValidationError) as caught:
        quote_household(on=NOV, household=HouseholdInput(annual_income=None, children=(child,)), rates=rates())
    assert set(caught.value.fields) == {"children.0.grade", "children.0.sfo_place_type"}


def test_unknown_sfo_place_type_is_a_missing_rate_that_names_it() -> None:
    with pytest.raises(MissingRate) as caught:
        quote_household(
            on=NOV,
            household=HouseholdInput(annual_income=None, children=(sfo("A", "2019-01-01", 2, "sommer"),)),
            rates=rates(),
        )
    assert "SFO-plasstype «sommer»" in caught.value.message
    assert caught.value.code == "missing_rate"


def test_end_before_start_and_duplicate_children_are_refused() -> None:
    bad = kg("A", "2023-01-01", start_date=dt.date(2026, 11, 10), end_date=dt.date(2026, 11, 1))
    with pytest.raises(ValidationError) as caught:
        quote_household(on=NOV, household=HouseholdInput(annual_income=None, children=(bad,)), rates=rates())
    assert "children.0.end_date" in caught.value.fields
    with pytest.raises(ValidationError) as caught:
        quote_household(
            on=NOV,
            household=HouseholdInput(annual_income=None, children=(kg("A", "2023-01-01"), kg("A", "2024-01-01"))),
            rates=rates(),
        )
    assert "children" in caught.value.fields
