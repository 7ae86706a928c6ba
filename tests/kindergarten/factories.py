"""Factories for kindergarten admission tests (on top of the kernel factories in tests/factories.py)."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import cast

from kindergarten import services
from kindergarten.models import AdmissionRound, RoundState
from oas.organisation.models import OrgUnit
from oas.people.models import Person
from tests.factories import ChildFactory, PersonFactory, RelationFactory, kindergarten, sector_office
from tests.samples import pdf_bytes

_rounds = itertools.count(1)
PDF = pdf_bytes()  # a real one-page PDF: the upload check parses the content


@dataclass
class Family:
    child: Person
    guardian: Person
    other_guardian: Person


def family(*, birth_date: dt.date, address_id: str = "", postal_code: str = "2000", **child_fields: object) -> Family:
    """A child with two guardians with joint parental responsibility, living at the same address."""
    child = cast(
        Person, ChildFactory(birth_date=birth_date, address_id=address_id, postal_code=postal_code, **child_fields)
    )
    guardian = cast(Person, PersonFactory(address_id=address_id, postal_code=postal_code))
    other = cast(Person, PersonFactory(address_id=address_id, postal_code=postal_code))
    for adult in (guardian, other):
        RelationFactory(adult=adult, child=child, valid_from=birth_date)
    return Family(child=child, guardian=guardian, other_guardian=other)


def admission_round(
    *,
    units: int = 3,
    capacity: int = 1,
    private: tuple[int, ...] = (),
    start: dt.date = dt.date(2027, 8, 1),
    deadline: dt.date = dt.date(2027, 3, 1),
    seed: str = "seed-1",
    state: str = RoundState.OPEN,
) -> tuple[AdmissionRound, list[OrgUnit]]:
    """An open main admission with ``units`` kindergartens (1 km apart) and ``capacity`` places per age group."""
    office = sector_office()
    kgs = [
        kindergarten(
            parent=office,
            name=f"Barnehage {chr(65 + i)}",
            private=i in private,
            latitude=59.95,
            longitude=11.0 + 0.02 * i,
            postal_code=f"20{i:02d}",
        )
        for i in range(units)
    ]
    rnd = services.admission_round_create(
        municipality=office.municipality,
        code=f"hovedopptak-{start.year}-{next(_rounds)}",
        name=f"Hovedopptak {start.year}",
        application_deadline=deadline,
        start_date=start,
        lottery_seed=seed,
    )
    for unit in kgs:
        for age_group in ("0-2", "3-5"):
            services.programme_set_capacity(admission_round=rnd, unit=unit, age_group=age_group, capacity=capacity)
    if state != RoundState.DRAFT:
        services.admission_round_set_state(admission_round=rnd, state=RoundState.OPEN)
    return rnd, kgs
