"""A probe of the demo as the father a strengt fortrolig child and her mother fled from (persona
"farbeskyttet"): every page he can reach from the menu, the child's pages, and the APIs he may call, answer
without naming her school, SFO, class or their addresses (issue 13 points 2–4 on the seeded demo)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from oas import clock
from oas.people.models import Adressebeskyttelse, Person, Placement
from tests.personas import persona_user

pytestmark = pytest.mark.django_db


def _links(html: str) -> set[str]:
    return {m for m in re.findall(r'href="(/[^"#?]*)"', html) if not m.startswith(("/static/", "/logout", "/i18n"))}


def test_the_father_she_fled_from_never_learns_where_the_child_is(demo_municipality: Any) -> None:
    ida = Person.objects.get(
        first_name="Ida", last_name="Berg", adressebeskyttelse=Adressebeskyttelse.STRENGT_FORTROLIG
    )
    today = clock.today()
    places = Placement.objects.filter(child=ida, start_date__lte=today).select_related("unit", "group")
    secrets = set()
    for p in places:
        secrets |= {p.unit.name, p.unit.street_address}
        if p.group is not None:
            secrets.add(p.group.name)
    secrets = {s for s in secrets if s and len(s) > 2}
    assert secrets, "the demo's Ida has a school and an SFO"

    father = Client()
    father.force_login(persona_user("farbeskyttet"))
    start = ["/", "/portal/", f"/portal/barn/{ida.pk}/", f"/portal/barn/{ida.pk}/innsyn/", "/portal/skole/"]
    start += ["/api/v1/children", f"/api/v1/children/{ida.pk}", "/api/v1/messaging/threads", "/meldinger/kalender/"]
    start += ["/api/v1/school/elever", "/api/v1/school/basisgrupper", "/api/v1/school/undervisningsgrupper"]
    seen: set[str] = set()
    queue = list(start)
    while queue and len(seen) < 60:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = father.get(url, follow=True)
        assert response.status_code in (200, 403, 404, 405), (url, response.status_code)
        if response.status_code != 200:
            continue
        body = response.content.decode()
        leaked = [s for s in secrets if s in body]
        assert not leaked, (url, leaked)
        if "text/html" in response.get("Content-Type", ""):
            queue += sorted(
                u for u in _links(body) if u.startswith(("/portal", "/meldinger/portal", "/meny", "/innst"))
            )
    assert "/portal/" in seen and len(seen) > 8


def test_the_mother_she_lives_with_sees_the_school(demo_municipality: Any) -> None:
    ida = Person.objects.get(first_name="Ida", last_name="Berg")
    school = Placement.objects.filter(child=ida, service="school").select_related("unit").first()
    assert school is not None
    mother = Client()
    mother.force_login(persona_user("beskyttet"))
    assert school.unit.name in mother.get("/portal/").content.decode()
