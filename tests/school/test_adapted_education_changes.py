"""Individually adapted education, continued: the API (decisions and IOPs with permitted actions), changing and
ending an enkeltvedtak (§ 11-7), and the arbeidsflate task for a missing årsrapport (§ 11-11)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.test import Client

from integrations.models import ArchiveRecord, Letter, OutboxMessage
from integrations.outbox.registry import Delivery
from oas import clock
from oas.access.models import AccessGrant
from oas.access.services import roles_recompute_for_employees
from oas.arbeidsflate.registry import registry
from oas.audit.models import AuditAction, AuditEvent
from oas.people.models import Employee
from school import adapted_decision_changes as changes
from school import adapted_education as ae
from school.models import (
    AdaptedDecisionStatus,
    AdaptedEducationDecision,
    IndividualEducationPlan,
    IopEvaluation,
    SchoolYear,
    Subject,
)
from school.selectors import pupil_guardian_ids
from tests import factories as f
from tests.school.conftest import SchoolDemo, login, persona_user
from tests.school.test_adapted_education import _counts, _other_class_teacher, _persona_child

pytestmark = pytest.mark.django_db


def _delivery(message: OutboxMessage) -> Delivery:
    return Delivery(
        message_id=message.pk,
        kind=message.kind,
        payload=message.payload,
        idempotency_key=message.idempotency_key,
        attempt=1,
    )


def _principal_of_another_school(demo: SchoolDemo) -> Client:
    """A logged-in principal of the other demo school: has the IOP actions there, not for Demo skole's pupils."""
    rektor = cast(Employee, f.EmploymentFactory(unit=demo.other_school, position_code="REKTOR").employee)
    roles_recompute_for_employees(employee_ids=[rektor.pk])
    client = Client()
    client.force_login(f.staff_account(rektor).user)
    return client


# ---------------------------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------------------------


def test_api_gives_the_pupils_decisions_and_iops_with_what_the_user_may_do(school_demo: SchoolDemo) -> None:
    jonas = _persona_child("foresatt")
    decision = AdaptedEducationDecision.objects.get(pupil=jonas)
    response = login("rektor").get(f"/api/v1/school/elever/{jonas.pk}/iop-vedtak")
    assert response.status_code == 200
    (row,) = response.json()
    assert (row["id"], row["elev"], row["status"], row["timer_per_aar"]) == (decision.pk, jonas.pk, "active", 114)
    assert {s["fagkode"] for s in row["fag"]} == {"NOR", "MAT", "ENG"}
    assert {"school.iop.read", "school.iop.manage"} <= set(row["permitted_actions"])
    assert "school.iop.write" not in row["permitted_actions"]  # the principal decides; the educator writes
    plans = login("spesped").get(f"/api/v1/school/elever/{jonas.pk}/iop-planer")
    assert plans.status_code == 200
    body = plans.json()
    assert len(body) == IndividualEducationPlan.objects.filter(decision=decision).count() == 2
    assert {p["vedtak"] for p in body} == {decision.pk}
    assert "school.iop.write" in body[0]["permitted_actions"]
    # The subject teacher named in the decision reads, and may not write.
    named = login("laerer").get(f"/api/v1/school/elever/{jonas.pk}/iop-planer")
    assert named.status_code == 200 and len(named.json()) == 2
    assert "school.iop.write" not in named.json()[0]["permitted_actions"]
    assert AuditEvent.objects.filter(
        event="school.api.iop.vedtak", action=AuditAction.READ, person_ids=[jonas.pk]
    ).exists()
    assert AuditEvent.objects.filter(event="school.api.iop.planer", person_ids=[jonas.pk]).count() == 2


def test_api_refuses_a_teacher_of_another_class_with_404_and_those_without_the_role_with_403(
    school_demo: SchoolDemo,
) -> None:
    jonas = _persona_child("foresatt")
    other = AdaptedEducationDecision.objects.filter(school=school_demo.school).exclude(
        pupil__in=[jonas, _persona_child("beskyttet")]
    )[0]
    other_class, other_principal = _other_class_teacher(school_demo), _principal_of_another_school(school_demo)
    for path in ("iop-vedtak", "iop-planer"):
        # A contact teacher of another class at the same school has the IOP role, but not for Jonas: 404.
        refused = other_class.get(f"/api/v1/school/elever/{jonas.pk}/{path}")
        assert refused.status_code == 404
        assert set(refused.json()) == {"message", "code", "fields"}  # the one error shape; nothing of Jonas's
        # Jonas's contact teacher reads Jonas, not a pupil of another class.
        kontaktlaerer = login("kontaktlaerer")
        assert kontaktlaerer.get(f"/api/v1/school/elever/{jonas.pk}/{path}").status_code == 200
        assert kontaktlaerer.get(f"/api/v1/school/elever/{other.pupil_id}/{path}").status_code == 404
        assert other_principal.get(f"/api/v1/school/elever/{jonas.pk}/{path}").status_code == 404
        # No IOP role anywhere: refused at the door.
        for persona in ("annenlaerer", "merkantil", "foresatt"):
            assert login(persona).get(f"/api/v1/school/elever/{jonas.pk}/{path}").status_code == 403, persona
    assert AuditEvent.objects.filter(
        event="school.iop.read.denied", action=AuditAction.DENIED, person_ids=[jonas.pk]
    ).exists()


def test_the_api_schema_documents_the_iop_endpoints_and_stays_valid(school_demo: SchoolDemo) -> None:
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    for path in ("/api/v1/school/elever/{pupil_id}/iop-vedtak", "/api/v1/school/elever/{pupil_id}/iop-planer"):
        operation = schema["paths"][path]["get"]
        assert operation["parameters"][0]["schema"]["type"] == "integer"
        assert "200" in operation["responses"]
    assert login("rektor").get("/api/schema/").status_code == 200


# ---------------------------------------------------------------------------------------------------------------
# Changing and ending the enkeltvedtak (§ 11-7)
# ---------------------------------------------------------------------------------------------------------------


def _change_form(decision: AdaptedEducationDecision, guardian_id: int, **over: Any) -> dict[str, Any]:
    nor, eng = Subject.objects.get(code="NOR"), Subject.objects.get(code="ENG")
    laerer = persona_user("laerer").account.employee_id
    form: dict[str, Any] = {
        "fra": "2027-01-04",
        "til": "2027-06-20",
        "timer_aar": "152",
        "timer_uke": "4",
        "organisering": "one_to_one",
        "fag": [nor.pk, eng.pk],
        f"laerer_{eng.pk}": laerer,
        "samtykke": guardian_id,
        "samtykke_dato": "2026-11-18",
        "begrunnelse": "Ny sakkyndig samtale: eleven trenger mer tid alene med lærer i norsk.",
    }
    form.update(over)
    return form


def test_the_principal_changes_a_decision_from_the_pupils_page(school_demo: SchoolDemo) -> None:
    jonas = _persona_child("foresatt")
    old = AdaptedEducationDecision.objects.get(pupil=jonas)
    guardians = pupil_guardian_ids(pupil_ids=[jonas.pk], day=clock.today())[jonas.pk]
    rektor = login("rektor")
    page = rektor.get(f"/skole/iop/elev/{jonas.pk}/").content.decode()
    change_url = f"/skole/iop/vedtak/{old.pk}/endre/"
    assert f'href="{change_url}"' in page and f'href="/skole/iop/vedtak/{old.pk}/avslutt/"' in page
    form_page = rektor.get(change_url)
    assert form_page.status_code == 200
    assert 'value="114"' in form_page.content.decode()  # filled in from the current decision
    response = rektor.post(change_url, _change_form(old, guardians[0]))
    assert response.status_code == 302 and response["Location"] == f"/skole/iop/elev/{jonas.pk}/"

    old.refresh_from_db()
    new = AdaptedEducationDecision.objects.get(replaces=old)
    assert (old.status, old.end_date, old.decided_end_date) == (
        AdaptedDecisionStatus.REPLACED,
        dt.date(2027, 1, 3),
        dt.date(2027, 6, 20),
    )
    assert (new.status, new.start_date, new.hours_per_year, new.organisation) == (
        AdaptedDecisionStatus.ACTIVE,
        dt.date(2027, 1, 4),
        152,
        "one_to_one",
    )
    assert set(new.subjects.values_list("subject__code", flat=True)) == {"NOR", "ENG"}
    # The IOP of a subject still covered (norsk) is carried over as the new decision's first version.
    assert list(new.plans.values_list("subject__code", "version")) == [("NOR", 1)]
    # The English teacher's access follows the decisions: the old grant ends with the old decision, a new one runs.
    grant = AccessGrant.objects.get(user=persona_user("laerer"), person=jonas, action="school.iop.read")
    assert grant.valid_to == dt.date(2027, 6, 20)  # named again: the one grant runs to the new decision's end
    # A new enkeltvedtak letter, through the outbox to the guardians and the archive, like the original.
    message = OutboxMessage.objects.get(kind=ae.DECISION_LETTER_KIND, payload={"decision_id": new.pk})
    assert ae.adapted_decision_deliver(_delivery(message)) == {"letters": len(guardians)}
    assert set(Letter.objects.values_list("recipient_id", flat=True)) == set(guardians)
    archived = ArchiveRecord.objects.get(case_type="school.iop", case_id=str(new.pk), journalposttype="U")
    assert bytes(archived.pdf).startswith(b"%PDF")
    assert AuditEvent.objects.filter(event="school.iop.decision.replace", person_ids=[jonas.pk]).exists()
    # The pupil's page shows both: the old one replaced, the new one with its own change and end links.
    page = rektor.get(f"/skole/iop/elev/{jonas.pk}/").content.decode()
    assert 'data-status="replaced"' in page and f'href="/skole/iop/vedtak/{new.pk}/endre/"' in page
    assert f'href="{change_url}"' not in page
    # A replaced decision cannot be changed again: refused, nothing written.
    before = _counts()
    again = rektor.post(change_url, _change_form(old, guardians[0], fra="2027-02-01"))
    assert again.status_code == 400 and "allerede erstattet" in again.content.decode()
    assert _counts() == before


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"fra": "2026-11-01"}, "har passert"),
        ({"fra": "2027-07-01", "til": "2027-12-01"}, "senest 20.06.2027"),
        ({"timer_aar": "0"}, "Timer per år"),
        ({"timer_uke": "41"}, "Timer per uke"),
        ({"organisering": "alene"}, "organiseres"),
        ({"fag": []}, "minst ett fag"),
        ({"samtykke": ""}, "samtykket"),
        ({"begrunnelse": " "}, "begrunnelse for endringen"),
    ],
)
def test_bad_change_input_is_refused_clearly_and_nothing_written(
    school_demo: SchoolDemo, over: dict[str, Any], message: str
) -> None:
    jonas = _persona_child("foresatt")
    old = AdaptedEducationDecision.objects.get(pupil=jonas)
    guardian = pupil_guardian_ids(pupil_ids=[jonas.pk], day=clock.today())[jonas.pk][0]
    rektor = login("rektor")
    form = _change_form(old, guardian, **over)
    before = _counts()
    response = rektor.post(f"/skole/iop/vedtak/{old.pk}/endre/", form)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _counts() == before
    old.refresh_from_db()
    assert (old.status, old.end_date) == (AdaptedDecisionStatus.ACTIVE, dt.date(2027, 6, 20))
    assert AuditEvent.objects.filter(
        event="school.iop.decision.change.denied", action=AuditAction.DENIED, person_ids=[jonas.pk]
    ).exists()


def test_only_the_principal_of_the_pupils_school_changes_or_ends(school_demo: SchoolDemo) -> None:
    jonas = _persona_child("foresatt")
    old = AdaptedEducationDecision.objects.get(pupil=jonas)
    guardian = pupil_guardian_ids(pupil_ids=[jonas.pk], day=clock.today())[jonas.pk][0]
    pages = {"endre": f"/skole/iop/vedtak/{old.pk}/endre/", "avslutt": f"/skole/iop/vedtak/{old.pk}/avslutt/"}
    posts = {"endre": _change_form(old, guardian), "avslutt": {"slutt": "2026-12-20", "grunn": "Flytter."}}
    before = _counts()
    other_principal = _principal_of_another_school(school_demo)
    for name, url in pages.items():
        assert login("rektor").get(url).status_code == 200
        assert other_principal.get(url).status_code == 404
        assert other_principal.post(url, posts[name]).status_code == 404
        # The special educator and the contact teacher read and write the IOP, but do not decide.
        for persona in ("spesped", "kontaktlaerer", "laerer", "annenlaerer", "foresatt"):
            assert login(persona).get(url).status_code == 403, persona
            assert login(persona).post(url, posts[name]).status_code == 403, persona
    assert _counts() == before
    old.refresh_from_db()
    assert old.status == AdaptedDecisionStatus.ACTIVE


def test_the_principal_ends_a_decision_with_a_date_a_reason_and_a_letter(school_demo: SchoolDemo) -> None:
    jonas = _persona_child("foresatt")
    decision = AdaptedEducationDecision.objects.get(pupil=jonas)
    guardians = pupil_guardian_ids(pupil_ids=[jonas.pk], day=clock.today())[jonas.pk]
    persona_user("laerer")  # the English teacher's account and grant exist
    rektor = login("rektor")
    url = f"/skole/iop/vedtak/{decision.pk}/avslutt/"
    assert rektor.get(url).status_code == 200
    reason = "Ny sakkyndig vurdering: eleven har tilfredsstillende utbytte av den ordinære opplæringen."
    response = rektor.post(url, {"slutt": "2026-12-20", "grunn": reason})
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.end_date, decision.decided_end_date, decision.end_reason) == (
        AdaptedDecisionStatus.ENDED,
        dt.date(2026, 12, 20),
        dt.date(2027, 6, 20),
        reason,
    )
    grant = AccessGrant.objects.get(user=persona_user("laerer"), person=jonas, action="school.iop.read")
    assert grant.valid_to == dt.date(2026, 12, 20)
    message = OutboxMessage.objects.get(kind=changes.DECISION_END_LETTER_KIND)
    assert message.payload == {"decision_id": decision.pk}
    assert changes.adapted_decision_end_deliver(_delivery(message)) == {"letters": len(guardians)}
    assert changes.adapted_decision_end_letter_send(decision_id=decision.pk) == len(guardians)  # idempotent
    assert Letter.objects.count() == len(guardians)
    archived = ArchiveRecord.objects.get(case_type="school.iop", case_id=str(decision.pk), journalposttype="U")
    assert "avslutte" in archived.title
    assert AuditEvent.objects.filter(event="school.iop.decision.end", person_ids=[jonas.pk]).exists()
    page = rektor.get(f"/skole/iop/elev/{jonas.pk}/").content.decode()
    assert 'data-status="ended"' in page and reason in page
    # The guardians see it ended, with the reason, on the child's school page.
    portal = login("foresatt").get("/portal/skole/").content.decode()
    assert 'data-status="ended"' in portal and reason in portal
    # Ending it again is refused, nothing written.
    before = _counts()
    again = rektor.post(url, {"slutt": "2026-12-10", "grunn": reason})
    assert again.status_code == 400 and "allerede erstattet eller avsluttet" in again.content.decode()
    assert _counts() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"slutt": "", "grunn": "Flytter."}, "siste dagen"),
        ({"slutt": "2026-11-01", "grunn": "Flytter."}, "har passert"),
        ({"slutt": "2027-06-20", "grunn": "Flytter."}, "før 20.06.2027"),
        ({"slutt": "2027-08-01", "grunn": "Flytter."}, "før 20.06.2027"),
        ({"slutt": "2026-12-20", "grunn": ""}, "hvorfor vedtaket avsluttes"),
    ],
)
def test_bad_end_input_is_refused_clearly_and_nothing_written(
    school_demo: SchoolDemo, data: dict[str, str], message: str
) -> None:
    jonas = _persona_child("foresatt")
    decision = AdaptedEducationDecision.objects.get(pupil=jonas)
    before = _counts()
    response = login("rektor").post(f"/skole/iop/vedtak/{decision.pk}/avslutt/", data)
    assert response.status_code == 400 and message in response.content.decode()
    assert _counts() == before
    decision.refresh_from_db()
    assert decision.status == AdaptedDecisionStatus.ACTIVE and decision.end_reason == ""
    assert AuditEvent.objects.filter(event="school.iop.decision.end.denied", person_ids=[jonas.pk]).exists()


# ---------------------------------------------------------------------------------------------------------------
# Arbeidsflate: the missing årsrapport (§ 11-11)
# ---------------------------------------------------------------------------------------------------------------


def _task(user: Any) -> Any:
    return next((t for t in registry.tasks_for(user=user) if t.key == "school.iop_evaluation_missing"), None)


def _listed(client: Client, url: str) -> set[int]:
    import re

    body = client.get(url).content.decode()
    return {int(m) for m in re.findall(r'data-pupil="(\d+)"', body)}


def test_the_missing_arsrapport_is_a_task_when_the_school_year_ends(school_demo: SchoolDemo) -> None:
    school = school_demo.school
    year = SchoolYear.objects.get(
        municipality_id=school.municipality_id, start_date__lte=clock.today(), end_date__gte=clock.today()
    )
    day = year.end_date - dt.timedelta(days=20)
    # Other schools' pupils have decisions too (none of them is the principal's or the educator's business).
    assert AdaptedEducationDecision.objects.exclude(school=school).exists()
    rektor, spesped = persona_user("rektor"), persona_user("spesped")
    # In November the year is not ending and no decision is a year old: no task.
    assert _task(rektor) is None
    with clock.freeze(day):
        written = set(IopEvaluation.objects.filter(school_year=year).values_list("decision_id", flat=True))
        expected = set(
            AdaptedEducationDecision.objects.filter(school=school, start_date__lte=day, end_date__gte=day)
            .exclude(pk__in=written)
            .values_list("pupil_id", flat=True)
        )
        assert len(expected) >= 2
        for user, client in ((rektor, login("rektor")), (spesped, login("spesped"))):
            task = _task(user)
            assert task is not None and task.count == len(expected)
            assert task.url == "/skole/iop/?oppgave=school.iop_evaluation_missing"
            assert _listed(client, task.url) == expected  # the count and the list agree
        # The contact teacher writes IOPs but does not follow up the årsrapporter; other schools' staff see nothing.
        assert _task(persona_user("kontaktlaerer")) is None
        assert _task(persona_user("annenlaerer")) is None
        # The special educator writes one pupil's årsrapport on the pupil's page: one less.
        pupil_id = min(expected)
        decision = AdaptedEducationDecision.objects.get(pupil_id=pupil_id, start_date__lte=day, end_date__gte=day)
        page = f"/skole/iop/elev/{pupil_id}/"
        body = {"skjema": "evaluering", "vedtak": decision.pk, "evaluering": "God framgang i lesing."}
        assert login("spesped").post(page, body).status_code == 302
        task = _task(rektor)
        remaining = expected - {pupil_id}
        assert task is not None and task.count == len(remaining)
        assert _listed(login("rektor"), task.url) == remaining


def test_a_decision_older_than_a_year_without_an_arsrapport_is_a_task(school_demo: SchoolDemo) -> None:
    jonas = _persona_child("foresatt")
    decision = AdaptedEducationDecision.objects.get(pupil=jonas)
    IopEvaluation.objects.filter(decision=decision).delete()
    # Jonas's decision ran from last school year (and was evaluated then, more than a year ago).
    AdaptedEducationDecision.objects.filter(pk=decision.pk).update(start_date=dt.date(2025, 8, 15))
    rektor = persona_user("rektor")
    task = _task(rektor)
    assert task is not None and task.count == 1
    assert _listed(login("rektor"), task.url) == {jonas.pk}
    assert ae.evaluation_missing_decisions(user=persona_user("annenlaerer")).count() == 0
    login("spesped").post(
        f"/skole/iop/elev/{jonas.pk}/",
        {"skjema": "evaluering", "vedtak": decision.pk, "evaluering": "Eleven leser nå på nivå med klassen."},
    )
    assert _task(rektor) is None


def test_the_task_list_page_is_denied_to_those_without_the_iop_role(school_demo: SchoolDemo) -> None:
    url = "/skole/iop/?oppgave=school.iop_evaluation_missing"
    assert login("rektor").get(url).status_code == 200
    assert login("annenlaerer").get(url).status_code == 403
    assert login("foresatt").get(url).status_code == 403
    # The contact teacher may open the list, but it is not their task: nothing listed.
    assert _listed(login("kontaktlaerer"), url) == set()
