"""FET and XHSTT files imported into a new draft: week, subjects, teachers matched by name, groups, rooms, lessons
and the file's timetable; a bad file is refused with every problem and nothing is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oas.errors import DomainError
from oas.organisation.models import OrgUnit
from oas.people.models import Employee
from tests.school.conftest import SchoolDemo, login, persona_user
from timetable import importing, services
from timetable.models import Lesson, Room, TimetableVersion, Unavailability

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
HDTT4 = Path("/work/shared/xhstt/ArtificialORLibrary-hdtt4.xml")


def _counts() -> tuple[int, int, int, int]:
    return (TimetableVersion.objects.count(), OrgUnit.objects.count(), Room.objects.count(), Lesson.objects.count())


def test_a_fet_file_becomes_a_draft_with_matched_teachers(school_demo: SchoolDemo) -> None:
    school = school_demo.school
    url = reverse("timetable:school", args=[school.pk])
    rektor = login("rektor")
    assert "Importer fra FET eller XHSTT" in rektor.get(url).content.decode()
    upload = SimpleUploadedFile("liten.fet", (DATA / "tiny.fet").read_bytes(), content_type="application/xml")
    response = rektor.post(url, {"handling": "importer", "fil": upload, "navn": "Fra FET"})
    assert response.status_code == 302
    version = TimetableVersion.objects.get(school=school, name="Fra FET")
    assert response["Location"] == reverse("timetable:version", args=[version.pk])
    assert version.status == "draft" and version.days_per_week == 2
    periods = list(version.periods.order_by("position"))
    assert [(p.start_time, p.end_time) for p in periods] == [
        (dt.time(8, 30), dt.time(9, 15)),
        (dt.time(9, 15), dt.time(10, 0)),
        (dt.time(10, 15), dt.time(11, 0)),
    ]
    lars = Employee.objects.get(person__first_name="Lars", person__last_name="Lærersen")
    maths = version.requirements.get(subject_name="Matematikk")
    assert (maths.subject_code, maths.hours_per_week, maths.double_lessons) == ("MAT", 3, 1)
    assert maths.group_id == school_demo.class_1a.pk  # the school's own class, matched by name
    assert list(maths.teachers.all()) == [lars]
    gym = version.requirements.get(subject_name="Kroppsøving")
    assert not gym.teachers.exists()  # "Ukjent Vikarsen" is not on the staff
    assert gym.group.name == "Fet 7X gr1" and gym.group.parent_id == school.pk
    assert sorted(c.name for c in gym.classes.all()) == ["Fet 7X", "Fet 7X gr1"]
    lessons = sorted(version.lessons.values_list("requirement__subject_code", "day", "position", "length", "locked"))
    assert lessons == [("KRO", 0, 3, 1, False), ("MAT", 0, 1, 2, True), ("MAT", 1, 2, 1, False)]
    gym_room = version.lessons.get(requirement=gym).room
    assert gym_room is not None and gym_room.name == "Gymsal Fet"
    # FET has no room types: the room's name says gym, and the lesson preferring it needs a gym.
    assert gym_room.kind == "gym" and gym.room_kind == "gym" and maths.room_kind == ""
    assert list(Unavailability.objects.filter(version=version).values_list("teacher_id", "day", "position")) == [
        (lars.pk, 1, 3)
    ]
    assert version.import_report["unmatched_teachers"] == ["Ukjent Vikarsen"]
    assert version.import_report["new_groups"] == ["Fet 7X", "Fet 7X gr1"]
    page = rektor.get(response["Location"]).content.decode()
    assert "Importert fra FET-filen liten.fet" in page and "Ukjent Vikarsen" in page


def test_a_bad_file_is_refused_with_every_problem_and_nothing_written(school_demo: SchoolDemo) -> None:
    url = reverse("timetable:school", args=[school_demo.school.pk])
    rektor = login("rektor")
    before = _counts()
    bad = (
        b"<fet><Days_List><Day><Name>Man</Name></Day></Days_List><Hours_List><Hour><Name>1</Name></Hour></Hours_List>"
        b"<Subjects_List><Subject><Name>Norsk</Name></Subject></Subjects_List>"
        b"<Teachers_List><Teacher><Name>Kari</Name></Teacher></Teachers_List><Students_List/>"
        b"<Activities_List><Activity><Teacher>Ola</Teacher><Subject>Norsk</Subject><Students>9Z</Students>"
        b"<Duration>1</Duration><Id>1</Id></Activity><Activity><Teacher>Kari</Teacher><Subject>Norsk</Subject>"
        b"<Students>9Z</Students><Duration>3</Duration><Id>2</Id></Activity></Activities_List></fet>"
    )
    response = rektor.post(url, {"handling": "importer", "fil": SimpleUploadedFile("feil.fet", bad)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Filen kan ikke importeres. Ingenting er lagret." in body
    assert "Aktivitet 1 viser til ukjent lærer «Ola», elevgruppe «9Z»." in body
    assert "Aktivitet 2 viser til ukjent elevgruppe «9Z»." in body
    not_xml = rektor.post(url, {"handling": "importer", "fil": SimpleUploadedFile("x.fet", b"<fet><x></fet>")})
    assert not_xml.status_code == 400 and "Filen er ikke gyldig XML" in not_xml.content.decode()
    other = rektor.post(url, {"handling": "importer", "fil": SimpleUploadedFile("x.xml", b"<html/>")})
    assert "verken en FET-fil" in other.content.decode()
    # A file placing a lesson on a day the week does not have: refused too.
    text = (
        (DATA / "tiny.fet")
        .read_text()
        .replace("<Preferred_Day>Tirsdag</Preferred_Day>", "<Preferred_Day>Lørdag</Preferred_Day>")
    )
    with pytest.raises(DomainError) as info:
        services.version_import(
            user=persona_user("rektor"), school_id=school_demo.school.pk, filename="x.fet", content=text.encode()
        )
    assert info.value.fields["fil"] == ["Aktivitet 2 er plassert på en ukjent dag eller time (Lørdag 09:15-10:00)."]
    assert _counts() == before


def test_import_is_for_the_schools_leaders(school_demo: SchoolDemo) -> None:
    url = reverse("timetable:school", args=[school_demo.school.pk])
    content = (DATA / "tiny.fet").read_bytes()
    before = _counts()
    assert (
        login("laerer").post(url, {"handling": "importer", "fil": SimpleUploadedFile("a.fet", content)}).status_code
        == 404
    )
    assert (
        login("foresatt").post(url, {"handling": "importer", "fil": SimpleUploadedFile("a.fet", content)}).status_code
        == 403
    )
    assert (
        login("annenlaerer")
        .post(url, {"handling": "importer", "fil": SimpleUploadedFile("a.fet", content)})
        .status_code
        == 404
    )
    other = reverse("timetable:school", args=[school_demo.other_school.pk])
    assert (
        login("rektor").post(other, {"handling": "importer", "fil": SimpleUploadedFile("a.fet", content)}).status_code
        == 404
    )
    assert _counts() == before


def test_an_xhstt_file_with_a_solution_becomes_a_draft(school_demo: SchoolDemo) -> None:
    result = services.version_import(
        user=persona_user("rektor"),
        school_id=school_demo.school.pk,
        filename="tiny-xhstt.xml",
        content=(DATA / "tiny-xhstt.xml").read_bytes(),
    )
    version = result.version
    assert version.name == "Import fra XHSTT: Liten XHSTT" and version.days_per_week == 2
    assert version.periods.count() == 2
    assert result.unmatched_teachers == ["Tove Tavle"] and result.new_groups == ["X1", "X2"]
    assert result.new_rooms == ["Rom X"]
    assert sorted(version.requirements.values_list("subject_name", "group__name", "hours_per_week")) == [
        ("Matematikk", "X1", 2),
        ("Matematikk", "X2", 2),
    ]
    lessons = sorted(version.lessons.values_list("requirement__group__name", "day", "position", "length"))
    assert lessons == [("X1", 0, 1, 1), ("X1", 1, 1, 1), ("X2", 0, 1, 1), ("X2", 0, 2, 1)]
    assert version.lessons.filter(requirement__group__name="X1", room__name="Rom X").count() == 2


def test_a_fet_file_names_the_active_rules_it_does_not_read(school_demo: SchoolDemo) -> None:
    extra = (
        "<ConstraintTeacherMaxGapsPerWeek><Weight_Percentage>100</Weight_Percentage><Teacher>Lars Lærersen</Teacher>"
        "<Max_Gaps>2</Max_Gaps><Active>true</Active></ConstraintTeacherMaxGapsPerWeek>"
        "<ConstraintTeacherMaxGapsPerWeek><Weight_Percentage>100</Weight_Percentage><Teacher>Ukjent Vikarsen</Teacher>"
        "<Max_Gaps>0</Max_Gaps><Active>false</Active></ConstraintTeacherMaxGapsPerWeek>"
        "</Time_Constraints_List>"
    )
    weak_room = (
        "<ConstraintActivityPreferredRoom><Weight_Percentage>50</Weight_Percentage><Activity_Id>1</Activity_Id>"
        "<Room>Gymsal Fet</Room><Permanently_Locked>false</Permanently_Locked><Active>true</Active>"
        "</ConstraintActivityPreferredRoom></Space_Constraints_List>"
    )
    content = ((DATA / "tiny.fet").read_text().replace("</Time_Constraints_List>", extra)).replace(
        "</Space_Constraints_List>", weak_room
    )
    data = importing.parse_file(filename="liten.fet", content=content.encode())
    assert data.notes == [
        "Ikke lest inn (skolens egne regler og vekter gjelder i stedet): ConstraintActivityPreferredRoom 50 % (1), "
        "ConstraintTeacherMaxGapsPerWeek (1)."
    ]
    assert importing.parse_file(filename="liten.fet", content=(DATA / "tiny.fet").read_bytes()).notes == []
    result = services.version_import(
        user=persona_user("rektor"), school_id=school_demo.school.pk, filename="liten.fet", content=content.encode()
    )
    page = login("rektor").get(reverse("timetable:version", args=[result.version.pk])).content.decode()
    assert "ConstraintTeacherMaxGapsPerWeek (1)" in page


CONSTRAINTS = """<Constraints>
  <AvoidClashesConstraint Id="a"><Required>true</Required><Weight>1</Weight><CostFunction>Linear</CostFunction>
    <AppliesTo><Resources><Resource Reference="T1"/></Resources></AppliesTo></AvoidClashesConstraint>
  <AvoidUnavailableTimesConstraint Id="u1"><Required>true</Required><Weight>1</Weight>
    <CostFunction>Linear</CostFunction><AppliesTo><Resources><Resource Reference="T1"/></Resources></AppliesTo>
    <Times><Time Reference="t3"/></Times></AvoidUnavailableTimesConstraint>
  <AvoidUnavailableTimesConstraint Id="u2"><Required>true</Required><Weight>1</Weight>
    <CostFunction>Linear</CostFunction><AppliesTo><Resources><Resource Reference="R1"/></Resources></AppliesTo>
    <TimeGroups><TimeGroup Reference="Mo"/></TimeGroups></AvoidUnavailableTimesConstraint>
  <AvoidUnavailableTimesConstraint Id="u3"><Required>false</Required><Weight>1</Weight>
    <CostFunction>Linear</CostFunction><AppliesTo><Resources><Resource Reference="T1"/></Resources></AppliesTo>
    <Times><Time Reference="t0"/></Times></AvoidUnavailableTimesConstraint>
  <SpreadEventsConstraint Id="s"><Required>true</Required><Weight>1</Weight><CostFunction>Linear</CostFunction>
    <AppliesTo><EventGroups/></AppliesTo><TimeGroups/></SpreadEventsConstraint>
</Constraints>"""


def test_an_xhstt_file_gives_the_unavailable_times_and_names_the_rules_it_does_not_read(
    school_demo: SchoolDemo,
) -> None:
    """A required AvoidUnavailableTimes on a teacher (a time) and on a room (a day, as a time group) become their
    unavailable times; a soft one, and a rule OAS has no place for, are named as not read."""
    content = (
        (DATA / "tiny-xhstt.xml")
        .read_text()
        .replace('<Constraints><AvoidClashesConstraint Id="a"/></Constraints>', CONSTRAINTS)
    )
    data = importing.parse_file(filename="tiny.xml", content=content.encode())
    assert data.unavailable == [("Tove Tavle", 1, 1)]
    assert data.room_unavailable == [("Rom X", 0, 0), ("Rom X", 0, 1)]
    read, not_read = data.notes[-2:]
    assert read == "Lest inn fra filens regler: AvoidClashesConstraint (1), AvoidUnavailableTimesConstraint (2)."
    assert not_read.startswith("Ikke lest inn") and "AvoidUnavailableTimesConstraint (1)" in not_read
    assert "SpreadEventsConstraint (1)" in not_read

    result = services.version_import(
        user=persona_user("rektor"), school_id=school_demo.school.pk, filename="tiny.xml", content=content.encode()
    )
    rows = Unavailability.objects.filter(version=result.version, room__name="Rom X")
    assert sorted(rows.values_list("day", "position")) == [(0, 1), (0, 2)]


def test_an_xhstt_file_with_a_workload_that_is_no_number_is_refused() -> None:
    content = (
        (DATA / "tiny-xhstt.xml")
        .read_text()
        .replace("<Duration>2</Duration>", "<Duration>2</Duration><Workload>x</Workload>", 1)
    )
    with pytest.raises(importing.ImportError_) as refused:
        importing.parse_file(filename="tiny.xml", content=content.encode())
    assert "helt tall" in refused.value.problems[0]


@pytest.mark.skipif(not HDTT4.exists(), reason="no XHSTT files")
def test_the_hdtt4_instance_imports_with_its_solution(school_demo: SchoolDemo) -> None:
    result = services.version_import(
        user=persona_user("rektor"), school_id=school_demo.school.pk, filename=HDTT4.name, content=HDTT4.read_bytes()
    )
    version = result.version
    assert version.days_per_week == 5 and version.periods.count() == 6
    assert version.requirements.count() == HDTT4.read_text().count("<Event Id=")  # one requirement per event
    # hdtt4: every time of the week is used by every class (4 classes × 30 times = 120 lessons of one period).
    assert sum(version.requirements.values_list("hours_per_week", flat=True)) == version.lessons.count() == 120
    assert len(result.new_groups) == 4 and len(result.unmatched_teachers) == 4
