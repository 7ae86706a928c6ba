"""A teacher assigned to a teaching group (not the class) reaches exactly that group's pupils (GroupMembership)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.test import Client

from oas import clock
from oas.access.evaluation import access_queryset, has_action
from oas.audit.models import AuditEvent
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Person
from school import selectors, services
from school.models import Subject
from school.rollover import school_year_current
from tests import factories as f
from tests.school.conftest import SchoolDemo

pytestmark = pytest.mark.django_db


def _setup(demo: SchoolDemo, *, employed_at: OrgUnit) -> tuple[User, list[int], list[int]]:
    today = clock.today()
    year = school_year_current(municipality=demo.school.municipality)
    assert year is not None
    classes = list(OrgUnit.objects.filter(parent=demo.school, kind=OrgUnitKind.CLASS, valid_to__isnull=True))
    pupils_1a = selectors.group_pupil_ids(group=demo.class_1a, day=today)
    others = [p for k in classes if k.pk != demo.class_1a.pk for p in selectors.group_pupil_ids(group=k, day=today)]
    assert len(pupils_1a) >= 4 and others
    members = pupils_1a[:3]  # a språkfag group: three pupils of 1A, not the rest of the class
    group = services.teaching_group_create(
        school=demo.school,
        subject=Subject.objects.get(code="FSP"),
        school_year=year,
        code=f"{demo.school.code}-UGX-FSP",
        name="Spansk gruppe X",
    )
    services.membership_add(group=group.unit, pupil_ids=members, valid_from=today)
    employment = f.EmploymentFactory.create(unit=employed_at, position_code="LAERER")
    services.teacher_assign(group=group.unit, employee=employment.employee, valid_from=today)
    user = f.staff_account(employment.employee).user
    return user, members, [p for p in pupils_1a if p not in members] + others


def test_a_group_teacher_reaches_exactly_the_groups_pupils(school_demo: SchoolDemo) -> None:
    user, members, non_members = _setup(school_demo, employed_at=school_demo.school)

    # child.read_contacts has group roles but not the school's staff role: only the group role can give it.
    for pupil in Person.objects.filter(pk__in=members):
        assert has_action(user=user, action="child.read_contacts", target=pupil)
    for pupil in Person.objects.filter(pk__in=non_members[:10]):
        assert not has_action(user=user, action="child.read_contacts", target=pupil)
    reached = access_queryset(user=user, action="child.read_contacts", queryset=Person.objects.all())
    pupils = set(reached.filter(pk__in=members + non_members).values_list("pk", flat=True))
    assert pupils == set(members)  # the list and the single check agree

    client = Client()
    client.force_login(user)
    assert client.get(f"/arbeidsflate/barn/{members[0]}/").status_code == 200
    assert AuditEvent.objects.filter(event="child.read_contacts", person_ids__contains=[members[0]]).exists()
    assert client.get(f"/arbeidsflate/barn/{non_members[0]}/").status_code == 200  # a pupil of the school
    assert not AuditEvent.objects.filter(event="child.read_contacts", person_ids__contains=[non_members[0]]).exists()


def test_a_group_teacher_employed_elsewhere_reaches_the_group_and_nobody_else(school_demo: SchoolDemo) -> None:
    user, members, non_members = _setup(school_demo, employed_at=school_demo.other_school)
    client = Client()
    client.force_login(user)

    assert client.get(f"/arbeidsflate/barn/{members[1]}/").status_code == 200
    assert client.get(f"/arbeidsflate/barn/{non_members[0]}/").status_code == 404
    assert client.get(f"/skole/elev/{members[1]}/").status_code == 200
    assert client.get(f"/skole/elev/{non_members[0]}/").status_code == 404


def test_membership_ended_means_no_reach(school_demo: SchoolDemo) -> None:
    from school.models import GroupMembership

    user, members, _others = _setup(school_demo, employed_at=school_demo.other_school)
    today = clock.today()
    GroupMembership.objects.filter(pupil_id=members[2], group__code__endswith="-UGX-FSP").update(
        valid_from=today - dt.timedelta(days=30), valid_to=today - dt.timedelta(days=1)
    )
    pupil = Person.objects.get(pk=members[2])
    assert not has_action(user=user, action="child.read", target=pupil)
