"""Elevtall og bemanning for a school (issue 15): pupils per grade, teachers, the lærernorm per main stage.

The lærernorm: at most 15 pupils per teacher in 1.–4. trinn and 20 in 5.–10. trinn (gruppestørrelse 2, per school
and main stage as in GSI); here in teacher årsverk assigned to the stage's classes and groups (school/staffing.py).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from oas import clock
from oas.navigation import item_visible, nav_item
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Employment, GroupAssignment, GroupRole, Placement, Service
from oas.periods import DATED, active_on
from school.staffing import school_staffing
from tests import factories as f
from tests.school.conftest import SchoolDemo, login, persona_user

pytestmark = pytest.mark.django_db


def _pupils(school: OrgUnit, grades: range) -> int:
    return (
        Placement.objects.filter(
            active_on(clock.today(), fields=DATED), service=Service.SCHOOL, unit=school, group__grade__in=list(grades)
        )
        .values("child_id")
        .distinct()
        .count()
    )


def _only_one_teacher_on(school: OrgUnit, klass: OrgUnit, *, percentage: int = 100) -> int:
    """End every group assignment at the school and give one teacher (100 %) class ``klass`` only."""
    yesterday = clock.today() - dt.timedelta(days=1)
    groups = OrgUnit.objects.filter(parent=school, kind__in=(OrgUnitKind.CLASS, OrgUnitKind.GROUP))
    for a in GroupAssignment.objects.filter(group__in=groups):
        if a.valid_from > yesterday:
            a.delete()
        else:
            a.valid_to = yesterday
            a.save(update_fields=["valid_to"])
    teacher = f.EmployeeFactory.create()
    Employment.objects.create(
        employee=teacher, unit=school, position_code="LAERER", percentage=percentage, valid_from=yesterday
    )
    GroupAssignment.objects.create(employee=teacher, group=klass, role=GroupRole.CONTACT_TEACHER, valid_from=yesterday)
    return teacher.pk


def test_pupils_per_grade_agree_with_the_placements(school_demo: SchoolDemo) -> None:
    report = school_staffing(school=school_demo.school, day=clock.today())
    assert report.grades, "the demo school has pupils"
    for row in report.grades:
        assert row.pupils == _pupils(school_demo.school, range(row.grade, row.grade + 1))
    first = next(s for s in report.stages if s.first == 1)
    assert first.pupils == _pupils(school_demo.school, range(1, 5))
    assert (first.limit, [s.limit for s in report.stages if s.first >= 5]) == (15, [20] * (len(report.stages) - 1))


def test_a_teacher_on_one_class_counts_for_its_stage_and_the_norm_breaks(school_demo: SchoolDemo) -> None:
    school = school_demo.school
    teacher = _only_one_teacher_on(school, school_demo.class_1a, percentage=20)
    report = school_staffing(school=school, day=clock.today())
    first = next(s for s in report.stages if s.first == 1)
    assert first.teacher_fte == Decimal("0.20")
    assert first.pupils > 3 and first.broken  # more than 15 pupils per årsverk
    assert first.pupils_per_teacher == (Decimal(first.pupils) / Decimal("0.2")).quantize(Decimal("0.1"))
    assert all(s.teacher_fte == 0 for s in report.stages if s.first >= 5)
    row = next(t for t in report.teachers if t.employee_id == teacher)
    assert row.counted and row.groups == (school_demo.class_1a.name,)
    # Teachers with no group are listed, not counted.
    assert all(not t.counted for t in report.teachers if t.employee_id != teacher)


def test_enough_teachers_keep_the_norm(school_demo: SchoolDemo) -> None:
    school = school_demo.school
    _only_one_teacher_on(school, school_demo.class_1a)
    pupils = _pupils(school, range(1, 5))
    yesterday = clock.today() - dt.timedelta(days=1)
    needed = -(-pupils // 15)  # whole teachers, 100 % each, so that pupils ≤ 15 × årsverk
    for _ in range(needed - 1):
        extra = f.EmployeeFactory.create()
        Employment.objects.create(
            employee=extra, unit=school, position_code="LEKTOR", percentage=100, valid_from=yesterday
        )
        GroupAssignment.objects.create(
            employee=extra, group=school_demo.class_1a, role=GroupRole.GROUP_STAFF, valid_from=yesterday
        )
    first = next(s for s in school_staffing(school=school, day=clock.today()).stages if s.first == 1)
    assert first.teacher_fte == needed
    assert not first.broken


def test_the_principal_sees_the_staffing_page_with_the_broken_norm_in_red(school_demo: SchoolDemo) -> None:
    school = school_demo.school
    _only_one_teacher_on(school, school_demo.class_1a, percentage=20)
    response = login("rektor").get(f"/skole/{school.pk}/belegg/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<title>Elevtall og bemanning" in body
    assert 'data-stage="1-4" data-broken="true"' in body
    assert "Lærernormen er brutt" in body
    # Each figure links to the page that acts on it: pupils to the classes, teachers to assigning them.
    assert f'href="/skole/{school.pk}/oversikt/"' in body
    assert f'href="/skole/{school.pk}/grupper/"' in body
    assert f"<td>{_pupils(school, range(1, 5))}</td>" in body or f">{_pupils(school, range(1, 5))}</a>" in body


def test_the_staffing_page_of_another_school_is_not_found(school_demo: SchoolDemo) -> None:
    assert login("rektor").get(f"/skole/{school_demo.other_school.pk}/belegg/").status_code == 404


def test_a_teacher_may_not_open_the_staffing_page(school_demo: SchoolDemo) -> None:
    assert login("laerer").get(f"/skole/{school_demo.school.pk}/belegg/").status_code == 403


def test_a_guardian_may_not_open_the_staffing_page(school_demo: SchoolDemo) -> None:
    assert login("foresatt").get(f"/skole/{school_demo.school.pk}/belegg/").status_code == 403


def test_a_class_is_not_a_school(school_demo: SchoolDemo) -> None:
    assert login("rektor").get(f"/skole/{school_demo.class_1a.pk}/belegg/").status_code == 404


def test_the_staff_menu_offers_the_page_by_permitted_action(school_demo: SchoolDemo) -> None:
    item = nav_item("staff-school-staffing")
    assert item_visible(user=persona_user("rektor"), item=item)
    assert not item_visible(user=persona_user("laerer"), item=item)
    assert not item_visible(user=persona_user("foresatt"), item=item)


def test_the_snapshot_links_to_the_staffing_page_and_flags_the_broken_norm(school_demo: SchoolDemo) -> None:
    school = school_demo.school
    client = Client()
    client.force_login(persona_user("rektor"))
    html = client.get("/arbeidsflate/").content.decode()
    snap = html.split('class="snapshot"', 1)[1].split("</section>", 1)[0]
    assert f'href="/skole/{school.pk}/belegg/">Lærernormen 1.–4. trinn' in snap
    assert re.search(rf'data-metric="school.pupils">{_pupils(school, range(1, 11))} ', snap)

    _only_one_teacher_on(school, school_demo.class_1a, percentage=20)
    html = client.get("/arbeidsflate/").content.decode()
    snap = html.split('class="snapshot"', 1)[1].split("</section>", 1)[0]
    assert 'data-metric="school.teacher_norm_1_4" class="oas-alert-figure"' in snap
    assert "Brutt" in snap
