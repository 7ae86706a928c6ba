"""The leader's snapshot on the demo: places and both staffing norms with a red flag when broken, absence today,
and the unit's tasks, each a link to the page that acts on it; the counts agree with the task list."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from attendance.models import AbsenceKind, AbsenceReport
from oas import clock
from oas.demo_personas import PERSONAS_BY_KEY
from oas.organisation.models import OrgUnit
from oas.people.models import Employment, Placement
from tests.personas import persona_user

pytestmark = pytest.mark.django_db


def _snapshot(html: str) -> str:
    return html.split('class="snapshot"', 1)[1].split("</section>", 1)[0]


def _kindergarten() -> OrgUnit:
    return OrgUnit.objects.get(code=PERSONAS_BY_KEY["styrer"].unit_code)


def test_the_kindergarten_leader_sees_places_norms_and_absence_with_links(demo_municipality: Any) -> None:
    unit = _kindergarten()
    today = clock.today()
    child_id = (
        Placement.objects.filter(unit=unit, start_date__lte=today, end_date__isnull=True)
        .values_list("child_id", flat=True)
        .first()
    )
    assert child_id is not None
    AbsenceReport.objects.create(
        child_id=child_id, kind=AbsenceKind.SICK, start_date=today, end_date=today, reported_at=clock.now()
    )
    client = Client()
    client.force_login(persona_user("styrer"))
    html = client.get("/arbeidsflate/").content.decode()
    snap = _snapshot(html)
    assert f'href="/barnehage/{unit.pk}/belegg/"' in snap
    assert 'data-metric="attendance.places_used"' in snap
    assert 'data-metric="attendance.staff_norm"' in snap
    assert 'data-metric="attendance.pedagogue_norm"' in snap
    assert re.search(r'data-metric="attendance.absent_today"[^>]*>1<', snap)
    # Every task shown in the snapshot has the same count as in the task list.
    for key, count in re.findall(r'data-snapshot-task="([^"]+)"[^>]*>(\d+)<', snap):
        assert re.search(rf'data-task="{re.escape(key)}">.*?<span class="count">{count}</span>', html, re.S)


def test_a_broken_norm_is_flagged(demo_municipality: Any) -> None:
    unit = _kindergarten()
    # Everyone but the leader has left: both norms are broken.
    yesterday = clock.today() - dt.timedelta(days=1)
    others = Employment.objects.filter(unit__path__startswith=unit.path).exclude(
        employee__employee_number=PERSONAS_BY_KEY["styrer"].employee_number
    )
    others.update(valid_from=yesterday - dt.timedelta(days=30), valid_to=yesterday)
    client = Client()
    client.force_login(persona_user("styrer"))
    snap = _snapshot(client.get("/arbeidsflate/").content.decode())
    assert re.search(r'data-metric="attendance.staff_norm" class="oas-alert-figure"', snap)
    assert "Brutt" in snap


def test_a_teacher_has_no_snapshot(demo_municipality: Any) -> None:
    client = Client()
    client.force_login(persona_user("laerer"))
    response = client.get("/arbeidsflate/")
    assert response.status_code == 200
    assert 'class="snapshot"' not in response.content.decode()
