"""The version's data maintained outside the admin: requirements, frames, unavailable times, the school day and
rooms — added, edited and deleted by the school's leader (htmx or plain posts), refused for everyone else."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from oas.people.models import Employee
from tests.school.conftest import SchoolDemo, login
from timetable import services
from timetable.demo import demo_version_build
from timetable.models import Period, Requirement, Room, TeacherFrame, TimetableVersion, Unavailability

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def draft(school_demo: SchoolDemo, frozen_today: dt.date) -> TimetableVersion:
    return demo_version_build(school=school_demo.school, day=frozen_today)


def _lars() -> Employee:
    return Employee.objects.get(person__first_name="Lars", person__last_name="Lærersen")


def test_the_version_page_leads_to_every_data_page(draft: TimetableVersion) -> None:
    rektor = login("rektor")
    page = rektor.get(reverse("timetable:version", args=[draft.pk])).content.decode()
    for kind in ("timekrav", "rammer", "utilgjengelig", "skoledagen", "rom"):
        url = reverse("timetable:data", args=[draft.pk, kind])
        assert f'href="{url}"' in page
        response = rektor.get(url)
        assert response.status_code == 200, kind
        assert "<title>" in response.content.decode() and draft.name in response.content.decode()
    teacher_page = login("laerer").get(reverse("timetable:version", args=[draft.pk])).content.decode()
    assert reverse("timetable:data", args=[draft.pk, "timekrav"]) not in teacher_page


def test_a_requirement_is_added_edited_and_deleted(draft: TimetableVersion, school_demo: SchoolDemo) -> None:
    rektor, url = login("rektor"), reverse("timetable:data", args=[draft.pk, "timekrav"])
    data = {
        "subject_code": "PROG",
        "subject_name": "Programmering",
        "group": school_demo.class_1a.pk,
        "teachers": [_lars().pk],
        "hours_per_week": 3,
        "double_lessons": 1,
        "max_per_day": 2,
        "room_kind": "",
    }
    assert rektor.post(url, data).status_code == 302
    req = Requirement.objects.get(version=draft, subject_code="PROG")
    assert list(req.classes.all()) == [school_demo.class_1a] and list(req.teachers.all()) == [_lars()]
    assert req.lengths == [2, 1]
    # Too many double lessons for the hours: the error summary names the field; nothing saved.
    bad = rektor.post(url, {**data, "subject_code": "X", "hours_per_week": 1}, headers=HTMX)
    assert bad.status_code == 400
    body = bad.content.decode()
    assert 'id="data-panel"' in body and "<html" not in body  # the htmx panel only
    assert "Rett opp dette for å lagre:" in body and "for mange dobbelttimer" in body
    assert not Requirement.objects.filter(version=draft, subject_code="X").exists()
    edit = reverse("timetable:data_edit", args=[draft.pk, "timekrav", req.pk])
    assert 'value="Programmering"' in rektor.get(edit).content.decode()
    ok = rektor.post(edit, {**data, "hours_per_week": 4}, headers=HTMX)
    assert ok.status_code == 200 and "Lagret." in ok.content.decode()
    req.refresh_from_db()
    assert req.hours_per_week == 4
    assert rektor.post(edit, {"handling": "slett"}).status_code == 302
    assert not Requirement.objects.filter(pk=req.pk).exists()


def test_frames_unavailable_times_the_day_and_rooms(draft: TimetableVersion) -> None:
    rektor, lars = login("rektor"), _lars()
    TeacherFrame.objects.filter(version=draft, teacher=lars).delete()
    frames = reverse("timetable:data", args=[draft.pk, "rammer"])
    frame = {"teacher": lars.pk, "position_percent": 80, "frame_hours": 16, "preferred_free_day": 4}
    assert rektor.post(frames, frame).status_code == 302
    assert TeacherFrame.objects.get(version=draft, teacher=lars).preferred_free_day == 4
    again = rektor.post(frames, frame)
    assert again.status_code == 400 and "allerede en ramme" in again.content.decode()

    unavailable = reverse("timetable:data", args=[draft.pk, "utilgjengelig"])
    assert rektor.post(unavailable, {"teacher": lars.pk, "day": 2, "position": ""}).status_code == 302
    assert Unavailability.objects.filter(version=draft, teacher=lars, day=2, position=None).exists()
    assert rektor.post(unavailable, {"teacher": lars.pk, "day": 6, "position": ""}).status_code == 400  # no Sunday

    day = reverse("timetable:data", args=[draft.pk, "skoledagen"])
    period = {"position": 9, "kind": "lesson", "label": "7", "start_time": "15:15", "end_time": "16:00", "late": "on"}
    assert rektor.post(day, period).status_code == 302
    assert Period.objects.get(version=draft, position=9).late
    clash = rektor.post(day, {**period, "position": 10, "start_time": "15:30"})
    assert clash.status_code == 400 and "overlapper" in clash.content.decode()
    assert (
        rektor.post(
            day, {"handling": "uke", "days_per_week": 4, "period_minutes": 60, "weeks_per_year": 38}
        ).status_code
        == 302
    )
    draft.refresh_from_db()
    assert draft.days_per_week == 4

    rooms = reverse("timetable:data", args=[draft.pk, "rom"])
    room = {"code": "LAB2", "name": "Lab 2", "kind": "science", "capacity": 24}
    assert rektor.post(rooms, room).status_code == 302
    made = Room.objects.get(school=draft.school, code="LAB2")
    assert made.kind == "science" and not made.shared
    assert rektor.post(rooms, room).status_code == 400  # the code is taken
    edit = reverse("timetable:data_edit", args=[draft.pk, "rom", made.pk])
    assert rektor.post(edit, {**room, "capacity": 30, "shared": "on"}).status_code == 302
    made.refresh_from_db()
    assert made.capacity == 30 and made.shared


def test_only_the_schools_leader_maintains_the_data(draft: TimetableVersion, school_demo: SchoolDemo) -> None:
    url = reverse("timetable:data", args=[draft.pk, "rom"])
    room = {"code": "X1", "name": "X", "kind": "classroom", "capacity": 20}
    assert login("laerer").get(url).status_code == 403
    assert login("laerer").post(url, room).status_code == 403
    assert login("foresatt").get(url).status_code == 403
    assert login("annenlaerer").get(url).status_code == 403
    other = services.version_create(
        school_id=school_demo.other_school.pk, name="Annen", valid_from=draft.valid_from, valid_to=draft.valid_to
    )
    assert login("rektor").get(reverse("timetable:data", args=[other.pk, "rom"])).status_code == 404
    assert login("rektor").post(reverse("timetable:data", args=[other.pk, "rom"]), room).status_code == 404
    assert login("rektor").get(reverse("timetable:data", args=[draft.pk, "ukjent"])).status_code == 404
    foreign = Room.objects.create(school=school_demo.other_school, code="Z", name="Z")
    assert login("rektor").get(reverse("timetable:data_edit", args=[draft.pk, "rom", foreign.pk])).status_code == 404
    assert not Room.objects.filter(code="X1").exists()


def test_a_published_version_is_not_changed(draft: TimetableVersion, school_demo: SchoolDemo) -> None:
    TimetableVersion.objects.filter(pk=draft.pk).update(status="published")
    url = reverse("timetable:data", args=[draft.pk, "timekrav"])
    before = Requirement.objects.filter(version=draft).count()
    page = login("rektor").get(url)
    assert (
        page.status_code == 200
        and "kan ikke endres" in page.content.decode()
        and "Legg til" not in page.content.decode()
    )
    response = login("rektor").post(
        url,
        {
            "subject_code": "X",
            "subject_name": "X",
            "group": school_demo.class_1a.pk,
            "hours_per_week": 1,
            "double_lessons": 0,
            "max_per_day": 1,
        },
    )
    assert response.status_code == 302
    assert Requirement.objects.filter(version=draft).count() == before
