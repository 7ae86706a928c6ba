"""Assessment pages and endpoints: allowed and denied (exact status codes), bad input refused and audit-logged."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from assessment import selectors
from assessment.models import Appeal, ConductMark, FinalGrade, FinalGradeLock, HalfYearAssessment, Remark
from oas import clock
from oas.audit.models import AuditEvent
from oas.organisation.models import OrgUnit
from tests.assessment.conftest import SchoolDemo, Upper, login

pytestmark = pytest.mark.django_db


def _denied(event: str) -> bool:
    return AuditEvent.objects.filter(action="denied", event=event).exists()


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# --- Vurdering (the teacher's list) -------------------------------------------------------------------------------


def test_teacher_sees_her_teaching_groups_on_the_assessment_page(school_demo: SchoolDemo) -> None:
    response = login("laerer").get(reverse("assessment:my_groups"))
    assert response.status_code == 200
    assert "1. trinn engelsk" in response.content.decode()


def test_guardian_cannot_open_the_teachers_assessment_page(school_demo: SchoolDemo) -> None:
    assert login("foresatt").get(reverse("assessment:my_groups")).status_code == 403


# --- A teaching group's sheet: half-year assessments ---------------------------------------------------------------


def test_teacher_of_the_group_opens_its_sheet(upper: Upper) -> None:
    response = upper.teacher_10.get(reverse("assessment:group", args=[upper.math_10a.pk]))
    assert response.status_code == 200
    assert upper.pupil_10.first_name in response.content.decode()


def test_teacher_of_another_school_cannot_open_the_sheet(upper: Upper) -> None:
    assert login("annenlaerer").get(reverse("assessment:group", args=[upper.math_10a.pk])).status_code == 404


def test_guardian_cannot_open_a_sheet(upper: Upper) -> None:
    assert upper.parent_10.get(reverse("assessment:group", args=[upper.math_10a.pk])).status_code == 403


def _halfyear(client: Client, group_id: int, pupil_id: int, **fields: str) -> Any:
    data = {"handling": "lagre", "elev": [str(pupil_id)], **{f"{k}_{pupil_id}": v for k, v in fields.items()}}
    return client.post(reverse("assessment:group", args=[group_id]), data, follow=True)


def test_teacher_enters_a_grade_with_a_comment_for_a_10th_grader(upper: Upper) -> None:
    response = _halfyear(upper.teacher_10, upper.math_10a.pk, upper.pupil_10.pk, karakter="5", kommentar="Solid arbeid")
    assert response.status_code == 200
    row = HalfYearAssessment.objects.get(pupil=upper.pupil_10, group=upper.math_10a)
    assert (row.grade, row.comment, row.period, row.published_at) == (5, "Solid arbeid", "2026H", None)
    assert AuditEvent.objects.filter(
        event="assessment.halfyear.save", person_ids__contains=[upper.pupil_10.pk]
    ).exists()


@pytest.mark.parametrize("bad", ["7", "0", "4+", "fire"])
def test_a_grade_outside_the_scale_is_refused_and_nothing_is_written(upper: Upper, bad: str) -> None:
    HalfYearAssessment.objects.all().delete()
    response = _halfyear(upper.teacher_10, upper.math_10a.pk, upper.pupil_10.pk, karakter=bad)
    assert "Karakteren må være et helt tall fra 1 til 6." in _messages(response)
    assert not HalfYearAssessment.objects.filter(group=upper.math_10a).exists()
    assert _denied("assessment.halfyear.save.denied")


def test_a_grade_for_a_pupil_below_8th_grade_is_refused(school_demo: SchoolDemo) -> None:
    HalfYearAssessment.objects.all().delete()
    response = _halfyear(login("laerer"), school_demo.english_1.pk, school_demo.child_1a.pk, karakter="4")
    assert "Elever under 8. trinn får ikke karakter" in _messages(response)
    assert not HalfYearAssessment.objects.exists()
    assert _denied("assessment.halfyear.save.denied")


def test_teacher_writes_a_written_assessment_below_8th_grade_and_publishes_it(school_demo: SchoolDemo) -> None:
    teacher = login("laerer")
    _halfyear(teacher, school_demo.english_1.pk, school_demo.child_1a.pk, vurdering="Lærer nye ord raskt.")
    row = HalfYearAssessment.objects.get(pupil=school_demo.child_1a, group=school_demo.english_1)
    assert (row.grade, row.written, row.published_at) == (None, "Lærer nye ord raskt.", None)
    response = teacher.post(reverse("assessment:group", args=[school_demo.english_1.pk]), {"handling": "publiser"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.published_at == clock.now()


def test_teacher_of_another_group_cannot_enter_assessments_and_the_refusal_is_logged(upper: Upper) -> None:
    response = _halfyear(upper.contact_8a, upper.math_10a.pk, upper.pupil_10.pk, karakter="4")
    assert response.status_code == 404
    assert not HalfYearAssessment.objects.filter(group=upper.math_10a).exists()
    assert _denied("assessment.group.enter.denied")


def test_a_pupil_not_in_the_group_is_refused(upper: Upper) -> None:
    response = _halfyear(upper.teacher_10, upper.math_10a.pk, upper.pupil_8.pk, karakter="4")
    assert "Eleven er ikke med i gruppen." in _messages(response)
    assert not HalfYearAssessment.objects.filter(group=upper.math_10a).exists()


# --- Final grades and the principal's lock --------------------------------------------------------------------------


def _final(client: Client, upper: Upper, grade: str) -> Any:
    data = {"handling": "standpunkt", "elev": [str(upper.pupil_10.pk)], f"standpunkt_{upper.pupil_10.pk}": grade}
    return client.post(reverse("assessment:group", args=[upper.math_10a.pk]), data, follow=True)


def test_teacher_enters_a_final_grade_and_after_the_principals_lock_it_is_refused(upper: Upper) -> None:
    _final(upper.teacher_10, upper, "4")
    assert FinalGrade.objects.get(pupil=upper.pupil_10, group=upper.math_10a).grade == 4
    lock = upper.principal.post(reverse("assessment:school", args=[upper.school.pk]), {"gruppe": upper.math_10a.pk})
    assert lock.status_code == 302
    assert FinalGradeLock.objects.filter(group=upper.math_10a).exists()
    assert FinalGrade.objects.get(pupil=upper.pupil_10, group=upper.math_10a).published_at == clock.now()
    response = _final(upper.teacher_10, upper, "6")
    assert "låst av rektor" in _messages(response)
    assert FinalGrade.objects.get(pupil=upper.pupil_10, group=upper.math_10a).grade == 4
    assert _denied("assessment.final.save.denied")


def test_a_final_grade_for_a_pupil_below_10th_grade_is_refused(upper: Upper, school_demo: SchoolDemo) -> None:
    data = {
        "handling": "standpunkt",
        "elev": [str(school_demo.child_1a.pk)],
        f"standpunkt_{school_demo.child_1a.pk}": "4",
    }
    response = login("laerer").post(reverse("assessment:group", args=[school_demo.english_1.pk]), data, follow=True)
    assert "bare for elever på 10. trinn" in _messages(response)
    assert not FinalGrade.objects.exists()


def test_principal_sees_the_school_status_and_the_10th_grade_groups(upper: Upper) -> None:
    response = upper.principal.get(reverse("assessment:school", args=[upper.school.pk]))
    assert response.status_code == 200
    assert "10A matematikk" in response.content.decode()


def test_teacher_cannot_open_the_school_status(upper: Upper) -> None:
    assert upper.teacher_10.get(reverse("assessment:school", args=[upper.school.pk])).status_code == 403


def test_principal_of_another_school_can_neither_see_nor_lock(upper: Upper) -> None:
    rektor = login("rektor")
    assert rektor.get(reverse("assessment:school", args=[upper.school.pk])).status_code == 404
    response = rektor.post(reverse("assessment:school", args=[upper.school.pk]), {"gruppe": upper.math_10a.pk})
    assert response.status_code == 404
    assert not FinalGradeLock.objects.exists()
    assert _denied("assessment.school.status.denied")


def test_locking_a_group_of_another_school_is_refused(upper: Upper, school_demo: SchoolDemo) -> None:
    response = upper.principal.post(
        reverse("assessment:school", args=[upper.school.pk]), {"gruppe": school_demo.english_1.pk}, follow=True
    )
    assert "Gruppen finnes ikke ved denne skolen." in _messages(response)
    assert not FinalGradeLock.objects.exists()


# --- The class status and orden og oppførsel ------------------------------------------------------------------------


def test_contact_teacher_sees_the_class_status_and_proposes_conduct_marks(upper: Upper) -> None:
    url = reverse("assessment:class", args=[upper.class_8a.pk])
    assert upper.contact_8a.get(url).status_code == 200
    pid = upper.pupil_8.pk
    response = upper.contact_8a.post(url, {"elev": [pid], f"orden_{pid}": "G", f"oppforsel_{pid}": "NG"})
    assert response.status_code == 302
    mark = ConductMark.objects.get(pupil=upper.pupil_8, period="2026H")
    assert (mark.orden, mark.oppforsel) == ("G", "NG")
    # A proposal: the principal decides the mark (§ 9-14), so the guardians' page does not show it yet.
    assert not selectors.child_results(child=upper.pupil_8).conduct


def test_a_conduct_mark_outside_g_ng_lg_is_refused(upper: Upper) -> None:
    pid = upper.pupil_8.pk
    response = upper.contact_8a.post(
        reverse("assessment:class", args=[upper.class_8a.pk]),
        {"elev": [pid], f"orden_{pid}": "X", f"oppforsel_{pid}": "G"},
        follow=True,
    )
    assert "Velg G, Ng eller Lg" in _messages(response)
    assert not ConductMark.objects.filter(pupil=upper.pupil_8, period="2026H").exists()


def test_contact_teacher_of_1a_cannot_see_8a(upper: Upper) -> None:
    assert login("kontaktlaerer").get(reverse("assessment:class", args=[upper.class_8a.pk])).status_code == 404


def test_subject_teacher_without_a_class_cannot_open_class_status(upper: Upper) -> None:
    assert login("laerer").get(reverse("assessment:class", args=[upper.class_8a.pk])).status_code == 403


def test_principal_sees_the_class_status_but_may_not_propose(upper: Upper) -> None:
    url = reverse("assessment:class", args=[upper.class_8a.pk])
    assert upper.principal.get(url).status_code == 200
    pid = upper.pupil_8.pk
    assert upper.principal.post(url, {"elev": [pid], f"orden_{pid}": "G", f"oppforsel_{pid}": "G"}).status_code == 404
    assert not ConductMark.objects.filter(pupil=upper.pupil_8, period="2026H").exists()


# --- Remarks (anmerkninger) -----------------------------------------------------------------------------------------


def _remark(client: Client, group_id: int, pupil_id: int) -> Any:
    data = {
        "handling": "anmerkning",
        "anmerkning_elev": pupil_id,
        "anmerkning_type": "orden",
        "anmerkning_tekst": "Glemte bøker",
    }
    return client.post(reverse("assessment:group", args=[group_id]), data, follow=True)


def test_teacher_registers_a_remark_and_the_guardian_sees_it(upper: Upper) -> None:
    Remark.objects.all().delete()
    response = _remark(upper.teacher_10, upper.math_10a.pk, upper.pupil_10.pk)
    assert "Anmerkningen er registrert." in _messages(response)
    assert Remark.objects.get(pupil=upper.pupil_10).text == "Glemte bøker"
    assert "Glemte bøker" in upper.parent_10.get(reverse("assessment:portal")).content.decode()


def test_a_remark_below_8th_grade_is_refused(school_demo: SchoolDemo) -> None:
    response = _remark(login("laerer"), school_demo.english_1.pk, school_demo.child_1a.pk)
    assert "Anmerkninger føres bare for elever fra 8. trinn." in _messages(response)
    assert not Remark.objects.exists()
    assert _denied("assessment.remark.register.denied")


# --- The guardian's page and the appeal ----------------------------------------------------------------------------


def test_guardian_sees_only_published_assessments(school_demo: SchoolDemo) -> None:
    teacher, guardian = login("laerer"), login("foresatt")
    _halfyear(teacher, school_demo.english_1.pk, school_demo.child_1a.pk, vurdering="Leser engelske ord høyt.")
    response = guardian.get(reverse("assessment:portal"))
    assert response.status_code == 200
    assert "Leser engelske ord høyt." not in response.content.decode()
    teacher.post(reverse("assessment:group", args=[school_demo.english_1.pk]), {"handling": "publiser"})
    assert "Leser engelske ord høyt." in guardian.get(reverse("assessment:portal")).content.decode()


def test_staff_cannot_open_the_guardians_assessment_page(school_demo: SchoolDemo) -> None:
    assert login("laerer").get(reverse("assessment:portal")).status_code == 403


def test_parent_without_foreldreansvar_sees_nothing(school_demo: SchoolDemo) -> None:
    teacher = login("laerer")
    _halfyear(teacher, school_demo.english_1.pk, school_demo.child_1a.pk, vurdering="Hemmelig for andre.")
    teacher.post(reverse("assessment:group", args=[school_demo.english_1.pk]), {"handling": "publiser"})
    response = login("uten").get(reverse("assessment:portal"))
    assert response.status_code == 403  # no information right for any child (barneloven § 47)
    assert "Hemmelig for andre." not in response.content.decode()


def _locked_grade(upper: Upper) -> FinalGrade:
    _final(upper.teacher_10, upper, "3")
    upper.principal.post(reverse("assessment:school", args=[upper.school.pk]), {"gruppe": upper.math_10a.pk})
    return FinalGrade.objects.get(pupil=upper.pupil_10, group=upper.math_10a)


def test_guardian_sees_the_appeal_deadline_and_appeals_before_it(upper: Upper) -> None:
    grade = _locked_grade(upper)
    page = upper.parent_10.get(reverse("assessment:portal")).content.decode()
    assert "Klagefrist 29.11.2026" in page
    response = upper.parent_10.post(
        reverse("assessment:appeal", args=[grade.pk]), {"begrunnelse": "Uenig i vurderingen"}
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get(final_grade=grade)
    assert (appeal.guardian_id, appeal.reason) == (upper.guardian_10.pk, "Uenig i vurderingen")
    # The principal sees the appeal on the school's status page.
    status = upper.principal.get(reverse("assessment:school", args=[upper.school.pk])).content.decode()
    assert "Uenig i vurderingen" in status


def test_an_appeal_after_the_deadline_is_refused(upper: Upper) -> None:
    grade = _locked_grade(upper)
    with clock.freeze(dt.date(2026, 11, 30)):
        response = upper.parent_10.post(
            reverse("assessment:appeal", args=[grade.pk]), {"begrunnelse": "For sent"}, follow=True
        )
    assert "Klagefristen gikk ut 29.11.2026." in _messages(response)
    assert not Appeal.objects.exists()
    assert _denied("assessment.appeal.register.denied")


def test_another_guardian_cannot_appeal_and_staff_get_403(upper: Upper) -> None:
    grade = _locked_grade(upper)
    url = reverse("assessment:appeal", args=[grade.pk])
    assert login("foresatt").post(url, {"begrunnelse": "Ikke mitt barn"}).status_code == 404
    assert upper.teacher_10.post(url, {"begrunnelse": "Lærer"}).status_code == 403
    assert not Appeal.objects.exists()


def test_an_unpublished_final_grade_cannot_be_appealed(upper: Upper) -> None:
    _final(upper.teacher_10, upper, "3")
    grade = FinalGrade.objects.get(pupil=upper.pupil_10)
    assert upper.parent_10.post(reverse("assessment:appeal", args=[grade.pk]), {"begrunnelse": "x"}).status_code == 404


# --- Navigation and demo data ---------------------------------------------------------------------------------------


def test_every_assessment_page_is_reachable_from_the_menu(upper: Upper) -> None:
    from oas import navigation
    from tests.assessment.conftest import persona_user

    def visible(key: str, persona: str) -> bool:
        return bool(navigation.item_visible(user=persona_user(persona), item=navigation.nav_item(key)))

    assert visible("staff-assessment", "laerer")
    assert visible("staff-assessment", "kontaktlaerer")
    assert not visible("staff-assessment", "foresatt")
    assert visible("guardian-assessment", "foresatt")
    assert not visible("guardian-assessment", "laerer")
    assert visible("staff-assessment-school", "rektor")
    assert not visible("staff-assessment-school", "laerer")
    # The class page is linked from the teacher's list (contact teacher) and the school status (principal).
    page = login("kontaktlaerer").get(reverse("assessment:my_groups")).content.decode()
    assert reverse("assessment:class", args=[OrgUnit.objects.get(code="3030-SKOLE-01-01A").pk]) in page
    status = upper.principal.get(reverse("assessment:school", args=[upper.school.pk])).content.decode()
    assert reverse("assessment:class", args=[upper.class_8a.pk]) in status
    assert (
        reverse("assessment:group", args=[upper.math_10a.pk])
        in upper.teacher_10.get(reverse("assessment:my_groups")).content.decode()
    )


def test_seed_assessment_demo_grades_the_upper_grades_and_runs_twice_without_change(upper: Upper) -> None:
    call_command("seed_assessment_demo", stdout=io.StringIO())
    counts = (HalfYearAssessment.objects.count(), FinalGrade.objects.count(), ConductMark.objects.count())
    assert all(counts)
    assert not HalfYearAssessment.objects.filter(grade__isnull=True).exists()  # 8th–10th grade only: all graded
    assert FinalGrade.objects.filter(pupil=upper.pupil_10).exists()
    assert not FinalGradeLock.objects.exists()
    call_command("seed_assessment_demo", stdout=io.StringIO())
    assert (HalfYearAssessment.objects.count(), FinalGrade.objects.count(), ConductMark.objects.count()) == counts
    page = upper.parent_10.get(reverse("assessment:portal")).content.decode()
    assert "Halvårsvurdering" in page


def test_the_school_status_and_a_group_sheet_take_a_bounded_number_of_queries(
    upper: Upper, django_assert_max_num_queries: Any
) -> None:
    call_command("seed_assessment_demo", stdout=io.StringIO())
    with django_assert_max_num_queries(30):
        assert upper.principal.get(reverse("assessment:school", args=[upper.school.pk])).status_code == 200
    with django_assert_max_num_queries(30):
        assert upper.teacher_10.get(reverse("assessment:group", args=[upper.math_10a.pk])).status_code == 200
    with django_assert_max_num_queries(30):
        assert upper.parent_10.get(reverse("assessment:portal")).status_code == 200


def test_teacher_of_another_school_can_neither_enter_a_final_grade_nor_a_remark(upper: Upper) -> None:
    other = login("annenlaerer")
    assert _final(other, upper, "5").status_code == 404
    assert _remark(other, upper.math_10a.pk, upper.pupil_10.pk).status_code == 404
    assert not FinalGrade.objects.exists()
    assert not Remark.objects.filter(pupil=upper.pupil_10).exists()
    assert _denied("assessment.group.enter.denied")
