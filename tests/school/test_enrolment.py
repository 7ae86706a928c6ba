"""Enrolment and movement: skoleinnskriving to the nærskole with letters, a wish for another school, consent, moves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from integrations.models import Letter, OutboxMessage
from oas import clock
from oas.audit.models import AuditEvent
from oas.identity.models import Account
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Person, Placement, Service
from oas.periods import DATED, active_on
from school.arbeidsflate import PupilMoveProvider
from school.enrolment import ENROLMENT_LETTER_KIND, enrolment_letter_send
from school.models import Enrolment, EnrolmentStatus, PupilMove
from school.selectors import pupil_guardian_ids
from tests import factories as f
from tests.kindergarten.factories import family
from tests.school.conftest import SchoolDemo, login, persona_user

pytestmark = pytest.mark.django_db


def _six_year_olds(demo: SchoolDemo) -> tuple[Person, Person]:
    """Two children resident in the municipality turning six in 2027 (school start August 2027), in the demo
    municipality: one living in the demo school's krets, one whose address has no krets."""
    with_krets = family(birth_date=dt.date(2021, 3, 4), skolekrets=demo.school.skolekrets).child
    without = family(birth_date=dt.date(2021, 9, 9), skolekrets=None).child
    return with_krets, without


def _guardian_client(child: Person) -> Client:
    adult = Person.objects.get(pk=pupil_guardian_ids(pupil_ids=[child.pk], day=clock.today())[child.pk][0])
    account = Account.objects.filter(person=adult, kind="guardian").first() or f.guardian_account(adult)
    client = Client()
    client.force_login(account.user)
    return client


def _other_first_grade_school(demo: SchoolDemo) -> OrgUnit:
    school = (
        OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL, first_grade=1, skolekrets__isnull=False, ownership="municipal")
        .exclude(pk=demo.school.pk)
        .first()
    )
    assert school is not None
    return school


def test_six_year_olds_go_to_their_skolekrets_school_with_a_letter(school_demo: SchoolDemo) -> None:
    with_krets, without = _six_year_olds(school_demo)
    client = login("opptak")
    page = client.get("/skole/innskriving/")
    assert page.status_code == 200
    assert f'data-child="{without.pk}"' in page.content.decode()  # no skolekrets: the office assigns by hand
    assert client.post("/skole/innskriving/", {"handling": "kjor"}).status_code == 302
    enrolment = Enrolment.objects.get(child=with_krets)
    assert enrolment.school == school_demo.school and enrolment.school_year.start_date.year == 2027
    assert not Enrolment.objects.filter(child=without).exists()
    assert OutboxMessage.objects.filter(kind=ENROLMENT_LETTER_KIND, payload__enrolment_id=enrolment.pk).exists()
    count = Enrolment.objects.count()
    client.post("/skole/innskriving/", {"handling": "kjor"})
    assert Enrolment.objects.count() == count  # twice is once
    guardians = pupil_guardian_ids(pupil_ids=[with_krets.pk], day=clock.today())[with_krets.pk]
    assert enrolment_letter_send(enrolment_id=enrolment.pk, kind="assigned") == len(guardians)
    assert set(Letter.objects.values_list("recipient_id", flat=True)) == set(guardians)
    assert AuditEvent.objects.filter(event="school.enrolment.run", person_ids__contains=[with_krets.pk]).exists()


def test_a_wish_for_another_school_is_decided_by_the_office(school_demo: SchoolDemo) -> None:
    child, _none = _six_year_olds(school_demo)
    login("opptak").post("/skole/innskriving/", {"handling": "kjor"})
    enrolment = Enrolment.objects.get(child=child)
    other = _other_first_grade_school(school_demo)
    guardian = _guardian_client(child)
    assert guardian.get("/portal/skole/skolestart/").status_code == 200
    response = guardian.post(
        "/portal/skole/skolestart/",
        {"handling": "onske", "innskriving": enrolment.pk, "skole": other.pk, "begrunnelse": "Nær mors jobb"},
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.WISH_PENDING and enrolment.wished_school == other
    office = login("opptak")
    assert f'data-enrolment="{enrolment.pk}"' in office.get("/skole/innskriving/").content.decode()
    office.post("/skole/innskriving/", {"innskriving": enrolment.pk, "vedtak": "innvilg"})
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.WISH_GRANTED and enrolment.school == other
    assert OutboxMessage.objects.filter(idempotency_key=f"school-innskriving-vedtak:{enrolment.pk}").exists()


@pytest.mark.parametrize(
    ("school", "reason", "message"), [("same", "x", "allerede plass"), ("other", " ", "begrunnelse")]
)
def test_bad_wishes_write_nothing(school_demo: SchoolDemo, school: str, reason: str, message: str) -> None:
    child, _none = _six_year_olds(school_demo)
    login("opptak").post("/skole/innskriving/", {"handling": "kjor"})
    enrolment = Enrolment.objects.get(child=child)
    target = school_demo.school if school == "same" else _other_first_grade_school(school_demo)
    response = _guardian_client(child).post(
        "/portal/skole/skolestart/",
        {"handling": "onske", "innskriving": enrolment.pk, "skole": target.pk, "begrunnelse": reason},
        follow=True,
    )
    assert message in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ASSIGNED and enrolment.wished_school is None
    assert AuditEvent.objects.filter(event="school.enrolment.wish.denied", person_ids=[child.pk]).exists()


def test_kindergarten_transition_consent_is_recorded(school_demo: SchoolDemo) -> None:
    child, _none = _six_year_olds(school_demo)
    login("opptak").post("/skole/innskriving/", {"handling": "kjor"})
    enrolment = Enrolment.objects.get(child=child)
    _guardian_client(child).post(
        "/portal/skole/skolestart/", {"handling": "samtykke", "innskriving": enrolment.pk, "samtykke": "ja"}
    )
    enrolment.refresh_from_db()
    assert enrolment.transition_consent is True and enrolment.consent_at is not None
    assert (
        login("alene")
        .post("/portal/skole/skolestart/", {"handling": "samtykke", "innskriving": enrolment.pk, "samtykke": "nei"})
        .status_code
        == 404
    )


def test_enrolment_pages_allowed_and_denied(school_demo: SchoolDemo) -> None:
    assert login("opptak").get("/skole/innskriving/").status_code == 200
    assert login("rektor").get("/skole/innskriving/").status_code == 403
    assert login("foresatt").get("/skole/innskriving/").status_code == 403
    assert login("foresatt").get("/portal/skole/skolestart/").status_code == 200
    assert login("laerer").get("/portal/skole/skolestart/").status_code == 403


def test_a_pupil_moves_to_another_school_with_tasks_for_both(school_demo: SchoolDemo) -> None:
    pupil = school_demo.child_1a
    day = clock.today()
    response = login("rektor").post(
        f"/skole/elev/{pupil.pk}/flytt/", {"skole": school_demo.other_school.pk, "dato": day.isoformat()}
    )
    assert response.status_code == 302
    now = Placement.objects.get(active_on(day, fields=DATED), child=pupil, service=Service.SCHOOL)
    assert now.unit == school_demo.other_school and now.group is None
    assert Placement.objects.filter(child=pupil, unit=school_demo.school, end_date=day - dt.timedelta(days=1)).exists()
    move = PupilMove.objects.get(pupil=pupil)
    rektor = persona_user("rektor")
    tasks = PupilMoveProvider().tasks_for(user=rektor)
    assert tasks and tasks[0].count == 1
    office = login("rektor").get(f"/skole/{school_demo.school.pk}/kontor/").content.decode()
    assert f'data-move="{move.pk}"' in office
    login("rektor").post(f"/skole/{school_demo.school.pk}/flytting/{move.pk}/")
    move.refresh_from_db()
    assert move.from_done_at is not None and move.to_done_at is None  # the new school still has its task
    assert PupilMoveProvider().tasks_for(user=rektor) == []
    assert AuditEvent.objects.filter(event="school.pupil.move", person_ids=[pupil.pk]).exists()


def test_bad_moves_write_nothing(school_demo: SchoolDemo) -> None:
    pupil = school_demo.child_1a
    client = login("rektor")
    for data, message in [
        ({"skole": school_demo.school.pk, "dato": clock.today().isoformat()}, "annen skole"),
        ({"skole": school_demo.other_school.pk, "dato": "i morgen"}, "gyldig dato"),
    ]:
        response = client.post(f"/skole/elev/{pupil.pk}/flytt/", data, follow=True)
        assert message in response.content.decode()
    assert not PupilMove.objects.exists()
    assert AuditEvent.objects.filter(event="school.pupil.move.denied", person_ids=[pupil.pk]).count() == 2
    assert login("laerer").post(f"/skole/elev/{pupil.pk}/flytt/", {"skole": "1"}).status_code == 403


def test_office_page_allowed_and_denied(school_demo: SchoolDemo) -> None:
    response = login("rektor").get(f"/skole/{school_demo.school.pk}/kontor/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-pupil="{school_demo.child_1a.pk}"' in body and 'id="office-rollover"' in body
    assert AuditEvent.objects.filter(
        event="school.office.read", person_ids__contains=[school_demo.child_1a.pk]
    ).exists()
    assert login("merkantil").get(f"/skole/{school_demo.school.pk}/kontor/").status_code == 200
    assert login("laerer").get(f"/skole/{school_demo.school.pk}/kontor/").status_code == 403
    assert login("rektor").get(f"/skole/{school_demo.other_school.pk}/kontor/").status_code == 404
