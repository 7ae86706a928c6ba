"""The leader's snapshot on the demo (issue 15): free places from the kindergarten's approved places and the places
in use (under 3 count two), red when more places are used than approved, each a link to the page that acts on it.

The approved places are the kindergarten's own (``KindergartenUnitDetail``: places 0–2 år and 3–5 år, also used to
prefill admission capacity); attendance reads them in places, 2 × small + big."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from attendance.public import approved_places
from kindergarten.models import KindergartenUnitDetail
from kindergarten.public import kindergarten_occupancy
from oas import clock
from oas.demo_personas import PERSONAS_BY_KEY
from oas.organisation.models import OrgUnit
from tests.personas import persona_user

pytestmark = pytest.mark.django_db


def _kindergarten() -> OrgUnit:
    return OrgUnit.objects.get(code=PERSONAS_BY_KEY["styrer"].unit_code)


def _register_places(unit: OrgUnit, *, small: int, big: int) -> None:
    KindergartenUnitDetail.objects.update_or_create(
        unit=unit, defaults={"registered_places_small": small, "registered_places_big": big}
    )


def _snapshot(user: Any) -> str:
    client = Client()
    client.force_login(user)
    html = client.get("/arbeidsflate/").content.decode()
    return html.split('class="snapshot"', 1)[1].split("</section>", 1)[0]


def test_the_leader_sees_free_places_from_the_approved_places(demo_municipality: Any) -> None:
    unit = _kindergarten()
    used = kindergarten_occupancy(unit_id=unit.pk, day=clock.today()).total.places
    _register_places(unit, small=2, big=used + 3)  # 2 × 2 + used + 3 = used + 7 places
    snap = _snapshot(persona_user("styrer"))
    assert re.search(r'data-metric="attendance.free_places">7 ', snap)
    assert f"av {used + 7} godkjente plasser" in snap
    assert f'href="/barnehage/{unit.pk}/belegg/">Ledige plasser' in snap


def test_more_places_used_than_approved_is_flagged(demo_municipality: Any) -> None:
    unit = _kindergarten()
    used = kindergarten_occupancy(unit_id=unit.pk, day=clock.today()).total.places
    assert used > 1
    _register_places(unit, small=0, big=used - 1)
    snap = _snapshot(persona_user("styrer"))
    assert re.search(r'data-metric="attendance.free_places" class="oas-alert-figure">-1 ', snap)
    assert "Overbelegg" in snap


def test_without_approved_places_the_snapshot_links_to_where_they_are_entered(demo_municipality: Any) -> None:
    unit = _kindergarten()
    snap = _snapshot(persona_user("styrer"))
    assert "Godkjente plasser er ikke registrert" in snap
    assert f"/admin/kindergarten/kindergartenunitdetail/add/?unit={unit.pk}" in snap


def test_the_occupancy_page_shows_approved_and_free_places(demo_municipality: Any) -> None:
    unit = _kindergarten()
    used = kindergarten_occupancy(unit_id=unit.pk, day=clock.today()).total.places
    _register_places(unit, small=1, big=used + 1)  # 2 × 1 + used + 1 = used + 3 places
    client = Client()
    client.force_login(persona_user("styrer"))
    page = client.get(f"/barnehage/{unit.pk}/belegg/")
    assert page.status_code == 200
    assert 'data-free="3"' in page.content.decode()
    other = Client()
    other.force_login(persona_user("pedleder"))
    assert other.get(f"/barnehage/{unit.pk}/belegg/").status_code == 403


def test_the_demo_approved_places_are_the_kindergartens_registered_places(demo_municipality: Any) -> None:
    call_command("seed_admission_rounds", stdout=io.StringIO())  # as make up does: every kindergarten's places
    unit = _kindergarten()
    detail = KindergartenUnitDetail.objects.get(unit=unit)
    approved = 2 * detail.registered_places_small + detail.registered_places_big
    assert approved_places(unit_ids=[unit.pk]) == {unit.pk: approved}
    used = kindergarten_occupancy(unit_id=unit.pk, day=clock.today()).total.places
    snap = _snapshot(persona_user("styrer"))
    assert re.search(rf'data-metric="attendance.free_places"[^>]*>{approved - used} ', snap)
    assert f"{approved} godkjente plasser" in snap
