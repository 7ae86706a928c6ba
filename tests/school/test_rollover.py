"""School-year rollover: every pupil up a grade, new classes from the old, 10th-graders leave, nothing lost, once."""

from __future__ import annotations

import datetime as dt

import pytest

from oas.audit.models import AuditEvent
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import GroupAssignment, GroupRole, Placement, Service
from oas.periods import DATED, active_on
from school.models import ClassSuccession, PupilAttendance, Rollover
from school.rollover import rollover_plan, school_year_current
from tests.school.conftest import SchoolDemo, login

pytestmark = pytest.mark.django_db


def _state() -> tuple[list[tuple], list[tuple], list[tuple]]:
    placements = list(
        Placement.objects.filter(service=Service.SCHOOL)
        .order_by("pk")
        .values_list("pk", "child_id", "unit_id", "group_id", "start_date", "end_date")
    )
    units = list(OrgUnit.objects.order_by("pk").values_list("pk", "code", "valid_from", "valid_to"))
    assignments = list(GroupAssignment.objects.order_by("pk").values_list("pk", "group_id", "valid_from", "valid_to"))
    return placements, units, assignments


def _pupils_by_grade(day: dt.date) -> dict[int, tuple[int | None, int]]:
    """pupil id → (grade, school id) of the school placement on ``day``."""
    rows = Placement.objects.filter(active_on(day, fields=DATED), service=Service.SCHOOL, group__isnull=False)
    return {c: (g, u) for c, g, u in rows.values_list("child_id", "group__grade", "unit_id")}


def test_rollover_moves_every_pupil_up_and_tenth_graders_leave(school_demo: SchoolDemo) -> None:
    year = school_year_current(municipality=school_demo.school.municipality)
    assert year is not None
    before = _pupils_by_grade(year.end_date)
    assert any(g == 10 for g, _u in before.values()) and any(g == 7 for g, _u in before.values())
    placements_before = set(Placement.objects.values_list("pk", flat=True))
    attendance_before = PupilAttendance.objects.count()

    client = login("opptak")
    assert client.get("/skole/skolearsskifte/").status_code == 200
    response = client.post("/skole/skolearsskifte/", {"skolear": year.pk})
    assert response.status_code == 302

    rollover = Rollover.objects.get()
    start = rollover.to_year.start_date
    after = _pupils_by_grade(start)
    schools = {u.pk: u for u in OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL)}
    for pupil, (grade, school_id) in before.items():
        if grade == 10:
            assert pupil not in after  # left school
            assert Placement.objects.filter(child_id=pupil, service=Service.SCHOOL, end_date=year.end_date).exists()
            continue
        new_grade, new_school = after[pupil]
        assert grade is not None and new_grade == grade + 1
        if grade == schools[school_id].last_grade:
            assert schools[new_school].first_grade == grade + 1  # on to the lower secondary school
        else:
            assert new_school == school_id
    # Nothing lost: every placement and attendance row is still there; the old classes end the day before.
    assert placements_before <= set(Placement.objects.values_list("pk", flat=True))
    assert PupilAttendance.objects.count() == attendance_before
    assert OrgUnit.objects.get(pk=school_demo.class_1a.pk).valid_to == start - dt.timedelta(days=1)
    assert ClassSuccession.objects.get(old_class=school_demo.class_1a).new_class.name == "2A"
    # Today nothing has changed yet: 1A is still the child's class.
    assert Placement.objects.filter(
        active_on(year.start_date, fields=DATED), child=school_demo.child_1a, group=school_demo.class_1a
    ).exists()
    assert AuditEvent.objects.filter(
        event="school.rollover.run", person_ids__contains=[school_demo.child_1a.pk]
    ).exists()


def test_running_twice_is_the_same_as_once(school_demo: SchoolDemo) -> None:
    year = school_year_current(municipality=school_demo.school.municipality)
    assert year is not None
    client = login("opptak")
    client.post("/skole/skolearsskifte/", {"skolear": year.pk})
    once = _state()
    response = client.post("/skole/skolearsskifte/", {"skolear": year.pk}, follow=True)
    assert response.status_code == 200
    assert "allerede kjørt" in response.content.decode()
    assert _state() == once
    assert Rollover.objects.count() == 1


def test_the_contact_teacher_follows_the_class(school_demo: SchoolDemo) -> None:
    year = school_year_current(municipality=school_demo.school.municipality)
    assert year is not None
    teacher = GroupAssignment.objects.get(group=school_demo.class_1a, role=GroupRole.CONTACT_TEACHER).employee_id
    login("opptak").post("/skole/skolearsskifte/", {"skolear": year.pk})
    new_class = ClassSuccession.objects.get(old_class=school_demo.class_1a).new_class
    assert GroupAssignment.objects.filter(
        group=new_class, employee_id=teacher, role=GroupRole.CONTACT_TEACHER, valid_from=new_class.valid_from
    ).exists()


def test_preview_writes_nothing(school_demo: SchoolDemo) -> None:
    year = school_year_current(municipality=school_demo.school.municipality)
    assert year is not None
    state = _state()
    plan = rollover_plan(municipality=school_demo.school.municipality, from_year=year)
    assert plan.pupils_moving > 0 and plan.pupils_leaving > 0 and plan.done is None
    body = login("opptak").get("/skole/skolearsskifte/").content.decode()
    assert f"{plan.pupils_moving} elever flyttes opp" in body
    assert _state() == state


def test_pupils_without_a_next_school_refuse_the_rollover(school_demo: SchoolDemo) -> None:
    year = school_year_current(municipality=school_demo.school.municipality)
    assert year is not None
    OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL, first_grade=8).update(first_grade=9)  # no lower secondary for 7th
    state = _state()
    response = login("opptak").post("/skole/skolearsskifte/", {"skolear": year.pk}, follow=True)
    assert response.status_code == 200
    assert "ingen skole å gå videre til" in response.content.decode()
    assert _state() == state and not Rollover.objects.exists()
    denied = AuditEvent.objects.get(event="school.rollover.denied")
    assert denied.person_ids


def test_a_stale_form_is_refused(school_demo: SchoolDemo) -> None:
    response = login("opptak").post("/skole/skolearsskifte/", {"skolear": "0"}, follow=True)
    assert response.status_code == 200
    assert not Rollover.objects.exists()


@pytest.mark.parametrize("persona", ["rektor", "laerer", "foresatt"])
def test_only_the_sector_office_runs_the_rollover(school_demo: SchoolDemo, persona: str) -> None:
    client = login(persona)
    assert client.get("/skole/skolearsskifte/").status_code == 403
    assert client.post("/skole/skolearsskifte/", {"skolear": "1"}).status_code == 403
    assert not Rollover.objects.exists()


def test_teaching_groups_are_carried_over_with_members_up_a_grade_and_teachers(school_demo: SchoolDemo) -> None:
    from school.models import GroupMembership, TeachingGroup

    year = school_year_current(municipality=school_demo.school.municipality)
    assert year is not None
    old = school_demo.english_1
    members = set(
        GroupMembership.objects.filter(active_on(year.end_date), group=old).values_list("pupil_id", flat=True)
    )
    teachers = set(GroupAssignment.objects.filter(group=old).values_list("employee_id", "role"))
    assert members and teachers
    old_groups = TeachingGroup.objects.filter(school_year=year).count()
    tenth = TeachingGroup.objects.filter(school_year=year, unit__name__startswith="10").select_related("unit").first()
    assert tenth is not None  # a 10th-grade group (its pupils leave): not carried

    client = login("opptak")
    assert client.post("/skole/skolearsskifte/", {"skolear": year.pk}).status_code == 302

    rollover = Rollover.objects.get()
    start, cutover = rollover.to_year.start_date, rollover.to_year.start_date - dt.timedelta(days=1)
    new = ClassSuccession.objects.get(old_class=old).new_class
    assert (new.kind, new.name, new.parent_id, new.valid_from) == ("group", "2. trinn engelsk", old.parent_id, start)
    tg = TeachingGroup.objects.get(unit=new)
    assert (tg.school_year_id, tg.subject.code) == (rollover.to_year.pk, "ENG")
    assert set(GroupMembership.objects.filter(active_on(start), group=new).values_list("pupil_id", flat=True)) == (
        members
    )
    assert (
        set(GroupAssignment.objects.filter(active_on(start), group=new).values_list("employee_id", "role")) == teachers
    )
    # The old group keeps its history and ends the day before; so do its memberships and teachers.
    assert OrgUnit.objects.get(pk=old.pk).valid_to == cutover
    assert not GroupMembership.objects.filter(active_on(start), group=old).exists()
    assert GroupMembership.objects.filter(group=old, valid_to=cutover).count() == len(members)
    assert not GroupAssignment.objects.filter(active_on(start), group=old).exists()
    assert not ClassSuccession.objects.filter(old_class=tenth.unit).exists()
    assert OrgUnit.objects.get(pk=tenth.unit_id).valid_to == cutover
    assert (
        rollover.counts["teaching_groups_created"] == TeachingGroup.objects.filter(school_year=rollover.to_year).count()
    )
    assert 0 < rollover.counts["teaching_groups_created"] < old_groups

    # Twice is the same as once.
    memberships = list(GroupMembership.objects.order_by("pk").values_list("pk", "group_id", "valid_from", "valid_to"))
    groups = TeachingGroup.objects.count()
    client.post("/skole/skolearsskifte/", {"skolear": year.pk})
    assert memberships == list(
        GroupMembership.objects.order_by("pk").values_list("pk", "group_id", "valid_from", "valid_to")
    )
    assert TeachingGroup.objects.count() == groups
