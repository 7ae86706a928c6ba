"""Individually adapted education (§§ 11-6 to 11-11): PPT assessment, enkeltvedtak, IOP, årsrapport; who may read it."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client

from integrations.models import ArchiveRecord, Letter, OutboxMessage
from integrations.outbox.registry import Delivery
from oas import clock
from oas.access.models import AccessGrant
from oas.audit.models import AuditAction, AuditEvent
from oas.demo_personas import PERSONAS_BY_KEY
from oas.errors import ValidationError
from oas.people.models import Employee, Employment, GroupAssignment, GroupRole, Person, Placement, Service
from oas.periods import DATED, active_on
from school import adapted_education as ae
from school.management.commands.seed_school_demo import demo_assessment_pdf
from school.models import (
    AdaptedDecisionSubject,
    AdaptedEducationDecision,
    ExpertAssessment,
    IndividualEducationPlan,
    IopEvaluation,
    Subject,
)
from school.selectors import pupil_guardian_ids
from tests import factories as f
from tests.school.conftest import SchoolDemo, login, persona_user

pytestmark = pytest.mark.django_db


def _persona_child(key: str) -> Person:
    national_id = PERSONAS_BY_KEY[key].national_id
    return Person.objects.get(
        pk__in=Placement.objects.filter(service=Service.SCHOOL).values("child_id"),
        relations_as_child__adult__national_id=national_id,
    )


def _pupil_without_decision(demo: SchoolDemo) -> Person:
    """A pupil of 1A (the persona contact teacher's class) without a decision, whose guardians may learn the school."""
    today = clock.today()
    ids = list(
        Placement.objects.filter(active_on(today, fields=DATED), service=Service.SCHOOL, group=demo.class_1a)
        .exclude(child_id__in=AdaptedEducationDecision.objects.values("pupil_id"))
        .order_by("child_id")
        .values_list("child_id", flat=True)
    )
    guardians = pupil_guardian_ids(pupil_ids=ids, day=today)
    return Person.objects.get(pk=next(i for i in ids if guardians.get(i)))


def _other_class_teacher(demo: SchoolDemo) -> Client:
    """A logged-in contact teacher of another class at the same school (has the IOP role, not for this pupil)."""
    assignment = (
        GroupAssignment.objects.filter(role=GroupRole.CONTACT_TEACHER, group__parent=demo.school, group__kind="class")
        .exclude(group=demo.class_1a)
        .select_related("employee")
        .order_by("pk")
        .first()
    )
    assert assignment is not None
    client = Client()
    client.force_login(f.staff_account(assignment.employee).user)
    return client


def _delivery(message: OutboxMessage) -> Delivery:
    return Delivery(
        message_id=message.pk,
        kind=message.kind,
        payload=message.payload,
        idempotency_key=message.idempotency_key,
        attempt=1,
    )


def _upload(data: bytes | None = None, name: str = "sakkyndig.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, demo_assessment_pdf() if data is None else data, content_type="application/pdf")


def _decide_form(assessment: ExpertAssessment, guardian_id: int, **over: Any) -> dict[str, Any]:
    nor = Subject.objects.get(code="NOR")
    laerer = Employee.objects.get(employee_number=PERSONAS_BY_KEY["laerer"].employee_number)
    form: dict[str, Any] = {
        "skjema": "vedtak",
        "vurdering": assessment.pk,
        "fra": "2026-12-01",
        "til": "2027-06-19",
        "timer_aar": "76",
        "timer_uke": "2,5",
        "organisering": "small_group",
        "fag": [nor.pk],
        f"laerer_{nor.pk}": laerer.pk,
        "samtykke": guardian_id,
        "samtykke_dato": "2026-11-18",
        "begrunnelse": "Eleven har ikke tilfredsstillende utbytte av den ordinære opplæringen i norsk.",
    }
    form.update(over)
    return form


def _counts() -> tuple[int, ...]:
    return (
        ExpertAssessment.objects.count(),
        AdaptedEducationDecision.objects.count(),
        AdaptedDecisionSubject.objects.count(),
        IndividualEducationPlan.objects.count(),
        IopEvaluation.objects.count(),
        OutboxMessage.objects.count(),
        ArchiveRecord.objects.count(),
        AccessGrant.objects.count(),
    )


def test_seed_gives_the_demo_pupils_decisions_and_iops_once(school_demo: SchoolDemo) -> None:
    jonas = _persona_child("foresatt")
    decision = AdaptedEducationDecision.objects.get(pupil=jonas)
    assert decision.school_id == school_demo.school.pk
    assert set(decision.subjects.values_list("subject__code", flat=True)) == {"NOR", "MAT", "ENG"}
    assert decision.plans.count() == 2
    assert AdaptedEducationDecision.objects.filter(school__kind="school").count() > 3
    before = _counts()
    from django.core.management import call_command

    call_command("seed_school_demo", stdout=io.StringIO())
    assert _counts() == before


def test_principal_records_the_assessment_and_decides(school_demo: SchoolDemo) -> None:
    pupil = _pupil_without_decision(school_demo)
    guardians = pupil_guardian_ids(pupil_ids=[pupil.pk], day=clock.today())[pupil.pk]
    persona_user("laerer")  # the subject teacher named below has an account
    rektor = login("rektor")
    page = f"/skole/iop/elev/{pupil.pk}/"
    assert rektor.get(page).status_code == 200
    response = rektor.post(
        page,
        {"skjema": "vurdering", "mottatt": "2026-11-02", "timer": "76", "sammendrag": "Lese- og skrivevansker."}
        | {"dokument": _upload()},
    )
    assert response.status_code == 302
    assessment = ExpertAssessment.objects.get(pupil=pupil)
    assert (assessment.recommended_hours_per_year, assessment.school_id) == (76, school_demo.school.pk)
    assert assessment.archive_record_id is not None
    incoming = ArchiveRecord.objects.get(pk=assessment.archive_record_id)
    assert (incoming.case_type, incoming.journalposttype) == ("school.iop", "I")
    assert OutboxMessage.objects.filter(kind="noark.archive", payload={"record_id": incoming.pk}).exists()

    assert rektor.post(page, _decide_form(assessment, guardians[0])).status_code == 302
    decision = AdaptedEducationDecision.objects.get(pupil=pupil)
    assert (decision.hours_per_year, str(decision.hours_per_week), decision.organisation) == (76, "2.5", "small_group")
    assert decision.consent_by_id == guardians[0]
    # The subject teacher named in the decision may now read the pupil's case, until the decision ends.
    grant = AccessGrant.objects.get(user=persona_user("laerer"), person=pupil, action="school.iop.read")
    assert grant.valid_to == decision.end_date
    assert login("laerer").get(page).status_code == 200
    # The letter goes through the outbox to every guardian who may learn the school, and is archived once.
    message = OutboxMessage.objects.get(kind=ae.DECISION_LETTER_KIND)
    assert message.payload == {"decision_id": decision.pk}
    assert ae.adapted_decision_deliver(_delivery(message)) == {"letters": len(guardians)}
    assert set(Letter.objects.values_list("recipient_id", flat=True)) == set(guardians)
    archived = ArchiveRecord.objects.get(case_type="school.iop", case_id=str(decision.pk), journalposttype="U")
    assert bytes(archived.pdf).startswith(b"%PDF")
    assert ae.adapted_decision_letter_send(decision_id=decision.pk) == len(guardians)  # idempotent
    assert Letter.objects.count() == len(guardians)
    events = set(AuditEvent.objects.filter(person_ids=[pupil.pk]).values_list("event", flat=True))
    assert {"school.iop.assessment.record", "school.iop.decision.create", "school.iop.read"} <= events


def test_a_second_decision_for_an_overlapping_period_is_refused(school_demo: SchoolDemo) -> None:
    jonas = _persona_child("foresatt")
    existing = AdaptedEducationDecision.objects.get(pupil=jonas)
    guardian = pupil_guardian_ids(pupil_ids=[jonas.pk], day=clock.today())[jonas.pk][0]
    before = _counts()
    form = _decide_form(existing.assessment, guardian, fra="2027-01-04", til="2027-12-20")
    with pytest.raises(ValidationError) as refused:
        ae.adapted_decision_create(
            user=persona_user("rektor"),
            pupil_id=jonas.pk,
            assessment_id=existing.assessment_id,
            start_date=form["fra"],
            end_date=form["til"],
            hours_per_year="76",
            hours_per_week="2",
            organisation="in_class",
            subject_teachers=[(Subject.objects.get(code="NOR").pk, "")],
            consent_by_id=guardian,
            consent_date="2026-11-18",
            reasons="Nytt vedtak.",
        )
    assert "allerede et vedtak" in refused.value.message
    assert existing.start_date.strftime("%d.%m.%Y") in refused.value.message
    assert _counts() == before
    assert AuditEvent.objects.filter(
        event="school.iop.decision.denied", action=AuditAction.DENIED, person_ids=[jonas.pk]
    ).exists()
    # Through the page: the same clear message, nothing written.
    response = login("rektor").post(f"/skole/iop/elev/{jonas.pk}/", form, follow=True)
    assert response.status_code == 200 and "allerede et vedtak" in response.content.decode()
    assert _counts() == before
    # The database refuses it too (exclusion constraint), whatever the service does.
    with pytest.raises(IntegrityError), transaction.atomic():
        AdaptedEducationDecision.objects.create(
            pupil=jonas,
            school=existing.school,
            assessment=existing.assessment,
            start_date=existing.end_date,
            end_date=existing.end_date + dt.timedelta(days=30),
            hours_per_year=10,
            hours_per_week=1,
            organisation="in_class",
            consent_by_id=guardian,
            consent_date=clock.today(),
            reasons="x",
            decided_at=clock.now(),
        )


@pytest.mark.parametrize(
    ("change", "field_text"),
    [
        ({"timer_aar": "0"}, "Timer per år"),
        ({"timer_uke": "41"}, "Timer per uke"),
        ({"timer_uke": "abc"}, "Timer per uke"),
        ({"fra": "2027-06-20", "til": "2027-01-01"}, "Til-datoen"),
        ({"organisering": "hjemme"}, "organiseres"),
        ({"fag": []}, "minst ett fag"),
        ({"samtykke": ""}, "samtykket"),
        ({"samtykke_dato": "2027-01-01"}, "samtykket ble gitt"),
        ({"begrunnelse": "  "}, "begrunnelse"),
        ({"vurdering": "999999"}, "sakkyndige vurdering"),
    ],
)
def test_bad_decision_input_is_refused_and_nothing_written(
    school_demo: SchoolDemo, change: dict[str, Any], field_text: str
) -> None:
    pupil = _pupil_without_decision(school_demo)
    guardian = pupil_guardian_ids(pupil_ids=[pupil.pk], day=clock.today())[pupil.pk][0]
    assessment = ExpertAssessment.objects.create(
        pupil=pupil,
        school=school_demo.school,
        received_date=dt.date(2026, 11, 2),
        summary="Vurdering",
        recommended_hours_per_year=76,
        document_name="x.pdf",
        document_sha256="",
        document=demo_assessment_pdf(),
        registered_at=clock.now(),
    )
    before = _counts()
    response = login("rektor").post(
        f"/skole/iop/elev/{pupil.pk}/", _decide_form(assessment, guardian, **change), follow=True
    )
    assert response.status_code == 200
    assert field_text in response.content.decode()
    assert _counts() == before
    assert AuditEvent.objects.filter(event="school.iop.decision.denied", person_ids=[pupil.pk]).exists()


def test_a_consent_from_someone_else_and_a_teacher_of_another_school_are_refused(school_demo: SchoolDemo) -> None:
    pupil = _pupil_without_decision(school_demo)
    assessment = ExpertAssessment.objects.create(
        pupil=pupil,
        school=school_demo.school,
        received_date=dt.date(2026, 11, 2),
        summary="Vurdering",
        recommended_hours_per_year=76,
        document_name="x.pdf",
        document_sha256="",
        document=demo_assessment_pdf(),
        registered_at=clock.now(),
    )
    stranger = _persona_child("beskyttet")  # not this pupil's guardian
    other_school_teacher = Employee.objects.get(employee_number=PERSONAS_BY_KEY["annenlaerer"].employee_number)
    guardian = pupil_guardian_ids(pupil_ids=[pupil.pk], day=clock.today())[pupil.pk][0]
    nor = Subject.objects.get(code="NOR")
    before = _counts()
    for form, text in (
        (_decide_form(assessment, stranger.pk), "samtykket"),
        (_decide_form(assessment, guardian, **{f"laerer_{nor.pk}": other_school_teacher.pk}), "ansatt ved"),
    ):
        body = login("rektor").post(f"/skole/iop/elev/{pupil.pk}/", form, follow=True).content.decode()
        assert text in body
    assert _counts() == before


@pytest.mark.parametrize(
    ("data", "name", "text"),
    [
        (b"MZ\x90\x00 not a pdf", "sakkyndig.pdf", "ikke en gyldig"),
        (None, "sakkyndig.exe", "ikke tillatt"),
    ],
)
def test_an_upload_that_is_not_a_pdf_is_refused(
    school_demo: SchoolDemo, data: bytes | None, name: str, text: str
) -> None:
    pupil = _pupil_without_decision(school_demo)
    before = _counts()
    body = (
        login("rektor")
        .post(
            f"/skole/iop/elev/{pupil.pk}/",
            {"skjema": "vurdering", "mottatt": "2026-11-02", "timer": "76", "sammendrag": "Vurdering"}
            | {"dokument": _upload(data, name)},
            follow=True,
        )
        .content.decode()
    )
    assert text in body
    assert _counts() == before


def test_bad_assessment_fields_are_refused(school_demo: SchoolDemo) -> None:
    pupil = _pupil_without_decision(school_demo)
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        ae.expert_assessment_record(
            user=persona_user("rektor"),
            pupil_id=pupil.pk,
            received_date="2027-01-01",
            summary="",
            recommended_hours_per_year="2000",
            document=None,
            filename="",
        )
    assert set(refused.value.fields) == {"mottatt", "sammendrag", "timer", "dokument"}
    assert _counts() == before


def test_the_special_educator_writes_the_iop_and_the_evaluation(school_demo: SchoolDemo) -> None:
    jonas = _persona_child("foresatt")
    decision = AdaptedEducationDecision.objects.get(pupil=jonas)
    eng = Subject.objects.get(code="ENG")
    spesped = login("spesped")
    page = f"/skole/iop/elev/{jonas.pk}/"
    body = spesped.get(page).content.decode()
    assert f'id="maal-{decision.pk}-{eng.pk}"' in body
    form = {"skjema": "iop", "vedtak": decision.pk, "fag": eng.pk, "maal": "Kan hilse og presentere seg på engelsk."}
    form |= {"innhold": "Sanger, rim og bildekort.", "organisering": "I klassen med støtte."}
    assert spesped.post(page, form).status_code == 302
    plan = IndividualEducationPlan.objects.get(decision=decision, subject=eng)
    assert plan.version == 1 and plan.written_by_name
    message = OutboxMessage.objects.get(kind=ae.IOP_ARCHIVE_KIND, payload={"plan_id": plan.pk, "version": 1})
    result = ae.iop_archive_deliver(_delivery(message))
    record = ArchiveRecord.objects.get(pk=result["record_id"])
    assert (record.case_type, record.case_id, record.journalposttype) == ("school.iop", str(decision.pk), "U")
    spesped.post(page, form | {"maal": "Kan hilse, presentere seg og telle til 20 på engelsk."})
    plan.refresh_from_db()
    assert plan.version == 2 and "telle til 20" in plan.goals
    # A subject the decision does not cover is refused.
    before = _counts()
    nat = Subject.objects.get(code="NAT")
    assert "står ikke i vedtaket" in spesped.post(page, form | {"fag": nat.pk}, follow=True).content.decode()
    assert _counts() == before

    evaluation = {"skjema": "evaluering", "vedtak": decision.pk, "evaluering": "God framgang i lesing."}
    assert spesped.post(page, evaluation).status_code == 302
    assert IopEvaluation.objects.filter(decision=decision, text="God framgang i lesing.").exists()
    assert OutboxMessage.objects.filter(kind=ae.IOP_ARCHIVE_KIND, payload__has_key="evaluation_id").exists()
    assert AuditEvent.objects.filter(event="school.iop.plan.save", person_ids=[jonas.pk]).count() == 2
    assert AuditEvent.objects.filter(event="school.iop.evaluation.save", person_ids=[jonas.pk]).exists()


def test_who_may_open_the_pages(school_demo: SchoolDemo) -> None:
    jonas = _persona_child("foresatt")
    decision = AdaptedEducationDecision.objects.get(pupil=jonas)
    assessment = decision.assessment
    other = AdaptedEducationDecision.objects.filter(school=school_demo.school).exclude(
        pupil__in=[jonas, _persona_child("beskyttet")]
    )[0]
    pages = {
        "list": "/skole/iop/",
        "jonas": f"/skole/iop/elev/{jonas.pk}/",
        "other": f"/skole/iop/elev/{other.pupil_id}/",
        "pdf": f"/skole/iop/sakkyndig/{assessment.pk}/",
    }
    expected = {
        "rektor": {"list": 200, "jonas": 200, "other": 200, "pdf": 200},
        "spesped": {"list": 200, "jonas": 200, "other": 200, "pdf": 200},
        # Jonas's contact teacher (1A); the other pupil is not in 1A.
        "kontaktlaerer": {"list": 200, "jonas": 200, "other": 404, "pdf": 200},
        # Named as Jonas's English teacher in the decision (a grant), nobody else's.
        "laerer": {"list": 200, "jonas": 200, "other": 404, "pdf": 200},
        # No IOP role anywhere: refused at the door.
        "merkantil": {"list": 403, "jonas": 403, "other": 403, "pdf": 403},
        "annenlaerer": {"list": 403, "jonas": 403, "other": 403, "pdf": 403},
        "foresatt": {"list": 403, "jonas": 403, "other": 403, "pdf": 403},
    }
    for persona, statuses in expected.items():
        client = login(persona)
        got = {name: client.get(url).status_code for name, url in pages.items()}
        assert got == statuses, persona
    other_class = _other_class_teacher(school_demo)
    assert other_class.get(pages["list"]).status_code == 200
    assert f'data-pupil="{jonas.pk}"' not in other_class.get(pages["list"]).content.decode()
    assert other_class.get(pages["jonas"]).status_code == 404
    assert other_class.get(pages["pdf"]).status_code == 404
    assert AuditEvent.objects.filter(
        event="school.iop.read.denied", action=AuditAction.DENIED, person_ids=[jonas.pk]
    ).exists()
    listing = login("kontaktlaerer").get(pages["list"]).content.decode()
    assert f'data-pupil="{jonas.pk}"' in listing and f'data-pupil="{other.pupil_id}"' not in listing
    pdf = login("rektor").get(pages["pdf"])
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(event="school.iop.read", action=AuditAction.READ, person_ids=[jonas.pk]).exists()
    assert AuditEvent.objects.filter(event="school.iop.assessment.download", person_ids=[jonas.pk]).exists()


def test_only_the_special_educator_and_the_contact_teacher_write(school_demo: SchoolDemo) -> None:
    jonas = _persona_child("foresatt")
    decision = AdaptedEducationDecision.objects.get(pupil=jonas)
    nor = Subject.objects.get(code="NOR")
    form = {
        "skjema": "iop",
        "vedtak": decision.pk,
        "fag": nor.pk,
        "maal": "Nytt mål",
        "innhold": "I",
        "organisering": "O",
    }
    persona_user("laerer")  # the account (and its grant) exists before we count
    before = _counts()
    # The named subject teacher reads but does not write; the principal decides but does not write the IOP.
    assert login("laerer").post(f"/skole/iop/elev/{jonas.pk}/", form).status_code == 404
    assert login("rektor").post(f"/skole/iop/elev/{jonas.pk}/", form).status_code == 404
    assert _other_class_teacher(school_demo).post(f"/skole/iop/elev/{jonas.pk}/", form).status_code == 404
    assert login("annenlaerer").post(f"/skole/iop/elev/{jonas.pk}/", form).status_code == 403
    # The decision form is the principal's: the special educator gets 404 and nothing is written.
    guardian = pupil_guardian_ids(pupil_ids=[jonas.pk], day=clock.today())[jonas.pk][0]
    decide = _decide_form(decision.assessment, guardian, fra="2027-08-16", til="2028-06-20")
    assert login("spesped").post(f"/skole/iop/elev/{jonas.pk}/", decide).status_code == 404
    assert _counts() == before
    assert login("kontaktlaerer").post(f"/skole/iop/elev/{jonas.pk}/", form).status_code == 302
    assert IndividualEducationPlan.objects.get(decision=decision, subject=nor).goals == "Nytt mål"


def test_guardians_see_the_iop_on_the_school_page_but_not_the_parent_the_hidden_child_does_not_live_with(
    school_demo: SchoolDemo,
) -> None:
    jonas, ida = _persona_child("foresatt"), _persona_child("beskyttet")
    goals = IndividualEducationPlan.objects.filter(decision__pupil=jonas).first()
    assert goals is not None
    for persona in ("foresatt", "foresatt2"):
        page = login(persona).get("/portal/skole/")
        assert page.status_code == 200
        body = page.content.decode()
        assert "Individuelt tilrettelagt opplæring" in body and goals.goals in body
    assert AuditEvent.objects.filter(event="school.iop.guardian_read", person_ids=[jonas.pk]).exists()
    ida_decision = AdaptedEducationDecision.objects.get(pupil=ida)
    assert f'data-decision="{ida_decision.pk}"' in login("beskyttet").get("/portal/skole/").content.decode()
    hidden = login("farbeskyttet").get("/portal/skole/")
    assert hidden.status_code == 200
    assert f'data-decision="{ida_decision.pk}"' not in hidden.content.decode()
    assert "Individuelt tilrettelagt opplæring" not in hidden.content.decode()
    # Another guardian's child: nothing of Jonas's.
    assert f'data-decision="{ida_decision.pk}"' not in login("foresatt").get("/portal/skole/").content.decode()


def test_a_teacher_who_gets_an_account_later_gets_the_grant(school_demo: SchoolDemo) -> None:
    jonas = _persona_child("foresatt")
    laerer = Employee.objects.get(employee_number=PERSONAS_BY_KEY["laerer"].employee_number)
    assert Employment.objects.filter(employee=laerer, unit=school_demo.school).exists()
    assert not AccessGrant.objects.filter(person=jonas).exists()  # no account when the seed ran
    user = persona_user("laerer")  # first login: the account is created
    assert AccessGrant.objects.filter(user=user, person=jonas, action="school.iop.read").count() == 1


def test_the_menu_entry_and_the_page_title(school_demo: SchoolDemo) -> None:
    from oas import navigation

    def visible(persona: str) -> bool:
        return navigation.item_visible(user=persona_user(persona), item=navigation.nav_item("staff-school-iop"))

    assert visible("rektor") and visible("spesped") and visible("kontaktlaerer")
    assert not visible("merkantil") and not visible("annenlaerer") and not visible("foresatt")
    jonas = _persona_child("foresatt")
    html = login("spesped").get(f"/skole/iop/elev/{jonas.pk}/").content.decode()
    crumbs = html.split('class="oas-container oas-breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/skole/iop/"' in crumbs
    assert f"<title>Individuelt tilrettelagt opplæring – {jonas.first_name} {jonas.last_name}" in html
    # The pupil page links to the case for those who may read it.
    assert (
        f'href="/skole/iop/elev/{jonas.pk}/"' in login("kontaktlaerer").get(f"/skole/elev/{jonas.pk}/").content.decode()
    )
