"""Issue 13, point 4: every address of a protected child is protected, the delt bosted home included."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest

from oas.access.privacy import persons_contact_view
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Adressebeskyttelse, DeltBosted, Foreldreansvar, Person, Service
from tests import factories as f
from tests.policy.scenario import Scenario, staff_user


@pytest.fixture
def frida(scenario: Scenario) -> dict[str, Any]:
    """Frida (fortrolig) lives with her mother; her second home under a delt bosted contract is her father's."""
    born = dt.date(2021, 9, 1)
    child = cast(
        Person,
        f.ChildFactory(
            first_name="Frida",
            birth_date=born,
            national_id=f.synthetic_national_id(born),
            adressebeskyttelse=Adressebeskyttelse.FORTROLIG,
            street_address="Hemmeligveien 7",
        ),
    )
    mother = cast(
        Person, f.PersonFactory(adressebeskyttelse=Adressebeskyttelse.FORTROLIG, street_address="Hemmeligveien 7")
    )
    father = cast(Person, f.PersonFactory(street_address="Delteveien 5", postal_code="2010", address_id="DB-5"))
    f.RelationFactory(adult=mother, child=child, foreldreansvar=Foreldreansvar.FELLES, lives_with_child=True)
    f.RelationFactory(adult=father, child=child, foreldreansvar=Foreldreansvar.FELLES, lives_with_child=False)
    DeltBosted.objects.create(
        child=child,
        street_address="Delteveien 5",
        postal_code="2010",
        address_id="DB-5",
        valid_from=dt.date(2024, 1, 1),
    )
    f.PlacementFactory(
        child=child, unit=scenario.kindergarten, service=Service.KINDERGARTEN, start_date=dt.date(2024, 8, 1)
    )
    office = OrgUnit.objects.get(
        municipality=scenario.kindergarten.municipality, kind=OrgUnitKind.SECTOR_OFFICE, parent__isnull=True
    )
    return {"child": child, "father": father, "office": office}


@pytest.mark.parametrize("position", ["SYSADM", "OPPTAK", "FAKTURA"])
def test_the_delt_bosted_home_is_not_shown_as_the_fathers_address(client, frida, position):
    client.force_login(staff_user(frida["office"], position))
    response = client.get(f"/arbeidsflate/barn/{frida['child'].pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert frida["father"].full_name in body
    assert "Delteveien" not in body
    assert "Hemmeligveien" not in body


def test_the_fathers_address_is_blanked_for_the_unit_leader(frida, scenario):
    (contact,) = persons_contact_view(user=staff_user(scenario.kindergarten, "STYRER"), persons=[frida["father"]])
    assert contact.address_hidden
    assert contact.address_lines == []


def test_an_ordinary_parents_address_is_still_shown(client, frida, scenario):
    theo_mother = scenario.theo_mother.person
    (contact,) = persons_contact_view(user=staff_user(scenario.kindergarten, "STYRER"), persons=[theo_mother])
    assert not contact.address_hidden
    assert contact.address_lines


def test_the_staff_child_page_is_refused_to_the_leader_of_another_kindergarten(client, frida, scenario):
    other = (
        OrgUnit.objects.filter(kind=OrgUnitKind.KINDERGARTEN, municipality=scenario.kindergarten.municipality)
        .exclude(pk=scenario.kindergarten.pk)
        .first()
    )
    assert other is not None
    client.force_login(staff_user(other, "STYRER"))
    assert client.get(f"/arbeidsflate/barn/{frida['child'].pk}/").status_code == 404
