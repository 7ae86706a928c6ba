"""factory-boy factories for the kernel. Synthetic people only (month + 80), Faker no_NO (bokmål)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import cast

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from faker import Faker

from oas.identity.models import Account, AccountKind
from oas.organisation.models import Municipality, OrgUnit, OrgUnitKind, Ownership
from oas.people.models import (
    Employee,
    Employment,
    Foreldreansvar,
    GroupAssignment,
    Person,
    PersonRelation,
    Placement,
    RelationKind,
    Service,
)
from oas.people.national_id import individual_range, make_national_id

# Faker ships Norwegian bokmål as "no_NO" (there is no "nb_NO" locale in Faker).
fake = Faker("no_NO")
_individuals = itertools.count(0)


def synthetic_national_id(birth_date: dt.date) -> str:
    """A valid synthetic fødselsnummer for ``birth_date``, unique within the test run."""
    allowed = individual_range(birth_date.year)
    while True:
        individual = allowed.start + next(_individuals) % len(allowed)
        value = make_national_id(birth_date, individual)
        if value and not Person.objects.filter(national_id=value).exists():
            return value


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("number", "valid_from")

    number = "3030"
    name = "Lillestrøm"
    valid_from = dt.date(2020, 1, 1)


class OrgUnitFactory(factory.django.DjangoModelFactory):
    """Creates units through the path-maintaining service."""

    class Meta:
        model = OrgUnit

    municipality = factory.SubFactory(MunicipalityFactory)
    kind = OrgUnitKind.SECTOR_OFFICE
    code = factory.Sequence(lambda n: f"TEST-{n:05d}")
    name = factory.Sequence(lambda n: f"Enhet {n}")
    valid_from = dt.date(2020, 1, 1)
    parent = None

    @classmethod
    def _create(cls, model_class: type[OrgUnit], *args: object, **kwargs: object) -> OrgUnit:
        from oas.organisation.services import orgunit_create

        return orgunit_create(**kwargs)  # type: ignore[arg-type]


def sector_office(**kwargs: object) -> OrgUnit:
    return cast(OrgUnit, OrgUnitFactory(kind=OrgUnitKind.SECTOR_OFFICE, name="Oppvekstkontoret", **kwargs))


def school(*, parent: OrgUnit, **kwargs: object) -> OrgUnit:
    kwargs.setdefault("first_grade", 1)
    kwargs.setdefault("last_grade", 7)
    unit = OrgUnitFactory(
        kind=OrgUnitKind.SCHOOL, parent=parent, municipality=parent.municipality, school_type="ordinary", **kwargs
    )
    return cast(OrgUnit, unit)


def kindergarten(*, parent: OrgUnit, private: bool = False, **kwargs: object) -> OrgUnit:
    return cast(
        OrgUnit,
        OrgUnitFactory(
            kind=OrgUnitKind.KINDERGARTEN,
            parent=parent,
            municipality=parent.municipality,
            ownership=Ownership.PRIVATE if private else Ownership.MUNICIPAL,
            coordinated_admission=True,
            min_age=0,
            max_age=5,
            **kwargs,
        ),
    )


def child_unit(*, parent: OrgUnit, kind: str, **kwargs: object) -> OrgUnit:
    return cast(OrgUnit, OrgUnitFactory(kind=kind, parent=parent, municipality=parent.municipality, **kwargs))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.LazyFunction(fake.first_name)
    last_name = factory.LazyFunction(fake.last_name)
    birth_date = factory.LazyFunction(lambda: fake.date_of_birth(minimum_age=25, maximum_age=55))
    national_id = factory.LazyAttribute(lambda o: synthetic_national_id(o.birth_date))
    street_address = factory.LazyFunction(fake.street_address)
    postal_code = "2000"
    postal_place = "LILLESTRØM"
    municipality_number = "3030"
    grunnkrets = 3030101
    skolekrets = 1


class ChildFactory(PersonFactory):
    birth_date = factory.LazyFunction(lambda: fake.date_of_birth(minimum_age=1, maximum_age=12))


class RelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonRelation

    adult = factory.SubFactory(PersonFactory)
    child = factory.SubFactory(ChildFactory)
    kind = RelationKind.GUARDIAN
    foreldreansvar = Foreldreansvar.FELLES
    valid_from = factory.LazyAttribute(lambda o: o.child.birth_date)


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    person = factory.SubFactory(PersonFactory)
    # "T…" so factory-made employees never collide with the demo seed's "E…" numbers (demo_municipality fixture).
    employee_number = factory.Sequence(lambda n: f"T{n:06d}")
    email = factory.Sequence(lambda n: f"ansatt{n}@test.lillestrom.kommune.no")


class EmploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employment

    employee = factory.SubFactory(EmployeeFactory)
    unit = factory.SubFactory(OrgUnitFactory)
    position_code = "LAERER"
    percentage = 100
    valid_from = dt.date(2020, 1, 1)


class GroupAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupAssignment

    employee = factory.SubFactory(EmployeeFactory)
    group = factory.SubFactory(OrgUnitFactory)
    role = "group_staff"
    valid_from = dt.date(2020, 1, 1)


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    child = factory.SubFactory(ChildFactory)
    service = Service.KINDERGARTEN
    unit = factory.SubFactory(OrgUnitFactory)
    start_date = dt.date(2024, 8, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")


def staff_account(employee: Employee) -> Account:
    user = cast(User, UserFactory(username=f"staff-{employee.employee_number}"))
    return Account.objects.create(
        user=user, kind=AccountKind.STAFF, employee=employee, person=employee.person, provider="entra"
    )


def guardian_account(person: Person) -> Account:
    user = cast(User, UserFactory(username=f"guardian-{person.pk}"))
    return Account.objects.create(user=user, kind=AccountKind.GUARDIAN, person=person, provider="idporten")
