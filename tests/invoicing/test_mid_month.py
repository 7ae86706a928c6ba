"""Changes within a month: each segment is priced by its own size and prorated by days (hand-worked numbers).

Lillestrøm demo rates 2026/27: full-time kindergarten 2 000 kr, food 400 kr (in proportion to the place size);
SFO full place 3 300 kr, part place 2 300 kr, food 300 kr; proration by calendar days. November has 30 days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from invoicing import services
from invoicing.calculation import month_basis
from invoicing.models import InvoiceLine, InvoiceRun, RunState
from kindergarten.models import KindergartenPlacementDetail
from kindergarten.placements import kindergarten_placement_change
from oas.organisation.models import OrgUnitKind
from oas.people.models import Foreldreansvar, RelationKind, Service
from sfo.models import SfoPlacementDetail
from sfo.placements import sfo_placement_change
from tests import factories as f

from .conftest import Ledger

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)


def _alone(ledger: Ledger, birth: dt.date) -> tuple[Any, Any]:
    """A child with one guardian at an address of their own (no siblings, no income decision)."""
    address = {"street_address": "Enevei 9", "postal_code": "2001", "address_id": "A-9"}
    parent: Any = f.PersonFactory(**address)
    child: Any = f.ChildFactory(birth_date=birth, **address)
    f.RelationFactory(adult=parent, child=child, kind=RelationKind.GUARDIAN, foreldreansvar=Foreldreansvar.MOR)
    return parent, child


def _kindergarten_child(ledger: Ledger) -> tuple[Any, Any]:
    parent, child = _alone(ledger, dt.date(2023, 3, 1))
    first: Any = f.PlacementFactory(
        child=child, unit=ledger.units["K1"], service=Service.KINDERGARTEN, start_date=dt.date(2025, 8, 1)
    )
    KindergartenPlacementDetail.objects.create(placement=first, size_kind="percent", size_value=100)
    return parent, child


def _lines(child: Any) -> dict[tuple[int, str], Decimal]:
    basis = month_basis(municipality_number="3030", month=NOV)
    return {(li.segment, li.line_type): li.amount for li in basis.lines if li.child_id == child.pk}


def test_a_smaller_place_from_the_11th_prices_each_part_of_the_month_by_its_own_size(ledger: Ledger) -> None:
    _parent, child = _kindergarten_child(ledger)
    kindergarten_placement_change(
        child=child, unit=ledger.units["K1"], department=None, start_date=dt.date(2026, 11, 11), size_value=60
    )
    # 1–10 Nov, 100 %: 2 000 × 10/30 = 666.67; food 400 × 10/30 = 133.33
    # 11–30 Nov, 60 %: 2 000 × 0.6 = 1 200 × 20/30 = 800.00; food 400 × 0.6 = 240 × 20/30 = 160.00
    assert _lines(child) == {
        (1, "fee"): Decimal("666.67"),
        (1, "food"): Decimal("133.33"),
        (2, "fee"): Decimal("800.00"),
        (2, "food"): Decimal("160.00"),
    }


def test_a_department_change_alone_keeps_one_full_month_line(ledger: Ledger) -> None:
    _parent, child = _kindergarten_child(ledger)
    department = f.child_unit(parent=ledger.units["K1"], kind=OrgUnitKind.DEPARTMENT, name="Blåbær")
    kindergarten_placement_change(
        child=child, unit=ledger.units["K1"], department=department, start_date=dt.date(2026, 11, 11)
    )
    assert _lines(child) == {(0, "fee"): Decimal("2000.00"), (0, "food"): Decimal("400.00")}


def test_a_gap_between_two_places_is_not_invoiced(ledger: Ledger) -> None:
    _parent, child = _kindergarten_child(ledger)
    placement = child.placements.get()
    placement.end_date = dt.date(2026, 11, 5)
    placement.save(update_fields=["end_date"])
    kindergarten_placement_change(
        child=child, unit=ledger.units["K1"], department=None, start_date=dt.date(2026, 11, 21)
    )
    # 1–5 Nov: 2 000 × 5/30 = 333.33, food 66.67; 21–30 Nov: 2 000 × 10/30 = 666.67, food 133.33
    assert _lines(child) == {
        (1, "fee"): Decimal("333.33"),
        (1, "food"): Decimal("66.67"),
        (2, "fee"): Decimal("666.67"),
        (2, "food"): Decimal("133.33"),
    }


def test_an_sfo_place_changed_to_part_time_on_the_16th_is_priced_half_and_half(ledger: Ledger) -> None:
    _parent, child = _alone(ledger, dt.date(2015, 5, 1))
    fifth = f.child_unit(parent=ledger.units["S1"], kind=OrgUnitKind.CLASS, name="5A", grade=5)
    f.PlacementFactory(
        child=child, unit=ledger.units["S1"], group=fifth, service=Service.SCHOOL, start_date=dt.date(2025, 8, 1)
    )
    first: Any = f.PlacementFactory(
        child=child, unit=ledger.units["SFO1"], service=Service.SFO, start_date=dt.date(2025, 8, 1)
    )
    SfoPlacementDetail.objects.create(placement=first, place_type="full")
    sfo_placement_change(child=child, unit=ledger.units["SFO1"], start_date=dt.date(2026, 11, 16), place_type="part")
    # 1–15 Nov full: 3 300 × 15/30 = 1 650.00; 16–30 Nov part: 2 300 × 15/30 = 1 150.00; food 300 × 15/30 each
    assert _lines(child) == {
        (1, "fee"): Decimal("1650.00"),
        (1, "food"): Decimal("150.00"),
        (2, "fee"): Decimal("1150.00"),
        (2, "food"): Decimal("150.00"),
    }


def test_segment_lines_are_written_once_on_rerun_and_on_resume(ledger: Ledger) -> None:
    _parent, child = _kindergarten_child(ledger)
    kindergarten_placement_change(
        child=child, unit=ledger.units["K1"], department=None, start_date=dt.date(2026, 11, 11), size_value=60
    )
    run = services.invoice_run_commit(municipality_number="3030", month=NOV)
    segment_lines = InvoiceLine.objects.filter(run=run, child=child)
    assert sorted(segment_lines.values_list("segment", "line_type")) == [
        (1, "fee"),
        (1, "food"),
        (2, "fee"),
        (2, "food"),
    ]
    count = InvoiceLine.objects.count()
    assert services.invoice_run_commit(municipality_number="3030", month=NOV).line_count == count  # no-op
    assert InvoiceLine.objects.count() == count
    # A worker killed half-way: the second segment was never written and the run is still running.
    InvoiceLine.objects.filter(run=run, child=child, segment=2).delete()
    InvoiceRun.objects.filter(pk=run.pk).update(state=RunState.RUNNING)
    resumed = services.invoice_run_commit(municipality_number="3030", month=NOV)
    assert InvoiceLine.objects.count() == count == resumed.line_count
    assert InvoiceLine.objects.get(run=run, child=child, segment=2, line_type="fee").amount == Decimal("800.00")


def test_a_change_back_in_time_within_an_invoiced_month_gives_one_correction_for_the_difference(
    ledger: Ledger,
) -> None:
    _parent, child = _kindergarten_child(ledger)
    services.invoice_run_commit(municipality_number="3030", month=NOV)  # 2 000 + 400 food for the whole month
    kindergarten_placement_change(
        child=child, unit=ledger.units["K1"], department=None, start_date=dt.date(2026, 11, 11), size_value=60
    )
    services.invoice_run_commit(municipality_number="3030", month=dt.date(2026, 12, 1))
    # November should have been 666.67 + 133.33 + 800.00 + 160.00 = 1 760.00; billed 2 400.00 → −640.00
    correction = InvoiceLine.objects.get(child=child, line_type="correction")
    assert (correction.period_month, correction.amount) == (NOV, Decimal("-640.00"))
