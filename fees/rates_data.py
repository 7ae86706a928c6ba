"""National rates and Lillestrøm demo rates that ``manage.py seed_fee_rates`` loads (data, not rules).

Sources (see also fees/README.md):

- Maksimalpris 2 000 kr/month from 1 Aug 2024 (1 500 kr in sentralitet 5–6 municipalities, free in
  tiltakssonen): regjeringen.no via amanda.barnehage.no/Innhold/Nyhet/144486 ("Fra i dag, 1. august,
  reduseres maksprisen … til maksimalt 2 000 kroner … 1 500 kroner"); Lindesnes kommune lists 2 000 kr
  for 2025 (lindesnes.kommune.no, "Pris og redusert betaling").
- Income limit for reduced payment 366 667 kr and gratis kjernetid income limit 642 700 kr for
  barnehageåret 2024/25: stord.kommune.no "Endring i foreldrebetaling for barnehageåret 2024-2025";
  366 667 = 2 000 × 11 / 0.06 confirms the 6 % rule.
- Full-time place = agreed weekly time of 41 hours or more: forskrift om foreldrebetaling i barnehager § 1.
- 12 free SFO hours a week for grades 1–3 from 1 Aug 2024 (forskrift til opplæringslova):
  bamble.kommune.no "3. trinn får 12 timers gratis SFO"; gran.kommune.no.

Not confirmed in the sources available when this was written (2026-11-22): the national figures for
barnehageåret 2025/26 and 2026/27 (Prop. 1 S 2025 and 2026) and whether grade 4 got free SFO hours from
August 2025. Those periods are loaded with the 2024/25 figures carried forward and ``verified=False``,
so the calculator and the API say that the rates are not confirmed. Correct them in the admin (and set
"bekreftet mot kilde") once checked against Stortingets budsjettvedtak or udir.no.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .engine import (
    FirstChildRule,
    MunicipalRates,
    NationalRates,
    PriceZone,
    Proration,
    SfoPlaceKind,
    SfoPlaceRate,
    SiblingScope,
)

VERIFIED_2024_25_SOURCES = (
    "Maksimalpris 2 000 kr fra 1.8.2024 (1 500 kr sentralitet 5–6, gratis i tiltakssonen): regjeringen.no, "
    "gjengitt i amanda.barnehage.no/Innhold/Nyhet/144486. Inntektsgrense redusert foreldrebetaling 366 667 kr "
    "og gratis kjernetid 642 700 kr (2024/25): stord.kommune.no «Endring i foreldrebetaling for barnehageåret "
    "2024-2025». Heltid = 41 timer eller mer: forskrift om foreldrebetaling i barnehager § 1. 12 timer gratis SFO "
    "for 1.–3. trinn fra 1.8.2024: bamble.kommune.no, gran.kommune.no (forskrift til opplæringslova)."
)
UNVERIFIED_SOURCES = (
    "IKKE BEKREFTET: satsene for {label} er videreført fra 2024/25 fordi tallene fra statsbudsjettet "
    "(Prop. 1 S) ikke var tilgjengelige da dataene ble lagt inn. Kontroller maksimalpris, inntektsgrenser og "
    "om 4. trinn har gratis SFO-timer mot Stortingets vedtak / udir.no, rett her og marker som bekreftet."
)


def _national(label: str, start: int, *, verified: bool) -> NationalRates:
    return NationalRates(
        label=label,
        valid_from=dt.date(start, 8, 1),
        valid_to=dt.date(start + 1, 7, 31),
        max_price=Decimal("2000.00"),
        max_price_low_centrality=Decimal("1500.00"),
        max_price_tiltakssone=Decimal("0.00"),
        payments_per_year=11,
        full_time_hours=Decimal(41),
        sibling_min_discount_child2=Decimal(30),
        sibling_min_discount_child3_plus=Decimal(100),
        reduced_fee_income_share=Decimal(6),
        reduced_fee_income_limit=Decimal("366667.00"),
        reduced_fee_sibling_share_child2=Decimal(70),
        reduced_fee_sibling_share_child3_plus=Decimal(0),
        core_hours_per_week=Decimal(20),
        core_hours_income_limit=Decimal("642700.00"),
        core_hours_min_age=2,
        core_hours_max_age=5,
        sfo_free_hours_per_week=Decimal(12),
        sfo_free_hours_max_grade=3,
        verified=verified,
        sources=VERIFIED_2024_25_SOURCES if verified else UNVERIFIED_SOURCES.format(label=label),
    )


NATIONAL_RATES: tuple[NationalRates, ...] = (
    _national("2024/25", 2024, verified=True),
    _national("2025/26", 2025, verified=False),
    _national("2026/27", 2026, verified=False),
)

LILLESTROM_NUMBER = "3030"
LILLESTROM_NAME = "Lillestrøm"
DEMO_SOURCES = (
    "DEMOVERDIER – ikke Lillestrøm kommunes vedtatte satser. Barnehagepris = nasjonal maksimalpris; "
    "kostpenger og SFO-priser er oppdiktede eksempler for demo og test."
)


def _lillestrom(label: str, start: int) -> MunicipalRates:
    return MunicipalRates(
        municipality_number=LILLESTROM_NUMBER,
        municipality_name=LILLESTROM_NAME,
        label=label,
        valid_from=dt.date(start, 8, 1),
        valid_to=dt.date(start + 1, 7, 31),
        price_zone=PriceZone.ORDINARY,
        kindergarten_full_time_price=Decimal("2000.00"),
        kindergarten_food_money=Decimal("400.00"),
        kindergarten_sibling_discount_child2=Decimal(30),
        kindergarten_sibling_discount_child3_plus=Decimal(100),
        kindergarten_payment_free_month=7,
        sfo_food_money=Decimal("300.00"),
        sfo_sibling_discount_child2=Decimal(30),
        sfo_sibling_discount_child3_plus=Decimal(50),
        sfo_income_share=Decimal(6),
        sfo_income_cap_max_grade=4,
        sfo_payments_per_year=11,
        sfo_payment_free_month=7,
        first_child_rule=FirstChildRule.HIGHEST_PRICE,
        proration=Proration.CALENDAR_DAYS,
        sibling_scope=SiblingScope.COMBINED,
        sfo_place_types=(
            SfoPlaceRate("full", "Heltidsplass (5 dager)", SfoPlaceKind.FULL, Decimal(25), Decimal("3300.00")),
            SfoPlaceRate("part", "Deltidsplass (3 dager)", SfoPlaceKind.PART, Decimal(15), Decimal("2300.00")),
            SfoPlaceRate("hours", "Timeplass (per ukentlig time)", SfoPlaceKind.HOURLY, None, Decimal("150.00")),
        ),
        is_demo=True,
        sources=DEMO_SOURCES,
    )


LILLESTROM_DEMO_RATES: tuple[MunicipalRates, ...] = (
    _lillestrom("2024/25", 2024),
    _lillestrom("2025/26", 2025),
    _lillestrom("2026/27", 2026),
)
