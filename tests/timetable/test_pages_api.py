"""Every timetable page and endpoint: allowed and denied with the exact status; the menu leads to them."""

from __future__ import annotations

import pytest
from django.core import signing
from django.urls import reverse

from oas import navigation
from oas.demo_personas import PERSONAS
from oas.people.models import Person
from tests.timetable.conftest import TimetableDemo, login, persona_user
from timetable.models import Lesson

pytestmark = pytest.mark.django_db


def _visible(key: str, persona: str) -> bool:
    return bool(navigation.item_visible(user=persona_user(persona), item=navigation.nav_item(key)))


def test_school_and_version_pages(tt_demo: TimetableDemo) -> None:
    school, version = tt_demo.demo.school, tt_demo.version
    rektor, laerer, foresatt, annen = (login(k) for k in ("rektor", "laerer", "foresatt", "annenlaerer"))
    url = reverse("timetable:school", args=[school.pk])
    page = rektor.get(url)
    assert page.status_code == 200
    assert "Kopier til nytt utkast" in page.content.decode()
    assert laerer.get(url).status_code == 200
    assert "Kopier til nytt utkast" not in laerer.get(url).content.decode()
    assert foresatt.get(url).status_code == 403
    assert annen.get(url).status_code == 404
    assert laerer.post(url, {"ny": "1"}).status_code == 404  # reads, may not build
    vurl = reverse("timetable:version", args=[version.pk])
    body = rektor.get(vurl).content.decode()
    assert "Kontroll før generering" in body and "Publiser" not in body.split("Timekrav")[0].split("Generator")[-1]
    assert laerer.get(vurl).status_code == 200
    assert annen.get(vurl).status_code == 404
    assert foresatt.get(vurl).status_code == 403
    assert laerer.post(vurl, {"handling": "generer"}).status_code == 404
    # The principal copies the published version to a draft and is sent to it.
    response = rektor.post(url, {"kopier": version.pk})
    assert response.status_code == 302
    draft_url = response["Location"]
    assert "Generer timeplan" in rektor.get(draft_url).content.decode()


def test_a_new_draft_beside_the_published_timetable(tt_demo: TimetableDemo) -> None:
    """'Lag utkast' on a school whose timetable is published gives a draft to work on, not the published version."""
    from timetable.models import TimetableVersion

    school, published = tt_demo.demo.school, tt_demo.version
    rektor = login("rektor")
    url = reverse("timetable:school", args=[school.pk])
    response = rektor.post(url, {"ny": "1"})
    assert response.status_code == 302
    draft = TimetableVersion.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert draft.pk != published.pk and draft.status == "draft" and draft.requirements.exists()
    published.refresh_from_db()
    assert published.status == "published"
    again = rektor.post(url, {"ny": "1"})  # the open draft again, not one more
    assert again["Location"] == response["Location"]
    assert TimetableVersion.objects.filter(school=school, status="draft").count() == 1


def test_week_grid_lesson_editing_and_csv(tt_demo: TimetableDemo) -> None:
    version, klass = tt_demo.version, tt_demo.demo.class_1a
    rektor, laerer, foresatt, annen = (login(k) for k in ("rektor", "laerer", "foresatt", "annenlaerer"))
    week = reverse("timetable:week", args=[version.pk]) + f"?klasse={klass.pk}"
    page = rektor.get(week)
    assert page.status_code == 200
    assert page.content.decode().count("data-lesson=") >= 15
    assert laerer.get(week).status_code == 200
    assert foresatt.get(week).status_code == 403
    assert annen.get(week).status_code == 404
    csv_url = reverse("timetable:csv", args=[version.pk]) + f"?klasse={klass.pk}"
    csv = rektor.get(csv_url)
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines()[0] == "Dag;Fra;Til;Fag;Gruppe;Lærer;Rom;Timeplan"
    assert foresatt.get(csv_url).status_code == 403
    lesson = Lesson.objects.filter(version=version).first()
    assert lesson is not None
    lurl = reverse("timetable:lesson", args=[lesson.pk])
    assert rektor.get(lurl).status_code == 200
    assert "kan ikke endres" in rektor.get(lurl).content.decode()
    assert laerer.get(lurl).status_code == 403
    assert annen.get(lurl).status_code == 403
    assert rektor.post(lurl, {"handling": "laas"}).status_code == 302
    lesson.refresh_from_db()
    assert not lesson.locked  # published: refused with a message, nothing written
    run = version.runs.get()
    rurl = reverse("timetable:run", args=[run.pk])
    assert rektor.get(rurl).status_code == 200
    assert annen.get(rurl).status_code == 404
    assert foresatt.get(rurl).status_code == 403


def test_teacher_sees_own_week_guardian_the_childs_and_ics(tt_demo: TimetableDemo) -> None:
    laerer, foresatt, rektor = login("laerer"), login("foresatt"), login("rektor")
    mine = laerer.get(reverse("timetable:mine"))
    assert mine.status_code == 200
    assert mine.content.decode().count("data-lesson=") >= 1
    assert foresatt.get(reverse("timetable:mine")).status_code == 403
    portal = foresatt.get(reverse("timetable:portal"))
    assert portal.status_code == 200
    body = portal.content.decode()
    assert f'data-child="{tt_demo.demo.child_1a.pk}"' in body and "data-lesson=" in body
    assert laerer.get(reverse("timetable:portal")).status_code == 403
    assert rektor.get(reverse("timetable:portal")).status_code == 403
    token = signing.dumps(
        {"k": "c", "u": persona_user("foresatt").pk, "c": tt_demo.demo.child_1a.pk}, salt="timetable.ics"
    )
    feed = rektor.get(reverse("timetable:ics", args=[token]))  # the address itself is the credential
    assert feed.status_code == 200 and "BEGIN:VEVENT" in feed.content.decode()
    assert rektor.get(reverse("timetable:ics", args=["tampered"])).status_code == 404
    # Another adult's token for the child: refused.
    other = signing.dumps(
        {"k": "c", "u": persona_user("laerer").pk, "c": tt_demo.demo.child_1a.pk}, salt="timetable.ics"
    )
    assert rektor.get(reverse("timetable:ics", args=[other])).status_code == 404


def test_api(tt_demo: TimetableDemo) -> None:
    version = tt_demo.version
    rektor, laerer, foresatt, annen = (login(k) for k in ("rektor", "laerer", "foresatt", "annenlaerer"))
    listing = rektor.get(reverse("timetable:api_versions"))
    assert listing.status_code == 200
    row = next(r for r in listing.json() if r["id"] == version.pk)
    assert "timetable.version.manage" in row["permitted_actions"]
    assert foresatt.get(reverse("timetable:api_versions")).status_code == 403
    assert all(r["id"] != version.pk for r in annen.get(reverse("timetable:api_versions")).json())
    lessons_url = reverse("timetable:api_lessons", args=[version.pk]) + f"?klasse={tt_demo.demo.class_1a.pk}"
    lessons = laerer.get(lessons_url)
    assert lessons.status_code == 200 and lessons.json()["timer"]
    assert "timetable.version.manage" not in lessons.json()["permitted_actions"]
    assert annen.get(lessons_url).status_code == 404
    assert foresatt.get(lessons_url).status_code == 403
    mine = laerer.get(reverse("timetable:api_mine"))
    assert mine.status_code == 200 and mine.json()[0]["timer"]
    assert foresatt.get(reverse("timetable:api_mine")).status_code == 403
    child_url = reverse("timetable:api_child", args=[tt_demo.demo.child_1a.pk])
    child = foresatt.get(child_url)
    assert child.status_code == 200 and child.json()["timer"]
    assert login("uten").get(child_url).status_code == 403  # a parent without foreldreansvar: no child at all
    stranger = (
        Person.objects.filter(placements__service="school")
        .exclude(relations_as_child__adult__national_id__in=[p.national_id for p in PERSONAS if p.key == "foresatt"])
        .first()
    )
    assert stranger is not None
    assert foresatt.get(reverse("timetable:api_child", args=[stranger.pk])).status_code == 404
    assert laerer.get(child_url).status_code == 403


def test_menu_leads_to_the_pages(tt_demo: TimetableDemo) -> None:
    assert _visible("staff-timetable-school", "rektor")
    assert _visible("staff-timetable-school", "laerer")
    assert not _visible("staff-timetable-school", "foresatt")
    assert _visible("staff-timetable-mine", "laerer")
    assert not _visible("staff-timetable-mine", "foresatt")
    assert _visible("guardian-timetable", "foresatt")
    assert not _visible("guardian-timetable", "laerer")
