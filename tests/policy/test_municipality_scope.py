"""Issue 13, point 10: municipality-wide roles reach only their own municipality."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest

from oas.access.evaluation import access_queryset, has_action
from oas.access.principal import principal_reuse_clear
from oas.organisation.models import Municipality, OrgUnit, OrgUnitKind
from oas.people.models import Person, Service
from tests import factories as f
from tests.policy.scenario import staff_user


@pytest.fixture
def neighbour(frozen_today: dt.date, demo_municipality: Any) -> dict[str, Any]:
    """A second municipality of the same deployment (3033 Ullensaker) with a child placed in its kindergarten."""
    principal_reuse_clear()
    ullensaker = Municipality.objects.create(number="3033", name="Ullensaker", valid_from=dt.date(2020, 1, 1))
    office: Any = f.OrgUnitFactory(municipality=ullensaker, kind=OrgUnitKind.SECTOR_OFFICE, name="Oppvekst Ullensaker")
    kindergarten = f.kindergarten(parent=office, name="Jessheim barnehage")
    child = cast(Person, f.ChildFactory(municipality_number="3033", postal_code="2050", postal_place="JESSHEIM"))
    f.RelationFactory(child=child, adult=f.PersonFactory(municipality_number="3033"))
    f.PlacementFactory(child=child, unit=kindergarten, service=Service.KINDERGARTEN, start_date=dt.date(2024, 8, 1))
    unplaced = cast(Person, f.ChildFactory(municipality_number="3033"))
    f.RelationFactory(child=unplaced, adult=f.PersonFactory(municipality_number="3033"))
    lillestrom_office = OrgUnit.objects.get(
        municipality=demo_municipality, kind=OrgUnitKind.SECTOR_OFFICE, parent__isnull=True
    )
    own_child = (
        Person.objects.filter(municipality_number="3030", placements__unit__municipality=demo_municipality)
        .order_by("pk")
        .first()
    )
    return {"child": child, "unplaced": unplaced, "finance": staff_user(lillestrom_office, "FAKTURA"), "own": own_child}


def test_finance_of_3030_cannot_read_a_child_of_another_municipality(client, neighbour):
    client.force_login(neighbour["finance"])
    assert client.get(f"/api/v1/children/{neighbour['child'].pk}").status_code == 404
    assert client.get(f"/arbeidsflate/barn/{neighbour['child'].pk}/").status_code == 404
    assert not has_action(user=neighbour["finance"], action="child.read", target=neighbour["unplaced"])


def test_finance_of_3030_reads_a_child_of_its_own_municipality(client, neighbour):
    client.force_login(neighbour["finance"])
    assert client.get(f"/api/v1/children/{neighbour['own'].pk}").status_code == 200
    assert client.get(f"/arbeidsflate/barn/{neighbour['own'].pk}/").status_code == 200


def test_municipality_wide_list_leaves_out_the_other_municipality(neighbour):
    ids = set(
        access_queryset(user=neighbour["finance"], action="child.read", queryset=Person.objects.all()).values_list(
            "pk", flat=True
        )
    )
    assert neighbour["own"].pk in ids
    assert neighbour["child"].pk not in ids
    assert neighbour["unplaced"].pk not in ids
