"""The interface other apps use for fees (plain dataclasses; never models).

The monthly invoicing run calls ``fee_quote_for_children`` once per household and month, with ``on`` the
first day of the month it invoices, the household's decided income (``None`` without an approved
reduced-fee or free-hours decision) and one ``ChildInput`` per child with a placement that month
(``key`` = the child's person id as text; start/end dates from the placements for proration). It loads
the rates in force that day (raising ``MissingRate`` naming the missing rate; the run must stop, never
guess) and returns each child's price with the trace to store on the invoice line.

For many households in one run, load the rates once with ``fee_rates_on`` and call ``quote_household``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from .engine import (
    ChildInput,
    ChildQuote,
    HouseholdInput,
    HouseholdQuote,
    MissingRate,
    Proration,
    RateSet,
    TraceStep,
    UnitType,
    quote_household,
)
from .selectors import fee_rates_on, household_address_key, households_group
from .services import fee_rates_lock, fee_rates_unconfirmed

__all__ = [
    "ChildInput",
    "ChildQuote",
    "HouseholdInput",
    "HouseholdQuote",
    "MissingRate",
    "Proration",
    "RateSet",
    "TraceStep",
    "UnitType",
    "fee_quote_for_children",
    "fee_rates_lock",
    "fee_rates_on",
    "fee_rates_unconfirmed",
    "household_address_key",
    "households_group",
    "quote_household",
]


def fee_quote_for_children(
    *,
    municipality_number: str,
    on: dt.date,
    annual_income: Decimal | None,
    children: Sequence[ChildInput],
    rates: RateSet | None = None,
) -> HouseholdQuote:
    """Return the month's price for each child of one household, with the trace of every rule."""
    rate_set = rates or fee_rates_on(municipality_number=municipality_number, on=on)
    return quote_household(
        on=on,
        household=HouseholdInput(annual_income=annual_income, children=tuple(children)),
        rates=rate_set,
    )
