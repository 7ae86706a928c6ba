"""Every school page and endpoint: allowed and denied, with exact status codes, on the demo municipality."""

from __future__ import annotations

from typing import Any

import pytest

from oas.audit.models import AuditEvent
from oas.organisation.models import OrgUnit
from oas.people.models import Adressebeskyttelse, Person, Placement, Service
from school.models import PupilAttendance
from tests.school.conftest import SchoolDemo, login

pytestmark = pytest.mark.django_db


def test_teacher_sees_my_groups(school_demo: SchoolDemo) -> None:
    response = login("laerer").get("/skole/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "1. trinn engelsk" in body and "1A matematikk" in body
    assert "2. trinn engelsk" not in body  # another teacher's group


def test_guardian_cannot_open_my_groups(school_demo: SchoolDemo) -> None:
    assert login("foresatt").get("/skole/").status_code == 403


def test_class_list_shows_pupils_and_who_may_pick_up(school_demo: SchoolDemo) -> None:
    response = login("kontaktlaerer").get(f"/skole/gruppe/{school_demo.class_1a.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert school_demo.child_1a.first_name in body
    assert "Hanne Hansen" in body  # the persona "foresatt" may pick up her child
    assert AuditEvent.objects.filter(event="school.group.read", person_ids__contains=[school_demo.child_1a.pk]).exists()


def test_pupil_page_allowed_for_teacher_of_the_school(school_demo: SchoolDemo) -> None:
    response = login("laerer").get(f"/skole/elev/{school_demo.child_1a.pk}/")
    assert response.status_code == 200
    assert "1A" in response.content.decode()
    assert AuditEvent.objects.filter(event="school.pupil.read", person_ids=[school_demo.child_1a.pk]).exists()


def test_pupil_page_denied_for_teacher_of_another_school(school_demo: SchoolDemo) -> None:
    assert login("annenlaerer").get(f"/skole/elev/{school_demo.child_1a.pk}/").status_code == 404


def test_pupil_page_hides_a_protected_address(school_demo: SchoolDemo) -> None:
    child = Person.objects.filter(
        adressebeskyttelse__in=[Adressebeskyttelse.FORTROLIG, Adressebeskyttelse.STRENGT_FORTROLIG],
        pk__in=Placement.objects.filter(service=Service.SCHOOL, unit=school_demo.school).values("child_id"),
    ).first()
    assert child is not None
    Person.objects.filter(pk=child.pk).update(adressebeskyttelse=Adressebeskyttelse.FORTROLIG)
    adults = child.relations_as_child.filter(lives_with_child=True).values("adult_id")
    Person.objects.filter(pk__in=adults).update(
        adressebeskyttelse=Adressebeskyttelse.FORTROLIG, street_address="Hemmelig vei 7"
    )
    response = login("laerer").get(f"/skole/elev/{child.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hemmelig vei 7" not in body
    assert "adressen er beskyttet" in body


def test_principal_sees_absence_overview_per_class(school_demo: SchoolDemo) -> None:
    response = login("rektor").get(f"/skole/{school_demo.school.pk}/oversikt/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-class="{school_demo.class_1a.pk}"' in body
    assert "SFO 1. trinn" not in body


def test_principal_cannot_open_another_schools_overview(school_demo: SchoolDemo) -> None:
    assert login("rektor").get(f"/skole/{school_demo.other_school.pk}/oversikt/").status_code == 404


def test_teacher_cannot_open_the_overview(school_demo: SchoolDemo) -> None:
    assert login("laerer").get(f"/skole/{school_demo.school.pk}/oversikt/").status_code == 403


def test_guardian_sees_the_childs_class_contact_teacher_and_absence(school_demo: SchoolDemo) -> None:
    PupilAttendance.objects.filter(pupil=school_demo.child_1a).update(present=False, reason="sick")
    response = login("foresatt").get("/portal/skole/")
    assert response.status_code == 200
    body = response.content.decode()
    assert school_demo.child_1a.first_name in body and "1A" in body
    assert "Kari Kontaktsen" in body
    assert "Syk (meldt av foresatte)" in body


def test_staff_cannot_open_the_guardian_school_page(school_demo: SchoolDemo) -> None:
    assert login("laerer").get("/portal/skole/").status_code == 403


def test_api_elever_lists_the_schools_pupils_only(school_demo: SchoolDemo) -> None:
    response = login("laerer").get("/api/v1/school/elever")
    assert response.status_code == 200
    rows = {r["id"]: r for r in response.json()}
    assert rows[school_demo.child_1a.pk]["basisgruppe"] == school_demo.class_1a.pk
    assert "school.pupil.read" in rows[school_demo.child_1a.pk]["permitted_actions"]
    assert {r["skole"] for r in rows.values()} == {school_demo.school.pk}


def test_api_elever_denied_for_guardian(school_demo: SchoolDemo) -> None:
    assert login("foresatt").get("/api/v1/school/elever").status_code == 403


def test_api_basisgrupper_for_contact_teacher(school_demo: SchoolDemo) -> None:
    response = login("kontaktlaerer").get("/api/v1/school/basisgrupper")
    assert response.status_code == 200
    rows = response.json()
    assert [r["id"] for r in rows] == [school_demo.class_1a.pk]
    assert "school.group.register_attendance" in rows[0]["permitted_actions"]


def test_api_basisgrupper_denied_for_guardian(school_demo: SchoolDemo) -> None:
    assert login("foresatt").get("/api/v1/school/basisgrupper").status_code == 403


def test_api_undervisningsgrupper_for_teacher(school_demo: SchoolDemo) -> None:
    response = login("laerer").get("/api/v1/school/undervisningsgrupper")
    assert response.status_code == 200
    by_id = {r["id"]: r for r in response.json()}
    assert by_id[school_demo.english_1.pk]["fag"] == "ENG"
    assert by_id[school_demo.english_1.pk]["skole"] == school_demo.school.pk


def test_api_undervisningsgrupper_denied_for_guardian(school_demo: SchoolDemo) -> None:
    assert login("foresatt").get("/api/v1/school/undervisningsgrupper").status_code == 403


def test_api_medlemskap_of_a_group(school_demo: SchoolDemo) -> None:
    response = login("laerer").get(f"/api/v1/school/medlemskap?gruppe={school_demo.english_1.pk}")
    assert response.status_code == 200
    assert school_demo.child_1a.pk in {r["elev"] for r in response.json()}


def test_api_medlemskap_empty_for_teacher_of_another_school(school_demo: SchoolDemo) -> None:
    response = login("annenlaerer").get(f"/api/v1/school/medlemskap?gruppe={school_demo.english_1.pk}")
    assert response.status_code == 200
    assert response.json() == []


def test_api_medlemskap_denied_for_guardian(school_demo: SchoolDemo) -> None:
    assert login("foresatt").get("/api/v1/school/medlemskap").status_code == 403


def test_api_register_allowed_for_the_groups_teacher(school_demo: SchoolDemo, frozen_today: object) -> None:
    response = login("laerer").post(
        "/api/v1/school/fravaer",
        {"gruppe": school_demo.english_1.pk, "dato": str(frozen_today), "time": 1, "fravaer": []},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["borte"] == 0


def test_api_register_denied_for_guardian(school_demo: SchoolDemo, frozen_today: object) -> None:
    response = login("foresatt").post(
        "/api/v1/school/fravaer",
        {"gruppe": school_demo.english_1.pk, "dato": str(frozen_today), "time": 1, "fravaer": []},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_demo_school_classes_are_kernel_classes(school_demo: SchoolDemo) -> None:
    assert OrgUnit.objects.get(pk=school_demo.class_1a.pk).parent_id == school_demo.school.pk


def test_class_list_query_count_does_not_grow_with_pupils(
    school_demo: SchoolDemo, django_assert_max_num_queries: Any
) -> None:
    client = login("laerer")
    client.get("/skole/")  # warm the session and the principal
    with django_assert_max_num_queries(25):
        assert client.get(f"/skole/gruppe/{school_demo.english_1.pk}/").status_code == 200


def test_principal_assigns_a_teacher_and_access_follows(school_demo: SchoolDemo) -> None:
    from oas.demo_personas import PERSONAS
    from oas.people.models import Employee

    laerer = Employee.objects.get(employee_number=next(p for p in PERSONAS if p.key == "laerer").employee_number)
    english_2 = OrgUnit.objects.get(code=f"{school_demo.school.code}-UG2026-2-ENG")
    assert login("laerer").get(f"/skole/gruppe/{english_2.pk}/").status_code == 404
    rektor = login("rektor")
    assert rektor.get(f"/skole/{school_demo.school.pk}/grupper/").status_code == 200
    response = rektor.post(f"/skole/{school_demo.school.pk}/grupper/", {"gruppe": english_2.pk, "ansatt": laerer.pk})
    assert response.status_code == 302
    assert login("laerer").get(f"/skole/gruppe/{english_2.pk}/").status_code == 200


def test_principal_cannot_assign_a_teacher_of_another_school(school_demo: SchoolDemo) -> None:
    from oas.demo_personas import PERSONAS
    from oas.people.models import Employee, GroupAssignment

    other = Employee.objects.get(employee_number=next(p for p in PERSONAS if p.key == "annenlaerer").employee_number)
    before = GroupAssignment.objects.count()
    response = login("rektor").post(
        f"/skole/{school_demo.school.pk}/grupper/", {"gruppe": school_demo.english_1.pk, "ansatt": other.pk}
    )
    assert response.status_code == 302
    assert GroupAssignment.objects.count() == before
    assert AuditEvent.objects.filter(event="school.teacher.assign.denied").count() == 1


def test_teacher_cannot_manage_groups(school_demo: SchoolDemo) -> None:
    assert login("laerer").get(f"/skole/{school_demo.school.pk}/grupper/").status_code == 403


def test_principal_cannot_manage_another_schools_groups(school_demo: SchoolDemo) -> None:
    assert login("rektor").get(f"/skole/{school_demo.other_school.pk}/grupper/").status_code == 404


def test_overview_and_pupil_api_take_a_fixed_number_of_queries(
    school_demo: SchoolDemo, django_assert_max_num_queries: Any
) -> None:
    rektor = login("rektor")
    rektor.get("/skole/")  # warm the session and the principal
    with django_assert_max_num_queries(15):
        assert rektor.get(f"/skole/{school_demo.school.pk}/oversikt/").status_code == 200
    with django_assert_max_num_queries(15):
        assert rektor.get("/api/v1/school/elever").status_code == 200
