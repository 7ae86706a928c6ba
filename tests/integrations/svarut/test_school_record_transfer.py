"""Moving out of the municipality: the old school sends the pupil record (elevmappen) to the new municipality through
SvarUt (to its organisasjonsnummer) and archives it as journalpost U, once; protected addresses never name where the
pupil moves (issue 16 point 2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from integrations.letters.services import letter_deliver
from integrations.models import ArchiveRecord, Letter, LetterState, OutboxMessage
from integrations.outbox.registry import Delivery
from integrations.svarut.simulator import SvarUtSimulator
from oas import clock
from oas.audit.models import AuditEvent
from oas.people.models import Adressebeskyttelse, Person
from school.models import MoveSource, MunicipalityReceiver, PupilMove
from school.record_transfer import RECORD_TRANSFER_KIND, pupil_record_context, record_transfer_deliver
from tests import factories as f
from tests.school.conftest import SchoolDemo, login, school_demo  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

ORGNR = "964338531"  # synthetic organisasjonsnummer for the receiving municipality
TODAY = dt.date(2026, 11, 19)


def _receiver() -> MunicipalityReceiver:
    receiver, _created = MunicipalityReceiver.objects.update_or_create(
        number="0301", defaults={"name": "Oslo kommune", "organisation_number": ORGNR}
    )
    MunicipalityReceiver.objects.filter(number="5001").delete()
    return receiver


def _moving_out(demo: SchoolDemo, *, protection: str = Adressebeskyttelse.UGRADERT, to: str = "0301") -> PupilMove:
    """The register moved the 1A pupil to municipality ``to`` (the feed's task for the old school)."""
    pupil = demo.child_1a
    Person.objects.filter(pk=pupil.pk).update(municipality_number=to, adressebeskyttelse=protection)
    return PupilMove.objects.create(
        pupil=pupil,
        from_school=demo.school,
        to_school=None,
        day=TODAY + dt.timedelta(days=10),
        created_at=clock.now(),
        source=MoveSource.REGISTER,
        register_sequence=4242,
    )


def _delivery(message: OutboxMessage) -> Delivery:
    return Delivery(
        message_id=message.pk,
        kind=message.kind,
        payload=message.payload,
        idempotency_key=message.idempotency_key,
        attempt=1,
    )


def _url(demo: SchoolDemo, move: PupilMove) -> str:
    return f"/skole/{demo.school.pk}/flytting/{move.pk}/elevmappe/"


def test_the_old_school_sends_the_pupil_record_to_the_new_municipality_once(
    school_demo: SchoolDemo,  # noqa: F811
    svarut_settings: Any,
    svarut_sim: SvarUtSimulator,
) -> None:
    _receiver()
    move = _moving_out(school_demo)
    rektor = login("rektor")
    office = f"/skole/{school_demo.school.pk}/kontor/"
    page = rektor.get(office)
    assert page.status_code == 200
    assert f'data-record-send="{move.pk}"' in page.content.decode()

    assert rektor.post(_url(school_demo, move)).status_code == 302

    move.refresh_from_db()
    assert move.record_sent_at is not None and move.record_receiver_orgnr == ORGNR
    assert move.from_done_at is None  # ending the placement is the task's other step
    key = f"school-elevmappe:{move.pk}"
    message = OutboxMessage.objects.get(kind=RECORD_TRANSFER_KIND, idempotency_key=key)
    assert message.payload == {"move_id": move.pk}
    assert AuditEvent.objects.filter(event="school.pupil.record_transfer", person_ids=[move.pupil_id]).count() == 1
    sent_at = move.record_sent_at
    # A second press changes nothing: one outbox row, the same time.
    assert rektor.post(_url(school_demo, move)).status_code == 302
    move.refresh_from_db()
    assert move.record_sent_at == sent_at
    assert OutboxMessage.objects.filter(kind=RECORD_TRANSFER_KIND).count() == 1
    html = rektor.get(office).content.decode()
    assert f'data-record-sent="{move.pk}"' in html and "Oslo kommune" in html
    assert f'data-record-send="{move.pk}"' not in html

    # The outbox delivers: one letter to the municipality's organisasjonsnummer, one journalpost U; twice is once.
    first = record_transfer_deliver(_delivery(message))
    assert record_transfer_deliver(_delivery(message)) == first
    letter = Letter.objects.get(ekstern_referanse=key)
    assert letter.organisation_number == ORGNR and letter.recipient_id == move.pupil_id
    assert letter.mottaker == {"navn": "Oslo kommune", "digitalId": ORGNR}
    assert letter.kun_digital_levering and bytes(letter.pdf).startswith(b"%PDF")
    record = ArchiveRecord.objects.get(idempotency_key=key)
    assert (record.journalposttype, record.case_type, record.child_id) == ("U", "school.elevmappe", move.pupil_id)
    assert bytes(record.pdf) == bytes(letter.pdf)
    assert Letter.objects.filter(organisation_number=ORGNR).count() == 1

    # SvarUt gets it addressed to the organisation (digital delivery).
    svarut = OutboxMessage.objects.get(idempotency_key=f"svarut:{key}")
    with clock.freeze(dt.datetime(2026, 11, 19, 10, 0, tzinfo=dt.UTC)):
        letter_deliver(_delivery(svarut))
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT
    assert svarut_sim.forsendelser[letter.forsendelse_id].forsendelse["mottaker"]["digitalId"] == ORGNR

    # The record: the pupil, the class, the guardians; published assessments and decisions only.
    context = pupil_record_context(move=move)
    assert context["klass"] == "1A" and context["pupil"]["name"] == move.pupil.full_name
    assert context["guardians"] and all(g["name"] for g in context["guardians"])
    assert context["absence"] is not None


def test_record_transfer_is_refused_to_others_and_for_an_unknown_municipality(school_demo: SchoolDemo) -> None:  # noqa: F811
    _receiver()
    move = _moving_out(school_demo, to="5001")
    url = _url(school_demo, move)
    # A teacher may not send records (403); another school's principal does not reach this school (404).
    assert login("laerer").post(url).status_code == 403
    leader = f.EmploymentFactory.create(unit=school_demo.other_school, position_code="REKTOR")
    other = Client()
    other.force_login(f.staff_account(leader.employee).user)
    assert other.post(url).status_code == 404
    # The municipality has no organisasjonsnummer in OAS: a clear message, nothing written.
    response = login("rektor").post(url, follow=True)
    assert response.status_code == 200
    assert "Kommunen eleven flytter til (5001) mangler organisasjonsnummer i OAS" in response.content.decode()
    move.refresh_from_db()
    assert move.record_sent_at is None and not move.record_receiver_orgnr
    assert not OutboxMessage.objects.filter(kind=RECORD_TRANSFER_KIND).exists()
    assert AuditEvent.objects.filter(event="school.pupil.record_transfer.denied", person_ids=[move.pupil_id]).exists()
    # A move within the municipality: the record follows the pupil, nothing is sent.
    inside = PupilMove.objects.create(
        pupil=school_demo.child_1a,
        from_school=school_demo.school,
        to_school=school_demo.other_school,
        day=TODAY,
        created_at=clock.now(),
        source=MoveSource.REGISTER,
        register_sequence=4243,
    )
    response = login("rektor").post(_url(school_demo, inside), follow=True)
    assert "Eleven flytter ikke ut av kommunen" in response.content.decode()
    assert not OutboxMessage.objects.filter(kind=RECORD_TRANSFER_KIND).exists()


def test_a_protected_pupils_new_municipality_and_addresses_are_not_revealed(school_demo: SchoolDemo) -> None:  # noqa: F811
    _receiver()
    move = _moving_out(school_demo, protection=Adressebeskyttelse.FORTROLIG, to="5001")
    rektor = login("rektor")
    response = rektor.post(_url(school_demo, move), follow=True)
    html = response.content.decode()
    assert "mangler organisasjonsnummer i OAS (eleven har beskyttet adresse" in html and "5001" not in html
    denied = AuditEvent.objects.get(event="school.pupil.record_transfer.denied", person_ids=[move.pupil_id])
    assert "5001" not in str(denied.details)

    Person.objects.filter(pk=move.pupil_id).update(municipality_number="0301")
    assert rektor.post(_url(school_demo, move)).status_code == 302
    move.refresh_from_db()
    assert move.record_receiver_orgnr == ORGNR  # sent to the right municipality ...
    html = rektor.get(f"/skole/{school_demo.school.pk}/kontor/").content.decode()
    assert f'data-record-sent="{move.pk}"' in html
    assert "Oslo kommune" not in html and "0301" not in html  # ... without naming it to the office
    sent = AuditEvent.objects.get(event="school.pupil.record_transfer", person_ids=[move.pupil_id])
    assert "0301" not in str(sent.details) and ORGNR not in str(sent.details)
    # In the record, the guardians whose home is the pupil's have no address.
    pupil = Person.objects.get(pk=move.pupil_id)
    context = pupil_record_context(move=PupilMove.objects.select_related("pupil", "from_school").get(pk=move.pk))
    assert any(g["protected"] for g in context["guardians"])
    for guardian in context["guardians"]:
        if guardian["protected"]:
            assert guardian["address"] == ""
    assert all(pupil.street_address not in g["address"] for g in context["guardians"] if pupil.street_address)
