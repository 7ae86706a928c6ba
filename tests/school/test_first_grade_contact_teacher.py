"""Kontaktlærer (opplæringslova § 14-2) for the new 1st-grade classes: the principal assigns one per class from the
school's page of groups and teachers, and has a task in the arbeidsflate while a new class has none."""

from __future__ import annotations

import pytest
from django.test import Client

from oas.audit.models import AuditEvent
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Employee, GroupAssignment, GroupRole
from school.arbeidsflate import FirstGradeContactTeacherProvider
from school.first_grade import first_grade_plan
from school.models import SchoolSettings
from tests import factories as f
from tests.school.conftest import SchoolDemo, login, persona_user

pytestmark = pytest.mark.django_db


def _new_classes(demo: SchoolDemo) -> list[OrgUnit]:
    SchoolSettings.objects.update_or_create(
        municipality=demo.school.municipality, defaults={"first_grade_max_class_size": 1}
    )
    assert login("rektor").post(f"/skole/{demo.school.pk}/forste-trinn/").status_code == 302
    plan = first_grade_plan(school=demo.school)
    assert plan is not None
    classes = list(
        OrgUnit.objects.filter(
            parent=demo.school, kind=OrgUnitKind.CLASS, grade=1, valid_from=plan.school_year.start_date
        ).order_by("name")
    )
    assert len(classes) >= 2
    return classes


def _laerer() -> Employee:
    account = persona_user("laerer").account
    return Employee.objects.get(pk=account.employee_id)


def test_the_principal_assigns_a_contact_teacher_to_each_new_first_grade_class(school_demo: SchoolDemo) -> None:
    classes = _new_classes(school_demo)
    rektor_user = persona_user("rektor")
    provider = FirstGradeContactTeacherProvider()
    (task,) = provider.tasks_for(user=rektor_user)
    assert task.count == len(classes) and task.unit_id == school_demo.school.pk
    assert task.url == f"/skole/{school_demo.school.pk}/grupper/#kontaktlaerer-1-trinn"
    assert sorted(task.details["classes"]) == sorted(c.pk for c in classes)
    # The current 1A (with pupils, of an earlier school year) is not a new class.
    assert school_demo.class_1a.pk not in task.details["classes"]
    # The arbeidsflate shows it to the principal, and the teacher does not get it.
    assert provider.tasks_for(user=persona_user("laerer")) == []

    rektor = login("rektor")
    page = rektor.get(f"/skole/{school_demo.school.pk}/grupper/")
    assert page.status_code == 200
    html = page.content.decode()
    for klass in classes:
        assert f'data-new-class="{klass.pk}"' in html
    assert html.count("data-missing-contact-teacher") == len(classes)

    teacher = _laerer()
    response = rektor.post(
        f"/skole/{school_demo.school.pk}/grupper/",
        {"gruppe": classes[0].pk, "ansatt": teacher.pk, "rolle": GroupRole.CONTACT_TEACHER},
    )
    assert response.status_code == 302
    assignment = GroupAssignment.objects.get(group=classes[0], employee=teacher)
    # The class begins next school year: the kontaktlærer from its first day, not from today.
    assert (assignment.role, assignment.valid_from) == (GroupRole.CONTACT_TEACHER, classes[0].valid_from)
    assert AuditEvent.objects.filter(event="school.teacher.assign", object_id=str(assignment.pk)).exists()
    (task,) = provider.tasks_for(user=rektor_user)
    assert task.count == len(classes) - 1 and classes[0].pk not in task.details["classes"]
    html = rektor.get(f"/skole/{school_demo.school.pk}/grupper/").content.decode()
    assert html.count("data-missing-contact-teacher") == len(classes) - 1

    for klass in classes[1:]:
        rektor.post(
            f"/skole/{school_demo.school.pk}/grupper/",
            {"gruppe": klass.pk, "ansatt": teacher.pk, "rolle": GroupRole.CONTACT_TEACHER},
        )
    assert provider.tasks_for(user=rektor_user) == []  # every new class has its kontaktlærer


def test_contact_teacher_assignment_is_refused_outside_the_rules(school_demo: SchoolDemo) -> None:
    classes = _new_classes(school_demo)
    url = f"/skole/{school_demo.school.pk}/grupper/"
    teacher = _laerer()
    data = {"gruppe": classes[0].pk, "ansatt": teacher.pk, "rolle": GroupRole.CONTACT_TEACHER}
    # A teacher manages no structure: 403 on the page and on the form.
    assert login("laerer").get(url).status_code == 403
    assert login("laerer").post(url, data).status_code == 403
    # Another school's principal: not theirs (404), and no task for this school's classes.
    leader = f.EmploymentFactory.create(unit=school_demo.other_school, position_code="REKTOR")
    other_user = f.staff_account(leader.employee).user
    other = Client()
    other.force_login(other_user)
    assert other.post(url, data).status_code == 404
    assert FirstGradeContactTeacherProvider().tasks_for(user=other_user) == []
    assert not GroupAssignment.objects.filter(group=classes[0]).exists()

    rektor = login("rektor")
    # A kontaktlærer belongs to a class, not a teaching group: a clear message, nothing written.
    response = rektor.post(url, {**data, "gruppe": school_demo.english_1.pk}, follow=True)
    assert response.status_code == 200
    assert "Kontaktlærer knyttes til en klasse" in response.content.decode()
    assert not GroupAssignment.objects.filter(
        group=school_demo.english_1, employee=teacher, role=GroupRole.CONTACT_TEACHER
    ).exists()
    # An employee of another school cannot be the kontaktlærer here.
    response = rektor.post(url, {**data, "ansatt": leader.employee.pk}, follow=True)
    assert "Den ansatte har ikke stilling ved denne skolen." in response.content.decode()
    # An unknown role is refused.
    response = rektor.post(url, {**data, "rolle": "rektor"}, follow=True)
    assert "Ukjent rolle i gruppen." in response.content.decode()
    assert not GroupAssignment.objects.filter(group=classes[0]).exists()
    assert (
        AuditEvent.objects.filter(event="school.teacher.assign.denied", object_id=str(school_demo.school.pk)).count()
        == 3
    )
