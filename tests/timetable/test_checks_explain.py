"""Checks before solving, and an impossible school explained in Norwegian; relaxing one requirement solves it."""

from __future__ import annotations

import datetime as dt

import pytest

from oas.demo_personas import PERSONAS
from oas.people.models import Employee
from tests.school.conftest import SchoolDemo
from tests.timetable.conftest import persona_user
from timetable import services
from timetable.checks import version_check
from timetable.models import Requirement, RoomKind, RunStatus, TimetableVersion, Unavailability

pytestmark = pytest.mark.django_db


def _teacher(key: str = "laerer") -> Employee:
    persona = next(p for p in PERSONAS if p.key == key)
    return Employee.objects.select_related("person").get(employee_number=persona.employee_number)


def _version(demo: SchoolDemo, day: dt.date) -> TimetableVersion:
    return services.version_create(
        school_id=demo.school.pk, name="Prøve", valid_from=day, valid_to=day + dt.timedelta(days=30)
    )


def _requirement(version: TimetableVersion, demo: SchoolDemo, teacher: Employee, **kw: object) -> Requirement:
    req = Requirement.objects.create(version=version, group=demo.class_1a, **kw)
    req.classes.set([demo.class_1a])
    req.teachers.set([teacher])
    return req


def test_checks_name_load_against_availability_rooms_and_udir_minimums(
    school_demo: SchoolDemo, frozen_today: dt.date
) -> None:
    teacher = _teacher()
    name = f"{teacher.person.first_name} {teacher.person.last_name}"
    version = _version(school_demo, frozen_today)
    _requirement(
        version, school_demo, teacher, subject_code="NOR", subject_name="Norsk", hours_per_week=27, max_per_day=6
    )
    _requirement(
        version,
        school_demo,
        _teacher(),
        subject_code="KRO",
        subject_name="Kroppsøving",
        hours_per_week=2,
        room_kind=RoomKind.GYM,
    )
    _requirement(
        version, school_demo, _teacher("kontaktlaerer"), subject_code="NAT", subject_name="Naturfag", hours_per_week=1
    )
    Unavailability.objects.create(version=version, teacher=teacher, day=4)  # Friday off: 24 of 30 periods
    texts = [f.text for f in version_check(version=version)]
    assert f"{name} skal ha 29 timer, men er bare tilgjengelig i 24." in texts
    assert any(t.startswith("Timene trenger 2 timer i gymsal i uken, men skolen har bare 0") for t in texts)
    assert not any(t.startswith("1A skal ha") for t in texts)  # 30 fits a week of 30
    # One hour of science a week (38 a year) is below 1.–7. trinn's share of 366 hours even with 10 % moved.
    assert any("Udirs minstetimetall" in t and "NAT" in t for t in texts)
    assert not any("Udirs minstetimetall" in t and "KRO" in t for t in texts)  # 76 a year is enough
    assert any(t.startswith("1A har ingen timer i") and "MAT" in t for t in texts)


def test_an_impossible_school_is_explained_and_solved_after_relaxing_one_requirement(
    school_demo: SchoolDemo, frozen_today: dt.date, django_capture_on_commit_callbacks: object
) -> None:
    teacher = _teacher()
    name = f"{teacher.person.first_name} {teacher.person.last_name}"
    user = persona_user("rektor")
    version = _version(school_demo, frozen_today)
    version.weight_teacher_gaps = version.weight_spread = version.weight_late = version.weight_free_day = 0
    version.save()
    _requirement(
        version, school_demo, teacher, subject_code="NOR", subject_name="Norsk", hours_per_week=27, max_per_day=6
    )
    for day in (3, 4):
        Unavailability.objects.create(version=version, teacher=teacher, day=day)  # 18 of 30 periods left
    with django_capture_on_commit_callbacks(execute=False):  # type: ignore[operator]
        run = services.run_start(version_id=version.pk, user=user, time_limit=20)
    services.run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.INFEASIBLE
    texts = {item["key"]: item["text"] for item in run.explanation}
    assert texts[f"avail:{teacher.pk}"] == f"{name} skal ha 27 timer, men er bare tilgjengelig i 18."
    assert any(t.startswith("1A skal ha 27 timer norsk") for t in texts.values())
    with django_capture_on_commit_callbacks(execute=False):  # type: ignore[operator]
        again = services.run_start(version_id=version.pk, user=user, time_limit=20, relaxed=[f"avail:{teacher.pk}"])
    services.run_execute(run_id=again.pk)
    again.refresh_from_db()
    assert again.status == RunStatus.DONE, again.message
    assert sum(lsn.length for lsn in version.lessons.all()) == 27
