"""Skoleinnskriving → 1st-grade classes: the office creates the classes (max class size) and places the children."""

from __future__ import annotations

import math

import pytest
from django.test import Client

from oas.audit.models import AuditEvent
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Placement, Service
from school.first_grade import first_grade_plan
from school.models import Enrolment, SchoolSettings
from tests import factories as f
from tests.school.conftest import SchoolDemo, login

pytestmark = pytest.mark.django_db


def _enrolled(demo: SchoolDemo) -> list[int]:
    plan = first_grade_plan(school=demo.school)
    assert plan is not None
    return list(
        Enrolment.objects.filter(school=demo.school, school_year=plan.school_year).values_list("child_id", flat=True)
    )


def test_the_office_creates_first_grade_classes_and_places_the_enrolled_children(school_demo: SchoolDemo) -> None:
    children = _enrolled(school_demo)
    assert len(children) >= 2, "the demo enrols the kindergarten children with siblings at school"
    SchoolSettings.objects.update_or_create(
        municipality=school_demo.school.municipality, defaults={"first_grade_max_class_size": 1}
    )
    client = login("rektor")
    page = client.get(f"/skole/{school_demo.school.pk}/kontor/")
    assert page.status_code == 200
    assert 'id="first-grade"' in page.content.decode()

    response = client.post(f"/skole/{school_demo.school.pk}/forste-trinn/")

    assert response.status_code == 302
    plan = first_grade_plan(school=school_demo.school)
    assert plan is not None
    start = plan.school_year.start_date
    classes = list(OrgUnit.objects.filter(parent=school_demo.school, kind=OrgUnitKind.CLASS, grade=1, valid_from=start))
    assert len(classes) == math.ceil(len(children) / 1) >= 2
    assert sorted(c.name for c in classes) == [f"1{'ABCDEFGH'[i]}" for i in range(len(classes))]
    placed = Placement.objects.filter(service=Service.SCHOOL, group__in=classes, start_date=start)
    assert sorted(placed.values_list("child_id", flat=True)) == sorted(children)  # each child once
    assert all(placed.filter(group=c).count() <= 1 for c in classes)
    assert (plan.enrolled, plan.placed, plan.to_create, plan.to_place) == (len(children), len(children), 0, 0)
    assert AuditEvent.objects.filter(event="school.first_grade.create", person_ids__contains=[children[0]]).exists()

    # Twice is the same as once.
    units, placements = OrgUnit.objects.count(), Placement.objects.count()
    assert client.post(f"/skole/{school_demo.school.pk}/forste-trinn/").status_code == 302
    assert (OrgUnit.objects.count(), Placement.objects.count()) == (units, placements)


def test_only_the_schools_own_leaders_create_the_classes(school_demo: SchoolDemo) -> None:
    url = f"/skole/{school_demo.school.pk}/forste-trinn/"
    assert login("laerer").post(url).status_code == 403  # a teacher manages no structure anywhere
    leader = f.EmploymentFactory.create(unit=school_demo.other_school, position_code="REKTOR")
    other = Client()
    other.force_login(f.staff_account(leader.employee).user)
    assert other.post(url).status_code == 404  # another school's principal: not theirs
    assert (
        not OrgUnit.objects.filter(parent=school_demo.school, kind=OrgUnitKind.CLASS, name="1A")
        .exclude(valid_from__lte=school_demo.class_1a.valid_from)
        .exists()
    )
    assert login("rektor").get(f"/skole/{school_demo.other_school.pk}/kontor/").status_code == 404
