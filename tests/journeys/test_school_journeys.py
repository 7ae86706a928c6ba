"""The school's journeys on the full demo municipality, in a real browser through the menu and the pages' links:
a teacher registers a lesson with two absent pupils and one guardian-reported sick child (the unannounced pupils'
guardians get one notification each); a guardian applies for leave and the principal grants it; the teacher enters
a half-year assessment and the guardian reads it; the special educator writes an IOP that a teacher of another
class cannot open.

The journeys share one committed demo, so each acts on its own pupils: 1st-graders of Demo skole's "1. trinn
engelsk" who are no persona's children (the other journeys walk the personas' families), a different pair of pupils
per journey, and for the IOP the persona "beskyttet"'s daughter Ida, whose English IOP no other journey touches.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from assessment.models import HalfYearAssessment
from integrations.models import OutboxMessage
from messaging.models import Notification
from oas import clock
from oas.demo_personas import DEMO_SCHOOL_CODE, PERSONAS, PERSONAS_BY_KEY
from oas.identity.models import Account, AccountKind
from oas.organisation.models import OrgUnit
from oas.people.models import (
    Adressebeskyttelse,
    Employee,
    GroupAssignment,
    GroupRole,
    Person,
    PersonRelation,
    RelationKind,
)
from school import selectors
from school.adapted_education import DECISION_LETTER_KIND, IOP_ARCHIVE_KIND
from school.leave import LEAVE_LETTER_KIND
from school.models import (
    AdaptedEducationDecision,
    IndividualEducationPlan,
    LeaveApplication,
    LeaveStatus,
    PupilAttendance,
    Subject,
)
from school.public import planned_lessons
from tests import factories as f
from tests.journeys.journey import Journey

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GROUP = "1. trinn engelsk"


def _english_1() -> OrgUnit:
    return OrgUnit.objects.get(code=f"{DEMO_SCHOOL_CODE}-UG2026-1-ENG")


def _guardian(pupil_id: int) -> Person:
    relation = PersonRelation.objects.filter(child_id=pupil_id, kind=RelationKind.GUARDIAN).order_by("adult_id")
    return relation.select_related("adult").first().adult  # type: ignore[union-attr]


def _own_pupils(group: OrgUnit) -> list[int]:
    """The group's pupils who are no persona's children, have a guardian, an unprotected address and no
    guardian in common with another pupil of the list (so each journey's guardians see only their own)."""
    today = clock.today()
    national_ids = [p.national_id for p in PERSONAS if p.kind != "staff" and p.national_id]
    persona_children = set(
        PersonRelation.objects.filter(adult__national_id__in=national_ids).values_list("child_id", flat=True)
    )
    unprotected = set(
        Person.objects.filter(
            pk__in=selectors.group_pupil_ids(group=group, day=today), adressebeskyttelse=Adressebeskyttelse.UGRADERT
        ).values_list("pk", flat=True)
    )
    pupils = sorted(unprotected - persona_children)
    adults = selectors.pupil_guardian_ids(pupil_ids=pupils, day=today)
    chosen: list[int] = []
    seen: set[int] = set()
    for pupil_id in pupils:
        mine = set(adults.get(pupil_id, []))
        guardians = set(
            PersonRelation.objects.filter(child_id=pupil_id, kind=RelationKind.GUARDIAN).values_list(
                "adult_id", flat=True
            )
        )
        if not guardians or mine & seen:
            continue
        seen |= mine | guardians
        chosen.append(pupil_id)
    return chosen


def _lesson_group_and_day() -> tuple[OrgUnit, dt.date]:
    """The persona "laerer"'s group and day for the lesson journey: "1. trinn engelsk" if it has a lesson on the
    journey's day in the published timetable, otherwise the first other group of theirs that has, with at least
    three pupils of its own; when none has a lesson that day (the full demo's generated timetable gives the
    persona five lessons a week, and which days is the solver's choice), the first of the next school days on
    which one has. The journey then runs on that day."""
    journey_day = clock.today()
    teacher = Employee.objects.get(employee_number=PERSONAS_BY_KEY["laerer"].employee_number)
    english = _english_1()
    groups = [english] + [
        a.group
        for a in GroupAssignment.objects.filter(employee=teacher, valid_from__lte=journey_day)
        .exclude(valid_to__lt=journey_day)
        .exclude(group=english)
        .select_related("group")
        .order_by("group__name")
    ]
    groups = [g for g in groups if len(_own_pupils(g)) >= 3]
    days = [journey_day + dt.timedelta(days=n) for n in range(8)]
    for day in (d for d in days if d.isoweekday() <= 5):
        for group in groups:
            planned = planned_lessons(group_id=group.pk, day=day)
            if planned is None or any(not p.cancelled for p in planned):
                return group, day
    raise AssertionError("the persona laerer has no group with a lesson in the week from the journey's day")


def _lesson_group() -> OrgUnit:
    return _lesson_group_and_day()[0]


def _lesson_pupils(group: OrgUnit) -> list[int]:
    """The lesson journey's sick child and two unannounced pupils."""
    return _own_pupils(group)[:3]


def _assessment_pupil() -> int:
    """The assessment journey's pupil of "1. trinn engelsk": the last not in the lesson journey (on the full demo;
    the small demo has only three non-persona pupils in the group, so there it is one of the lesson's unannounced
    pupils, and the assessment touches no data the lesson reads)."""
    own = _own_pupils(_english_1())
    others = [p for p in own if p not in _lesson_pupils(_lesson_group())]
    return (others or own)[-1]


def _leave_pupil() -> int:
    """A pupil of Demo skole outside 1st grade (the other journeys' groups) without any leave application."""
    classes = OrgUnit.objects.filter(
        parent__code=DEMO_SCHOOL_CODE, code__regex=rf"^{DEMO_SCHOOL_CODE}-0[2-4][A-Z]$"
    ).order_by("code")
    lesson = set(_lesson_pupils(_lesson_group()))
    for group in classes:
        for pupil_id in _own_pupils(group):
            if pupil_id not in lesson and not LeaveApplication.objects.filter(pupil_id=pupil_id).exists():
                return pupil_id
    raise AssertionError("Demo skole has no pupil in 2nd–4th grade for the leave journey")


def _guardian_user(person: Person) -> Any:
    account = Account.objects.filter(kind=AccountKind.GUARDIAN, person=person).first() or f.guardian_account(person)
    return account.user


def test_a_teacher_registers_a_lesson_with_two_absent_and_one_sick(
    chromium: Any, journey_server: str, journey_db: None
) -> None:
    group, day = _lesson_group_and_day()
    with clock.freeze(day):  # process-wide: the live server's thread runs on that day too
        _lesson_journey(chromium, journey_server, group)


def _lesson_journey(chromium: Any, journey_server: str, group: OrgUnit) -> None:
    today = clock.today()
    sick, *absent = _lesson_pupils(group)
    last_note = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    guardian = _guardian(sick)

    with Journey(
        chromium, journey_server, "foresatt", "school-lesson-sick", phone=True, user=_guardian_user(guardian)
    ) as g:
        g.start()
        g.tap(g.page.get_by_test_id("sykt-barn-snarvei"))
        g.tap(g.page.get_by_test_id(f"sykt-barn-{sick}"))
        assert "Fraværet er meldt" in g.text()

    with Journey(chromium, journey_server, "laerer", "school-lesson-teacher") as t:
        t.start()
        t.menu("staff-school-groups")
        t.link(group.name, exact=True)
        # The lessons are the group's lessons that day in the published timetable (the timetable journey may
        # republish it, before or after this one): the first lesson of the day that is not the whole day.
        lessons = [int(v) for v in t.page.locator("#time option").evaluate_all("os => os.map(o => o.value)")]
        lesson = next((n for n in lessons if n > 0), None)
        assert lesson is not None, f"{group.name} has no lesson today: {lessons}"
        t.page.select_option("#time", str(lesson))
        t.button("Vis")
        page = t.page
        assert page.locator(f"#p{sick}").is_checked()  # pre-filled from the guardian's report
        assert "Syk (meldt)" in page.locator(f'tr[data-pupil="{sick}"]').inner_text()
        # Other journeys may have reported a persona's child sick today: those are pre-filled too.
        prefilled = {
            int(box.get_attribute("id").removeprefix("p")) for box in page.locator("input[id^='p']:checked").all()
        }
        assert not prefilled & set(absent)
        for pupil_id in absent:
            page.locator(f"#p{pupil_id}").check()
        t.tap(page.locator("#save-attendance"))
        assert f"{len(prefilled | {sick, *absent})} borte" in page.content()
        assert len(prefilled | {sick, *absent}) >= 3

    rows = {
        r.pupil_id: r
        for r in PupilAttendance.objects.filter(
            registration__group=group, registration__lesson=lesson, registration__day=today
        )
    }
    assert rows[sick].reason == "sick"
    assert {p for p, r in rows.items() if r.reason == "unannounced"} == set(absent)
    guardians = {a for adults in selectors.pupil_guardian_ids(pupil_ids=absent, day=today).values() for a in adults}
    notes = Notification.objects.filter(key__startswith="school.absence.", pk__gt=last_note)
    assert sorted(notes.values_list("person_id", flat=True)) == sorted(guardians)  # one each, none for the sick


def test_a_guardian_applies_for_leave_and_the_principal_grants_it(
    chromium: Any, journey_server: str, journey_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("integrations.outbox.services._kick_claimer", lambda: None)
    child = _leave_pupil()
    assert not LeaveApplication.objects.filter(pupil_id=child).exists()
    school = OrgUnit.objects.get(code=DEMO_SCHOOL_CODE)
    user = _guardian_user(_guardian(child))
    with Journey(chromium, journey_server, "foresatt", "school-leave-guardian", phone=True, user=user) as g:
        g.start()
        g.menu("guardian-school-leave")
        g.page.select_option("#barn", str(child))
        g.page.fill("#fra", "2026-11-23")
        g.page.fill("#til", "2026-11-24")
        g.page.fill("#begrunnelse", "Besteforeldrenes gullbryllup i Bergen")
        g.tap(g.page.locator("#apply-leave"))
        assert "Søknaden om permisjon er sendt" in g.page.content()
        application = LeaveApplication.objects.get(pupil_id=child)
        assert "Venter på vedtak" in g.page.locator(f'tr[data-application="{application.pk}"]').inner_text()

        with Journey(chromium, journey_server, "rektor", "school-leave-rektor") as r:
            r.start()
            r.menu("staff-school-leave", check=False)
            if "/enheter/" in r.page.url:
                r.tap(r.page.locator(f'main a[data-unit="{school.pk}"]'))
            else:
                r.visit.check(r.page)
            card = r.page.locator(f'section[data-application="{application.pk}"]')
            assert "gullbryllup" in card.inner_text()
            r.tap(card.get_by_role("button", name="Innvilg"))
            assert "Permisjonen er innvilget" in r.page.content()

        g.menu("guardian-school-leave")
        assert "Innvilget" in g.page.locator(f'tr[data-application="{application.pk}"]').inner_text()
    application.refresh_from_db()
    assert application.status == LeaveStatus.GRANTED and application.school_days == 2
    assert OutboxMessage.objects.filter(kind=LEAVE_LETTER_KIND, payload={"application_id": application.pk}).exists()


ASSESSMENT = "Kan mange engelske ord og synger med på sangene."


def test_a_teacher_enters_half_year_assessments_and_the_guardian_reads_them(
    chromium: Any, journey_server: str, journey_db: None
) -> None:
    child = _assessment_pupil()
    group = _english_1()
    assert not HalfYearAssessment.objects.filter(pupil_id=child, group=group).exists()
    with Journey(chromium, journey_server, "laerer", "school-assessment-teacher") as teacher:
        teacher.start()
        teacher.menu("staff-assessment")
        teacher.link(GROUP)
        teacher.page.locator(f"#v{child}").fill(ASSESSMENT)
        teacher.tap(teacher.page.locator("#save-halfyear"))
        assert "halvårsvurderinger er lagret" in teacher.text()
        teacher.tap(teacher.page.locator("#publish-halfyear"))
        assert "publisert for foresatte" in teacher.text()
    user = _guardian_user(_guardian(child))
    with Journey(chromium, journey_server, "foresatt", "school-assessment-guardian", phone=True, user=user) as g:
        g.start()
        g.menu("guardian-assessment")
        section = g.page.locator(f'section.assessment-child[data-child="{child}"]')
        assert ASSESSMENT in section.inner_text()
        assert "Engelsk" in section.inner_text()
    assert HalfYearAssessment.objects.get(pupil_id=child, group=group).published_at is not None


def test_the_special_educator_writes_an_iop_that_a_teacher_of_another_class_cannot_open(
    chromium: Any, journey_server: str, journey_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("integrations.outbox.services._kick_claimer", lambda: None)
    school = OrgUnit.objects.get(code=DEMO_SCHOOL_CODE)
    mother = Person.objects.get(national_id=PERSONAS_BY_KEY["beskyttet"].national_id)
    decision = AdaptedEducationDecision.objects.select_related("pupil").get(
        school=school, pupil__relations_as_child__adult=mother
    )
    pupil = decision.pupil
    eng = Subject.objects.get(code="ENG")
    assert not IndividualEducationPlan.objects.filter(decision=decision, subject=eng).exists()
    other = (
        GroupAssignment.objects.filter(role=GroupRole.CONTACT_TEACHER, group__parent=school)
        .exclude(group__group_placements__child=pupil)
        .select_related("employee")
        .order_by("pk")
        .first()
    )
    assert other is not None
    account = Account.objects.filter(kind=AccountKind.STAFF, employee=other.employee).first()
    other_user = (account or f.staff_account(other.employee)).user

    with Journey(chromium, journey_server, "spesped", "school-iop-educator") as e:
        e.start()
        e.menu("staff-school-iop")
        e.tap(e.page.locator(f'tr[data-pupil="{pupil.pk}"] a'))
        iop_url = e.page.url
        key = f"{decision.pk}-{eng.pk}"
        e.page.fill(f"#maal-{key}", "Kan hilse, presentere seg og telle til 20 på engelsk.")
        e.page.fill(f"#innhold-{key}", "Sanger, rim, bildekort og korte dialoger.")
        e.page.fill(f"#organisering-{key}", "To økter i uka i liten gruppe, ellers i klassen.")
        e.tap(e.page.locator(f"#save-iop-{key}"))
        assert "Den individuelle opplæringsplanen er lagret" in e.page.content()
        assert "telle til 20" in e.page.locator(f'section[data-decision="{decision.pk}"]').inner_text()

    with Journey(chromium, journey_server, "laerer", "school-iop-other-teacher", user=other_user) as t:
        t.start()
        t.menu("staff-school-iop")
        assert t.page.locator(f'tr[data-pupil="{pupil.pk}"]').count() == 0
        refused = t.page.goto(iop_url)  # the address copied from elsewhere: not found, nothing shown
        assert refused is not None and refused.status == 404
        assert "telle til 20" not in t.page.content()

    plan = IndividualEducationPlan.objects.get(decision=decision, subject=eng)
    assert plan.version == 1 and "telle til 20" in plan.goals
    assert OutboxMessage.objects.filter(kind=IOP_ARCHIVE_KIND, payload={"plan_id": plan.pk, "version": 1}).exists()


def test_the_principal_changes_an_iop_decision_from_the_pupils_page(
    chromium: Any, journey_server: str, journey_db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("integrations.outbox.services._kick_claimer", lambda: None)
    school = OrgUnit.objects.get(code=DEMO_SCHOOL_CODE)
    father = PERSONAS_BY_KEY["foresatt"].national_id
    decision = AdaptedEducationDecision.objects.select_related("pupil").get(
        school=school, pupil__relations_as_child__adult__national_id=father, replaces__isnull=True
    )
    pupil = decision.pupil

    with Journey(chromium, journey_server, "rektor", "school-iop-change") as r:
        r.start()
        r.menu("staff-school-iop")
        r.tap(r.page.locator(f'tr[data-pupil="{pupil.pk}"] a'))
        r.tap(r.page.locator(f"#iop-change-{decision.pk}"))
        r.page.fill("#fra", "2027-01-04")
        r.page.fill("#timer_aar", "152")
        r.page.select_option("#organisering", "one_to_one")
        r.page.fill("#samtykke_dato", "2026-11-18")
        r.page.fill("#begrunnelse", "Eleven trenger mer tid alene med lærer i norsk etter ny samtale med PPT.")
        r.tap(r.page.locator("#iop-change-submit"))
        assert "Det nye vedtaket er fattet" in r.page.content()
        assert r.page.locator(f'section[data-decision="{decision.pk}"] [data-status="replaced"]').count() == 1

    new = AdaptedEducationDecision.objects.get(replaces=decision)
    assert (new.hours_per_year, new.organisation, new.start_date) == (152, "one_to_one", dt.date(2027, 1, 4))
    assert OutboxMessage.objects.filter(kind=DECISION_LETTER_KIND, payload={"decision_id": new.pk}).exists()
