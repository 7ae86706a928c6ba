"""The leader's snapshot on the demo (issue 15): free places from the kindergarten's approved places and the places
in use (under 3 count two), red when more places are used than approved, each a link to the page that acts on it."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from attendance.models import UnitCapacity
from attendance.public import approved_places
from kindergarten.public import kindergarten_occupancy
from oas import clock
from oas.demo_personas import PERSONAS_BY_KEY
from oas.organisation.models import OrgUnit
from tests.personas import persona_user

pytestmark = pytest.mark.django_db


def _kindergarten() -> OrgUnit:
    return OrgUnit.objects.get(code=PERSONAS_BY_KEY["styrer"].unit_code)


def _snapshot(user: Any) -> str:
    client = Client()
    client.force_login(user)
    html = client.get("/arbeidsflate/").content.decode()
    return html.split('class="snapshot"', 1)[1].split("</section>", 1)[0]


def test_the_leader_sees_free_places_from_the_approved_places(demo_municipality: Any) -> None:
    unit = _kindergarten()
    used = kindergarten_occupancy(unit_id=unit.pk, day=clock.today()).total.places
    UnitCapacity.objects.create(unit=unit, approved_places=used + 7)
    snap = _snapshot(persona_user("styrer"))
    assert re.search(r'data-metric="attendance.free_places">7 ', snap)
    assert f"av {used + 7} godkjente plasser" in snap
    assert f'href="/barnehage/{unit.pk}/belegg/">Ledige plasser' in snap


def test_more_places_used_than_approved_is_flagged(demo_municipality: Any) -> None:
    unit = _kindergarten()
    used = kindergarten_occupancy(unit_id=unit.pk, day=clock.today()).total.places
    assert used > 1
    UnitCapacity.objects.create(unit=unit, approved_places=used - 1)
    snap = _snapshot(persona_user("styrer"))
    assert re.search(r'data-metric="attendance.free_places" class="oas-alert-figure">-1 ', snap)
    assert "Overbelegg" in snap


def test_without_approved_places_the_snapshot_links_to_where_they_are_entered(demo_municipality: Any) -> None:
    unit = _kindergarten()
    snap = _snapshot(persona_user("styrer"))
    assert "Godkjente plasser er ikke registrert" in snap
    assert f"/admin/attendance/unitcapacity/add/?unit={unit.pk}" in snap


def test_the_occupancy_page_shows_approved_and_free_places(demo_municipality: Any) -> None:
    unit = _kindergarten()
    used = kindergarten_occupancy(unit_id=unit.pk, day=clock.today()).total.places
    UnitCapacity.objects.create(unit=unit, approved_places=used + 3)
    client = Client()
    client.force_login(persona_user("styrer"))
    page = client.get(f"/barnehage/{unit.pk}/belegg/")
    assert page.status_code == 200
    assert 'data-free="3"' in page.content.decode()
    other = Client()
    other.force_login(persona_user("pedleder"))
    assert other.get(f"/barnehage/{unit.pk}/belegg/").status_code == 403


def test_the_demo_gets_approved_places_for_every_kindergarten(demo_municipality: Any) -> None:
    call_command("seed_unit_capacity", stdout=io.StringIO())
    unit = _kindergarten()
    places = approved_places(unit_ids=[unit.pk])
    used = kindergarten_occupancy(unit_id=unit.pk, day=clock.today()).total.places
    assert places[unit.pk] > used
    call_command("seed_unit_capacity", stdout=io.StringIO())  # idempotent
    assert UnitCapacity.objects.filter(unit=unit).count() == 1
