"""Issue 13 point 6: households come from the register's family relations and the dwelling unit (flat),
not from the building's address id: unrelated families in one building are not siblings and do not share the
lowest income."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

import pytest

from invoicing import services
from invoicing.models import ApplicationStatus, FeeApplication
from kindergarten.models import KindergartenPlacementDetail
from oas.people.models import Foreldreansvar, Person, RelationKind, Service
from tests import factories as f
from tests.samples import pdf_bytes

from .conftest import Ledger

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)


def _family(ledger: Ledger, *, address_id: str, unit_number: str, birth: dt.date) -> tuple[Person, Person]:
    """Another family: one mother living with one kindergarten child at the given dwelling."""
    where = {
        "street_address": "Storgata 1",
        "postal_code": "2000",
        "address_id": address_id,
        "unit_number": unit_number,
    }
    mother: Any = f.PersonFactory(**where)
    child: Any = f.ChildFactory(birth_date=birth, **where)
    f.RelationFactory(adult=mother, child=child, kind=RelationKind.GUARDIAN, foreldreansvar=Foreldreansvar.MOR)
    placement: Any = f.PlacementFactory(
        child=child, unit=ledger.units["K1"], service=Service.KINDERGARTEN, start_date=dt.date(2025, 8, 1)
    )
    KindergartenPlacementDetail.objects.create(placement=placement, size_kind="percent", size_value=100)
    return mother, child


def _fees(ledger: Ledger) -> dict[int, Decimal]:
    preview = services.invoice_run_preview(municipality_number="3030", month=NOV)
    out: dict[int, Decimal] = {}
    for line in preview.basis.lines:
        if line.line_type == "fee":
            out[line.child_id] = out.get(line.child_id, Decimal(0)) + line.amount
    return out


def _approve_income(applicant: Person, child: Person, income: int) -> None:
    application = FeeApplication.objects.create(
        applicant=applicant,
        kind="both",
        annual_income=Decimal(income),
        valid_from=NOV,
        valid_to=dt.date(2027, 7, 31),
        submitted_at=dt.datetime(2026, 11, 2, tzinfo=dt.UTC),
        attachment_name="skatt.pdf",
        attachment_type="application/pdf",
        attachment_sha256="0" * 64,
        attachment=pdf_bytes(),
        status=ApplicationStatus.APPROVED,
    )
    application.children.set([child])


@pytest.fixture
def building(ledger: Ledger) -> Ledger:
    """The ledger family lives in flat H0101 of Storgata 1 (address id A-1)."""
    Person.objects.filter(pk__in=[ledger.people[k].pk for k in ("mum", "small", "pupil")]).update(unit_number="H0101")
    return ledger


def test_a_family_in_another_flat_of_the_building_is_not_a_sibling(building: Ledger) -> None:
    alone = _fees(building)[building.people["small"].pk]
    _mother, neighbour = _family(building, address_id="A-1", unit_number="H0201", birth=dt.date(2021, 5, 1))
    fees = _fees(building)
    assert fees[building.people["small"].pk] == alone  # the neighbour's child does not make «small» a sibling
    assert fees[neighbour.pk] == Decimal("2000.00")  # full price: no sibling discount either


def test_an_unrelated_family_in_the_same_flat_is_not_a_sibling(building: Ledger) -> None:
    alone = _fees(building)[building.people["small"].pk]
    _mother, lodger = _family(building, address_id="A-1", unit_number="H0101", birth=dt.date(2021, 5, 1))
    fees = _fees(building)
    assert fees[building.people["small"].pk] == alone
    assert fees[lodger.pk] == Decimal("2000.00")


def test_a_neighbours_low_income_is_not_shared(building: Ledger) -> None:
    before = _fees(building)
    mother, neighbour = _family(building, address_id="A-1", unit_number="H0201", birth=dt.date(2021, 5, 1))
    _approve_income(mother, neighbour, 150_000)
    fees = _fees(building)
    assert fees[neighbour.pk] < Decimal("2000.00")  # her own decision counts for her child
    assert fees[building.people["small"].pk] == before[building.people["small"].pk]
    assert fees[building.people["pupil"].pk] == before[building.people["pupil"].pk]


def test_siblings_living_with_their_mother_in_one_flat_get_the_discount(building: Ledger) -> None:
    _family(building, address_id="A-1", unit_number="H0101", birth=dt.date(2021, 5, 1))  # a lodger's child
    preview = services.invoice_run_preview(municipality_number="3030", month=NOV)
    ours = {building.people["small"].pk, building.people["pupil"].pk}
    discounted = {
        line.child_id
        for line in preview.basis.lines
        if any(t["rule"] == "sibling_discount" and Decimal(t["change"]) != 0 for t in line.trace)
    }
    assert len(discounted & ours) == 1  # «small» and «pupil» live with «mum»: one of them is child 2
    assert discounted <= ours  # the lodger's child is nobody's sibling


def test_households_group_needs_a_common_resident_adult_and_the_same_dwelling(db: None) -> None:
    from fees.public import households_group

    def child(**kw: Any) -> Person:
        made: Any = f.ChildFactory(street_address="Storgata 1", postal_code="2000", address_id="A-1", **kw)
        return cast(Person, made)

    a, b = child(unit_number="H0101"), child(unit_number="H0101")
    c = child(unit_number="H0201")  # same adult registered, but another flat (stale relation): not grouped
    d = child(unit_number="H0101")  # same flat, no common adult
    protected = cast(
        Person, f.ChildFactory(street_address="", postal_code="", address_id="", grunnkrets=None, skolekrets=None)
    )
    groups = households_group(
        children=[a, b, c, d, protected], resident_adults={a.pk: {1}, b.pk: {1}, c.pk: {1}, d.pk: {2}}
    )
    assert groups == [[a, b], [c], [d], [protected]]
    linked = households_group(
        children=[a, b, c, d, protected],
        resident_adults={a.pk: {1}, b.pk: {1}},
        manual_links=[(a.pk, protected.pk)],
    )
    assert linked[0] == [a, b, protected]
