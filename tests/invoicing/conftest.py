"""A household with two children (kindergarten and SFO), guardians, and the fee rates loaded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.management import call_command

from fees.models import MunicipalFeeRates, NationalFeeRates
from kindergarten.models import KindergartenPlacementDetail
from oas.access.services import role_mapping_seed
from oas.organisation.models import OrgUnitKind
from oas.people.models import Foreldreansvar, RelationKind, Service
from sfo.models import SfoPlacementDetail
from tests import factories as f


@dataclass
class Ledger:
    units: dict[str, Any] = field(default_factory=dict)
    people: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    placements: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def ledger(db: None, frozen_today: dt.date) -> Ledger:
    role_mapping_seed()
    call_command("seed_fee_rates", verbosity=0)
    # As if the finance office had checked the seeded rates: a run on unconfirmed rates needs an explicit
    # confirmation (tests/invoicing/test_rate_confirmation.py covers that).
    NationalFeeRates.objects.update(verified=True)
    MunicipalFeeRates.objects.update(is_demo=False)
    led = Ledger()
    office = f.sector_office()
    led.units["K1"] = f.kindergarten(parent=office, name="Solsikken")
    led.units["S1"] = f.school(parent=office, name="Demo skole")
    led.units["1A"] = f.child_unit(parent=led.units["S1"], kind=OrgUnitKind.CLASS, name="2A", grade=2)
    led.units["SFO1"] = f.child_unit(parent=led.units["S1"], kind=OrgUnitKind.SFO, name="Demo SFO")
    address = {"street_address": "Storgata 1", "postal_code": "2000", "address_id": "A-1"}
    mum: Any = f.PersonFactory(**address)
    dad: Any = f.PersonFactory(street_address="Annen vei 2", address_id="A-2")
    small: Any = f.ChildFactory(birth_date=dt.date(2023, 3, 1), **address)
    pupil: Any = f.ChildFactory(birth_date=dt.date(2018, 5, 1), **address)
    led.people.update(mum=mum, dad=dad, small=small, pupil=pupil)
    for child in (small, pupil):
        f.RelationFactory(adult=mum, child=child, kind=RelationKind.GUARDIAN, foreldreansvar=Foreldreansvar.FELLES)
        f.RelationFactory(
            adult=dad,
            child=child,
            kind=RelationKind.GUARDIAN,
            foreldreansvar=Foreldreansvar.FELLES,
            lives_with_child=False,
        )
    start = dt.date(2025, 8, 1)
    kg: Any = f.PlacementFactory(child=small, unit=led.units["K1"], service=Service.KINDERGARTEN, start_date=start)
    KindergartenPlacementDetail.objects.create(placement=kg, size_kind="percent", size_value=100)
    f.PlacementFactory(
        child=pupil, unit=led.units["S1"], group=led.units["1A"], service=Service.SCHOOL, start_date=start
    )
    sfo: Any = f.PlacementFactory(child=pupil, unit=led.units["SFO1"], service=Service.SFO, start_date=start)
    SfoPlacementDetail.objects.create(placement=sfo, place_type="full")
    led.placements.update(kg=kg, sfo=sfo)
    finance: Any = f.EmployeeFactory()
    f.EmploymentFactory(employee=finance, unit=office, position_code="FAKTURA")
    led.users["finance"] = f.staff_account(finance).user
    leader: Any = f.EmployeeFactory()
    f.EmploymentFactory(employee=leader, unit=led.units["K1"], position_code="STYRER")
    led.users["leader"] = f.staff_account(leader).user
    led.users["mum"] = f.guardian_account(mum).user
    outsider: Any = f.PersonFactory()
    led.users["outsider"] = f.guardian_account(outsider).user
    return led
