"""Corrections for earlier months per period of days (hand-worked numbers).

Lillestrøm demo rates 2026/27: full-time kindergarten 2 000 kr, food 400 kr (in proportion to the place size);
proration by calendar days. November has 30 days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from invoicing import services
from invoicing.models import InvoiceLine, InvoiceRun, RunState
from kindergarten.models import KindergartenPlacementDetail
from kindergarten.placements import kindergarten_placement_change
from oas.people.models import Foreldreansvar, RelationKind, Service
from tests import factories as f

from .conftest import Ledger

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)
DEC = dt.date(2026, 12, 1)
JAN = dt.date(2027, 1, 1)


def _child(ledger: Ledger) -> Any:
    address = {"street_address": "Enevei 9", "postal_code": "2001", "address_id": "A-9"}
    parent: Any = f.PersonFactory(**address)
    child: Any = f.ChildFactory(birth_date=dt.date(2023, 3, 1), **address)
    f.RelationFactory(adult=parent, child=child, kind=RelationKind.GUARDIAN, foreldreansvar=Foreldreansvar.MOR)
    first: Any = f.PlacementFactory(
        child=child, unit=ledger.units["K1"], service=Service.KINDERGARTEN, start_date=dt.date(2025, 8, 1)
    )
    KindergartenPlacementDetail.objects.create(placement=first, size_kind="percent", size_value=100)
    return child


def _corrections(child: Any) -> list[tuple[dt.date, dt.date, int, dt.date | None, dt.date | None, Decimal, str]]:
    return [
        (li.month, li.period_month, li.segment, li.period_start, li.period_end, li.amount, li.description)
        for li in InvoiceLine.objects.filter(child=child, line_type="correction").order_by("month", "segment")
    ]


def test_a_place_reduced_back_in_time_from_the_16th_is_corrected_for_the_16th_onwards(ledger: Ledger) -> None:
    child = _child(ledger)
    services.invoice_run_commit(municipality_number="3030", month=NOV)  # billed: 2 000 fee + 400 food
    billed = InvoiceLine.objects.filter(child=child, month=NOV).order_by("line_type")
    assert [(li.period_start, li.period_end, li.place) for li in billed] == [
        (dt.date(2026, 11, 1), dt.date(2026, 11, 30), "100 %")
    ] * 2
    # Registered in December: the place was 60 % from 16 November.
    kindergarten_placement_change(
        child=child, unit=ledger.units["K1"], department=None, start_date=dt.date(2026, 11, 16), size_value=60
    )
    services.invoice_run_commit(municipality_number="3030", month=DEC)
    # 1–15 Nov, 100 %: now 2 000 × 15/30 = 1 000.00 + food 400 × 15/30 = 200.00; billed for those days the same
    #   → no line.
    # 16–30 Nov, 60 %: now 1 200 × 15/30 = 600.00 + food 240 × 15/30 = 120.00 = 720.00;
    #   billed for those days 2 400 × 15/30 = 1 200.00 → −480.00.
    assert _corrections(child) == [
        (
            DEC,
            NOV,
            2,
            dt.date(2026, 11, 16),
            dt.date(2026, 11, 30),
            Decimal("-480.00"),
            "Korreksjon barnehage 16.11–30.11.2026: plassen er endret fra 100 % til 60 %. "
            "Fakturert 1 200,00 kr, riktig 720,00 kr.",
        )
    ]


def test_a_second_change_of_the_same_days_is_corrected_against_the_first_correction(ledger: Ledger) -> None:
    child = _child(ledger)
    services.invoice_run_commit(municipality_number="3030", month=NOV)
    kindergarten_placement_change(
        child=child, unit=ledger.units["K1"], department=None, start_date=dt.date(2026, 11, 16), size_value=60
    )
    services.invoice_run_commit(municipality_number="3030", month=DEC)
    detail = KindergartenPlacementDetail.objects.get(
        placement__child=child, placement__start_date=dt.date(2026, 11, 16)
    )
    detail.size_value = 80
    detail.save(update_fields=["size_value"])
    services.invoice_run_commit(municipality_number="3030", month=JAN)
    # 16–30 Nov at 80 %: 1 600 × 15/30 = 800.00 + food 320 × 15/30 = 160.00 = 960.00;
    #   billed so far 1 200.00 − 480.00 = 720.00 → +240.00.
    jan = [c for c in _corrections(child) if c[0] == JAN and c[1] == NOV]
    assert [(c[2], c[3], c[4], c[5]) for c in jan] == [
        (2, dt.date(2026, 11, 16), dt.date(2026, 11, 30), Decimal("240.00"))
    ]
    assert "fra 60 % til 80 %" in jan[0][6]
    assert "Fakturert 720,00 kr, riktig 960,00 kr." in jan[0][6]


def test_a_place_ended_back_in_time_is_corrected_for_the_days_without_a_place(ledger: Ledger) -> None:
    child = _child(ledger)
    services.invoice_run_commit(municipality_number="3030", month=NOV)
    child.placements.update(end_date=dt.date(2026, 11, 20))
    services.invoice_run_commit(municipality_number="3030", month=DEC)
    # 1–20 Nov unchanged (2 400 × 20/30 = 1 600.00 both ways); 21–30 Nov: billed 800.00, now nothing → −800.00.
    corrections = [c for c in _corrections(child) if c[1] == NOV]
    assert [(c[2], c[3], c[4], c[5]) for c in corrections] == [
        (2, dt.date(2026, 11, 21), dt.date(2026, 11, 30), Decimal("-800.00"))
    ]
    assert "barnet hadde ikke plass i perioden" in corrections[0][6]


def test_per_period_corrections_are_written_once_on_rerun_and_on_resume(ledger: Ledger) -> None:
    child = _child(ledger)
    services.invoice_run_commit(municipality_number="3030", month=NOV)
    kindergarten_placement_change(
        child=child, unit=ledger.units["K1"], department=None, start_date=dt.date(2026, 11, 16), size_value=60
    )
    run = services.invoice_run_commit(municipality_number="3030", month=DEC)
    count = InvoiceLine.objects.filter(run=run).count()
    assert services.invoice_run_commit(municipality_number="3030", month=DEC).line_count == run.line_count == count
    assert InvoiceLine.objects.filter(run=run).count() == count
    # A worker killed before the correction was written: the run is resumed and writes it once.
    InvoiceLine.objects.filter(run=run, child=child, line_type="correction").delete()
    InvoiceRun.objects.filter(pk=run.pk).update(state=RunState.RUNNING)
    resumed = services.invoice_run_commit(municipality_number="3030", month=DEC)
    assert InvoiceLine.objects.filter(run=run).count() == count == resumed.line_count
    assert InvoiceLine.objects.get(run=run, child=child, line_type="correction").amount == Decimal("-480.00")


def test_an_unchanged_month_gives_no_correction(ledger: Ledger) -> None:
    child = _child(ledger)
    services.invoice_run_commit(municipality_number="3030", month=NOV)
    services.invoice_run_commit(municipality_number="3030", month=DEC)
    assert _corrections(child) == []


def test_a_month_billed_before_lines_carried_their_days_is_corrected_as_one_line(ledger: Ledger) -> None:
    child = _child(ledger)
    services.invoice_run_commit(municipality_number="3030", month=NOV)
    InvoiceLine.objects.filter(month=NOV).update(period_start=None, period_end=None, place="")
    kindergarten_placement_change(
        child=child, unit=ledger.units["K1"], department=None, start_date=dt.date(2026, 11, 16), size_value=60
    )
    services.invoice_run_commit(municipality_number="3030", month=DEC)
    # November now 1 200.00 + 720.00 = 1 920.00; billed 2 400.00 → −480.00 for the month.
    [(month, period, segment, start, end, amount, text)] = _corrections(child)
    assert (month, period, segment, start, end, amount) == (DEC, NOV, 0, None, None, Decimal("-480.00"))
    assert (
        text
        == "Korreksjon barnehage 11.2026: prisen for måneden er beregnet på nytt. Fakturert 2 400,00 kr, riktig 1 920,00 kr."
    )
