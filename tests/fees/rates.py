"""Rates for engine tests: plain dataclasses, no database. Figures match barnehageåret 2024/25."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from fees.engine import (
    ChildInput,
    FirstChildRule,
    MunicipalRates,
    NationalRates,
    PriceZone,
    Proration,
    RateSet,
    SfoPlaceKind,
    SfoPlaceRate,
    SiblingScope,
    UnitType,
)

D = Decimal

NATIONAL = NationalRates(
    label="test",
    valid_from=dt.date(2020, 8, 1),
    valid_to=None,
    max_price=D("2000.00"),
    max_price_low_centrality=D("1500.00"),
    max_price_tiltakssone=D("0.00"),
    payments_per_year=11,
    full_time_hours=D(41),
    sibling_min_discount_child2=D(30),
    sibling_min_discount_child3_plus=D(100),
    reduced_fee_income_share=D(6),
    reduced_fee_income_limit=D("366667.00"),
    reduced_fee_sibling_share_child2=D(70),
    reduced_fee_sibling_share_child3_plus=D(0),
    core_hours_per_week=D(20),
    core_hours_income_limit=D("642700.00"),
    core_hours_min_age=2,
    core_hours_max_age=5,
    sfo_free_hours_per_week=D(12),
    sfo_free_hours_max_grade=3,
)

MUNICIPAL = MunicipalRates(
    municipality_number="3030",
    municipality_name="Testkommune",
    label="test",
    valid_from=dt.date(2020, 8, 1),
    valid_to=None,
    price_zone=PriceZone.ORDINARY,
    kindergarten_full_time_price=D("2000.00"),
    kindergarten_food_money=D("400.00"),
    kindergarten_sibling_discount_child2=D(30),
    kindergarten_sibling_discount_child3_plus=D(100),
    kindergarten_payment_free_month=7,
    sfo_food_money=D("300.00"),
    sfo_sibling_discount_child2=D(30),
    sfo_sibling_discount_child3_plus=D(50),
    sfo_income_share=None,
    sfo_income_cap_max_grade=None,
    sfo_payments_per_year=11,
    sfo_payment_free_month=7,
    first_child_rule=FirstChildRule.HIGHEST_PRICE,
    proration=Proration.CALENDAR_DAYS,
    sibling_scope=SiblingScope.COMBINED,
    sfo_place_types=(
        SfoPlaceRate("full", "Heltid", SfoPlaceKind.FULL, D(25), D("3300.00")),
        SfoPlaceRate("part", "Deltid", SfoPlaceKind.PART, D(15), D("2300.00")),
        SfoPlaceRate("hours", "Timeplass", SfoPlaceKind.HOURLY, None, D("150.00")),
    ),
)


def rates(**municipal_changes: Any) -> RateSet:
    return RateSet(national=NATIONAL, municipal=dataclasses.replace(MUNICIPAL, **municipal_changes))


def kg(key: str, born: str, **kwargs: Any) -> ChildInput:
    return ChildInput(key=key, birth_date=dt.date.fromisoformat(born), unit_type=UnitType.KINDERGARTEN, **kwargs)


def sfo(key: str, born: str, grade: int, place: str, **kwargs: Any) -> ChildInput:
    return ChildInput(
        key=key,
        birth_date=dt.date.fromisoformat(born),
        unit_type=UnitType.SFO,
        grade=grade,
        sfo_place_type=place,
        **kwargs,
    )
