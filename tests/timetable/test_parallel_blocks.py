"""Parallel blocks (valgfag, språkfag across classes at the same time) kept on the version's data pages: created,
edited and deleted by the school's leader on a draft, refused with a clear reason when the lessons cannot be at the
same time, refused for everyone else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from oas.people.models import Employee
from tests.school.conftest import SchoolDemo, login
from timetable import services
from timetable.demo import demo_version_build
from timetable.models import ParallelBlock, Requirement, TimetableVersion

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def draft(school_demo: SchoolDemo, frozen_today: dt.date) -> TimetableVersion:
    return demo_version_build(school=school_demo.school, day=frozen_today)


def _language_groups(draft: TimetableVersion, school_demo: SchoolDemo) -> list[Requirement]:
    """Spanish, German and French for 1A (two hours each), each with its own teacher; a fourth, longer one."""
    teachers = list(Employee.objects.filter(timetable_requirements__version=draft).distinct().order_by("pk")[:3])
    assert len(teachers) == 3
    made = []
    for code, name, hours, teacher in (
        ("SPA", "Spansk", 2, teachers[0]),
        ("TYS", "Tysk", 2, teachers[1]),
        ("FRA", "Fransk", 2, teachers[0]),
        ("ENF", "Engelsk fordypning", 3, teachers[2]),
    ):
        req = Requirement.objects.create(
            version=draft, subject_code=code, subject_name=name, group=school_demo.class_1a, hours_per_week=hours
        )
        req.classes.set([school_demo.class_1a])
        req.teachers.set([teacher])
        made.append(req)
    return made


def test_the_leader_creates_edits_and_deletes_a_parallel_block_from_the_versions_navigation(
    draft: TimetableVersion, school_demo: SchoolDemo
) -> None:
    spanish, german, french, english = _language_groups(draft, school_demo)
    rektor = login("rektor")
    url = reverse("timetable:data", args=[draft.pk, "blokker"])
    assert f'href="{url}"' in rektor.get(reverse("timetable:version", args=[draft.pk])).content.decode()
    assert rektor.get(url).status_code == 200

    assert rektor.post(url, {"name": "Språk 8. trinn", "requirements": [spanish.pk, german.pk]}).status_code == 302

    block = ParallelBlock.objects.get(version=draft, name="Språk 8. trinn")
    assert set(block.requirements.all()) == {spanish, german}
    page = rektor.get(url).content.decode()
    assert f'data-row="{block.pk}"' in page and "Spansk" in page and "Tysk" in page
    # Lessons of different lengths: refused, with the reason; nothing saved.
    edit = reverse("timetable:data_edit", args=[draft.pk, "blokker", block.pk])
    longer = rektor.post(edit, {"name": "Språk", "requirements": [spanish.pk, english.pk]}, headers=HTMX)
    assert longer.status_code == 400 and "må være like lange" in longer.content.decode()
    # Two of the lessons share a teacher: refused, naming the teacher.
    shared = rektor.post(edit, {"name": "Språk", "requirements": [spanish.pk, french.pk]}, headers=HTMX)
    assert shared.status_code == 400
    assert "kan ikke ha dem samtidig" in shared.content.decode()
    # One lesson alone is no block.
    alone = rektor.post(url, {"name": "Alene", "requirements": [english.pk]}, headers=HTMX)
    assert alone.status_code == 400 and "minst to" in alone.content.decode()
    # A lesson already in another block.
    taken = rektor.post(url, {"name": "Annen", "requirements": [german.pk, french.pk]}, headers=HTMX)
    assert taken.status_code == 400 and "allerede i blokka" in taken.content.decode()
    block.refresh_from_db()
    assert block.name == "Språk 8. trinn" and set(block.requirements.all()) == {spanish, german}
    assert ParallelBlock.objects.filter(version=draft).count() == 1
    # Edited: French instead of Spanish (French's teacher differs from German's).
    ok = rektor.post(edit, {"name": "Språk", "requirements": [german.pk, french.pk]}, headers=HTMX)
    assert ok.status_code == 200 and "Lagret." in ok.content.decode()
    block.refresh_from_db()
    assert block.name == "Språk" and set(block.requirements.all()) == {german, french}
    spanish.refresh_from_db()
    assert spanish.block_id is None
    # The solver's input carries the block.
    from timetable.selectors import solver_input

    blocks = {r.block for r in solver_input(version=draft).problem.requirements if r.block is not None}
    assert blocks == {block.pk}
    # Deleted: the lessons stay, outside any block.
    assert rektor.post(edit, {"handling": "slett"}).status_code == 302
    assert not ParallelBlock.objects.filter(pk=block.pk).exists()
    assert not Requirement.objects.filter(version=draft, block__isnull=False).exists()


def test_only_the_schools_leader_keeps_parallel_blocks_and_only_on_a_draft(
    draft: TimetableVersion, school_demo: SchoolDemo
) -> None:
    spanish, german, _french, _english = _language_groups(draft, school_demo)
    url = reverse("timetable:data", args=[draft.pk, "blokker"])
    data = {"name": "Språk", "requirements": [spanish.pk, german.pk]}
    assert login("laerer").get(url).status_code == 403
    assert login("laerer").post(url, data).status_code == 403
    assert login("foresatt").post(url, data).status_code == 403
    assert login("annenlaerer").get(url).status_code == 403
    other = services.version_create(
        school_id=school_demo.other_school.pk, name="Annen", valid_from=draft.valid_from, valid_to=draft.valid_to
    )
    assert login("rektor").post(reverse("timetable:data", args=[other.pk, "blokker"]), data).status_code == 404
    # Another version's requirements are not offered.
    other_req = Requirement.objects.create(
        version=other, subject_code="X", subject_name="X", group=school_demo.class_1a, hours_per_week=2
    )
    foreign = login("rektor").post(url, {"name": "Fremmed", "requirements": [spanish.pk, other_req.pk]}, headers=HTMX)
    assert foreign.status_code == 400
    assert not ParallelBlock.objects.exists()
    # Published: not changed.
    TimetableVersion.objects.filter(pk=draft.pk).update(status="published")
    assert login("rektor").post(url, data).status_code == 302
    assert not ParallelBlock.objects.exists()
