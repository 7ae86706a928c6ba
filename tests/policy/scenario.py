"""A strengt fortrolig child among the demo municipality's families: the scenario of issue 13 (points 3, 5, 13).

Sofie is strengt fortrolig. Her mother (also strengt fortrolig) has felles foreldreansvar and lives with her; her
father has felles foreldreansvar and does not live with her (barneloven § 47: information, never her unit). Sofie
is placed in one of the demo kindergartens, in a department with other children. Theo lives with his mother and
has a father without foreldreansvar and a foster parent (point 13).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Adressebeskyttelse, Foreldreansvar, Person, Placement, RelationKind, Service
from tests import factories as f


@dataclass
class Scenario:
    kindergarten: OrgUnit
    department: OrgUnit
    sofie: Person
    mother: Any  # an Account (Any: its person is always set here)
    father: Any  # an Account (Any: its person is always set here)
    theo: Person
    theo_mother: Any  # an Account (Any: its person is always set here)
    parent_without: Any  # an Account (Any: its person is always set here)
    foster: Any  # an Account (Any: its person is always set here)


def _strengt(**kwargs: Any) -> Person:
    return cast(
        Person,
        f.PersonFactory(
            adressebeskyttelse=Adressebeskyttelse.STRENGT_FORTROLIG,
            street_address="",
            postal_code="",
            postal_place="",
            municipality_number="",
            grunnkrets=None,
            skolekrets=None,
            **kwargs,
        ),
    )


def build_scenario(municipality: Any) -> Scenario:
    kindergarten = (
        OrgUnit.objects.filter(municipality=municipality, kind=OrgUnitKind.KINDERGARTEN, valid_to__isnull=True)
        .filter(children__kind=OrgUnitKind.DEPARTMENT)
        .distinct()
        .order_by("pk")
        .first()
    )
    assert kindergarten is not None
    department = kindergarten.children.filter(kind=OrgUnitKind.DEPARTMENT).order_by("pk").first()
    assert department is not None
    assert Placement.objects.filter(unit=kindergarten).exclude(child__first_name="Sofie").exists()
    born = dt.date(2022, 3, 4)
    sofie = _strengt(first_name="Sofie", last_name="Skjult", birth_date=born, national_id=f.synthetic_national_id(born))
    mother = _strengt(first_name="Mona", last_name="Skjult")
    father = cast(Person, f.PersonFactory(first_name="Frank", last_name="Annenby", email="frank@example.no"))
    f.RelationFactory(adult=mother, child=sofie, foreldreansvar=Foreldreansvar.FELLES, lives_with_child=True)
    f.RelationFactory(adult=father, child=sofie, foreldreansvar=Foreldreansvar.FELLES, lives_with_child=False)
    f.PlacementFactory(
        child=sofie, unit=kindergarten, group=department, service=Service.KINDERGARTEN, start_date=dt.date(2024, 8, 1)
    )

    born = dt.date(2021, 5, 6)
    theo = cast(Person, f.ChildFactory(first_name="Theo", birth_date=born, national_id=f.synthetic_national_id(born)))
    theo_mother = cast(Person, f.PersonFactory(email="theomor@example.no"))
    parent_without = cast(Person, f.PersonFactory(email="uten@example.no"))
    foster = cast(Person, f.PersonFactory(email="foster@example.no"))
    f.RelationFactory(adult=theo_mother, child=theo, foreldreansvar=Foreldreansvar.MOR, lives_with_child=True)
    f.RelationFactory(
        adult=parent_without, child=theo, kind=RelationKind.PARENT, foreldreansvar="", lives_with_child=False
    )
    f.RelationFactory(
        adult=foster, child=theo, kind=RelationKind.FOSTER_PARENT, foreldreansvar="", lives_with_child=True
    )
    f.PlacementFactory(
        child=theo, unit=kindergarten, group=department, service=Service.KINDERGARTEN, start_date=dt.date(2024, 8, 1)
    )
    return Scenario(
        kindergarten=kindergarten,
        department=department,
        sofie=sofie,
        mother=f.guardian_account(mother),
        father=f.guardian_account(father),
        theo=theo,
        theo_mother=f.guardian_account(theo_mother),
        parent_without=f.guardian_account(parent_without),
        foster=f.guardian_account(foster),
    )


_numbers = iter(range(1, 10**6))


def staff_user(unit: OrgUnit, position: str) -> Any:
    """A staff account employed at ``unit`` (employee numbers that never collide with the demo's)."""
    n = next(_numbers)
    employee = f.EmployeeFactory(employee_number=f"POL{n:05d}", email=f"pol{n}@test.lillestrom.kommune.no")
    f.EmploymentFactory(employee=employee, unit=unit, position_code=position)
    return f.staff_account(cast(Any, employee)).user
