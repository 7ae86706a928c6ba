"""One guardian inbox for every child: kindergarten, school and SFO, and units in another municipality."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from messaging.services.threads import thread_start
from oas.organisation.models import Municipality
from oas.people.models import Foreldreansvar, RelationKind, Service
from tests import factories as f
from tests.access.conftest import _staff
from tests.messaging.conftest import World, login, person

pytestmark = pytest.mark.django_db


def _other_municipality_school(world: World) -> Any:
    """A school in Ullensaker (3209) with a teacher; the guardian's third child moved there."""
    municipality = Municipality.objects.create(number="3209", name="Ullensaker", valid_from=dt.date(2020, 1, 1))
    office = f.sector_office(municipality=municipality)
    world.units["U-office"] = office
    world.units["U-school"] = f.school(parent=office, name="Jessheim skole")
    _staff(world, "ullensaker_teacher", "LAERER", "U-school")
    child = f.ChildFactory(birth_date=dt.date(2016, 2, 1), first_name="Ulrik", last_name="Flyttesen")
    f.PlacementFactory(
        child=child, unit=world.units["U-school"], service=Service.SCHOOL, start_date=dt.date(2024, 8, 1)
    )
    f.RelationFactory(
        adult=person(world, "guardian"), child=child, kind=RelationKind.GUARDIAN, foreldreansvar=Foreldreansvar.FELLES
    )
    return child


def test_one_inbox_holds_threads_from_kindergarten_school_sfo_and_another_municipality(world: World) -> None:
    moved = _other_municipality_school(world)
    thread_start(
        user=world.user("kindergarten_staff"),
        child_id=world.children["kid_bhg"].pk,
        unit_id=world.units["D1"].pk,
        subject="Tur i skogen",
        body="Husk ullklær.",
    )
    thread_start(
        user=world.user("contact_teacher"),
        child_id=world.children["kid_school"].pk,
        unit_id=world.units["1A"].pk,
        subject="Lekser uke 12",
        body="Les side 4.",
    )
    thread_start(
        user=world.user("principal"),
        child_id=world.children["kid_school"].pk,
        unit_id=world.units["SFO1"].pk,
        subject="SFO-tur fredag",
        body="Vi går til badeplassen.",
    )
    thread_start(
        user=world.user("ullensaker_teacher"),
        child_id=moved.pk,
        unit_id=world.units["U-school"].pk,
        subject="Velkommen til Jessheim",
        body="Første skoledag er mandag.",
    )

    page = login(Client(), world, "guardian").get("/meldinger/portal/").content.decode()
    for subject in ("Tur i skogen", "Lekser uke 12", "SFO-tur fredag", "Velkommen til Jessheim"):
        assert subject in page

    api = login(Client(), world, "guardian").get("/api/v1/messaging/threads").json()
    rows = api["results"] if isinstance(api, dict) and "results" in api else api
    assert {row["subject"] for row in rows} >= {
        "Tur i skogen",
        "Lekser uke 12",
        "SFO-tur fredag",
        "Velkommen til Jessheim",
    }


def test_another_family_sees_none_of_those_threads(world: World) -> None:
    _other_municipality_school(world)
    thread_start(
        user=world.user("contact_teacher"),
        child_id=world.children["kid_school"].pk,
        unit_id=world.units["1A"].pk,
        subject="Lekser uke 12",
        body="Les side 4.",
    )
    page = login(Client(), world, "other_guardian").get("/meldinger/portal/").content.decode()
    assert "Lekser uke 12" not in page
