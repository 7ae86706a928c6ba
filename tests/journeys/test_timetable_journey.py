"""The timetable from the school leader to the guardian, in a real browser through the menu and the pages' links:
the rektor builds Demo skole's draft, generates it, tries to move a lesson onto another of the class's lessons
(the clash is shown), moves it to a free time, publishes, and the guardian sees the child's week in the portal.

The generator's Celery worker is this test: after the rektor starts a run, the test runs the queued run as the
worker would (``services.run_execute``) and the page's htmx poll shows it finished."""

from __future__ import annotations

from typing import Any

import pytest

from tests.journeys.journey import Journey
from timetable import selectors, services
from timetable.models import Lesson, SolverRun, TimetableVersion

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_slot(lesson: Lesson) -> tuple[int, int] | None:
    for day in range(lesson.version.days_per_week):
        for period in selectors.lesson_periods(version=lesson.version):
            if (day, period.position) != (lesson.day, lesson.position) and not selectors.lesson_clashes(
                lesson=lesson, day=day, position=period.position
            ):
                return day, period.position
    return None


def test_a_leader_generates_edits_and_publishes_and_the_guardian_sees_the_week(
    chromium: Any, journey_server: str, journey_db: None
) -> None:
    with Journey(chromium, journey_server, "rektor", "rektor-timetable") as j:
        j.start()
        j.menu("staff-timetable-school")
        if "/enheter/" in j.page.url:  # the rektor leads more than one unit: choose the school
            j.tap(j.page.locator("main a", has_text="Demo skole").first)
        assert "/timeplan/skole/" in j.path
        j.button("Lag utkast fra skolens grupper og lærere")
        assert "/timeplan/versjon/" in j.path
        version = TimetableVersion.objects.get(pk=int(j.path.split("/timeplan/versjon/")[1].split("/")[0]))
        assert (version.school.name, version.status) == ("Demo skole", "draft")
        j.page.locator("#sekunder").fill("10")
        j.button("Generer timeplan")
        run = SolverRun.objects.filter(version=version).latest("pk")
        assert run.status == "queued"
        services.run_execute(run_id=run.pk)  # the worker
        j.page.locator('#tt-run[data-status="done"]').wait_for(timeout=30_000)
        assert version.lessons.count() > 0

        # The class's week; a lesson of it; its place taken by another of the class's lessons: the clash is shown.
        j.button("Vis klassen")
        assert "/uke/" in j.path and j.page.locator("[data-lesson]").count() > 0
        lesson_id = int(j.page.locator("[data-lesson] a").first.get_attribute("href").split("/")[-2])
        lesson = Lesson.objects.select_related("version", "requirement").get(pk=lesson_id)
        other = (
            Lesson.objects.filter(version=version, requirement__classes__in=lesson.requirement.classes.all())
            .exclude(pk=lesson.pk)
            .exclude(day=lesson.day, position=lesson.position)
            .first()
        )
        assert other is not None
        j.tap(j.page.locator(f'[data-lesson="{lesson_id}"] a'))
        assert f"/timeplan/time/{lesson_id}/" in j.path
        j.page.locator("#dag").select_option(str(other.day))
        j.page.locator("#time").select_option(str(other.position))
        j.button("Sjekk kollisjoner")
        clash = j.page.locator(".tt-clashes li")
        assert clash.count() >= 1 and "Elevene har allerede" in clash.first.inner_text()
        assert j.page.get_by_role("button", name="Flytt hit").count() == 0  # nothing to place while it clashes
        free = _free_slot(lesson)
        assert free is not None, "the class has a free time somewhere in the week"
        j.page.locator("#dag").select_option(str(free[0]))
        j.page.locator("#time").select_option(str(free[1]))
        j.button("Sjekk kollisjoner")
        assert "Ingen kollisjoner." in j.text()
        j.button("Flytt hit")
        assert "/uke/" in j.path and "Timen er flyttet." in j.text()
        lesson.refresh_from_db()
        assert (lesson.day, lesson.position) == free

        # Back to the version through the menu and the school's list; publish.
        j.menu("staff-timetable-school")
        if "/enheter/" in j.page.url:  # the rektor leads more than one unit: choose the school
            j.tap(j.page.locator("main a", has_text="Demo skole").first)
        j.tap(j.page.locator(f'tr[data-version="{version.pk}"] a').first)
        j.button("Publiser")
        assert "Timeplanen er publisert." in j.text()
        version.refresh_from_db()
        assert version.status == "published"

    with Journey(chromium, journey_server, "foresatt", "foresatt-timetable", phone=True) as g:
        g.start()
        g.menu("guardian-timetable")
        assert g.path.startswith("/portal/timeplan/")
        text = g.text()
        assert g.page.locator("[data-lesson]").count() > 0, "the guardian sees the child's lessons"
        subjects = set(version.requirements.filter(group__name="1A").values_list("subject_name", flat=True))
        assert subjects and all(name in text for name in subjects), "the child's class's subjects are in the week"
