"""Archive service: one saksmappe per child and case type, I/U journalposts with the PDF, idempotent redelivery."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.conf import settings

from integrations.archive.selectors import archive_references_for_case
from integrations.archive.services import archive_deliver, archive_document
from integrations.models import ArchiveCaseFile, ArchiveRecord, ArchiveRecordState, OutboxMessage, OutboxStatus
from integrations.outbox.registry import Delivery
from integrations.outbox.services import outbox_claim_due
from integrations.outbox.tasks import outbox_deliver_now
from oas import clock
from oas.errors import ValidationError
from oas.people.models import Adressebeskyttelse, Person
from tests.factories import ChildFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _child(**kwargs: Any) -> Person:
    return cast(Person, ChildFactory(**kwargs))


START = dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.7\n% soknad\n"


def _archive(child, *, key, kind="I", case_id=17, title="Søknad om barnehageplass", pdf=PDF, correspondent=None):
    return archive_document(
        correspondent_person_id=correspondent.id if correspondent else None,
        child_person_id=child.id,
        case_type="kindergarten.application",
        case_id=case_id,
        case_title="Barnehageplass",
        journalposttype=kind,
        title=title,
        pdf=pdf,
        document_date=dt.date(2026, 11, 19),
        idempotency_key=key,
    )


def _deliver_due() -> list[str]:
    return [outbox_deliver_now(message_id=c.message_id, claim_token=c.claim_token) for c in outbox_claim_due()]


def test_application_and_decision_share_one_saksmappe_with_masked_public_titles(noark_settings, noark_sim):
    child = _child(first_name="Ola", last_name="Nordmann")
    with clock.freeze(START):
        application = _archive(child, key="soknad-17")
        assert _deliver_due() == ["delivered"]
        decision = _archive(child, key="vedtak-17", kind="U", title="Vedtak om barnehageplass")
        assert _deliver_due() == ["delivered"]
    (mappe,) = noark_sim.saksmapper.values()
    assert mappe["tittel"] == "Barnehageplass – Ola Nordmann"
    assert mappe["offentligTittel"] == "Barnehageplass – *****"
    assert mappe["skjerming"]["tilgangsrestriksjon"]["kode"] == "13"
    assert mappe["skjerming"]["skjermingshjemmel"] == "Offl. § 13 jf. fvl. § 13"
    posts = sorted(noark_sim.journalposter.values(), key=lambda p: p["journalpostnummer"])
    assert [p["journalposttype"]["kode"] for p in posts] == ["I", "U"]
    assert all("*****" in p["offentligTittel"] and "Ola" not in p["offentligTittel"] for p in posts)
    assert sorted(noark_sim.files.values()) == [PDF, PDF]
    case_file = ArchiveCaseFile.objects.get(child=child)
    assert (case_file.saksaar, case_file.sakssekvensnummer) == (mappe["saksaar"], mappe["sakssekvensnummer"])
    records = ArchiveRecord.objects.filter(id__in=[application, decision])
    assert {r.state for r in records} == {ArchiveRecordState.ARCHIVED}
    refs = archive_references_for_case(case_type="kindergarten.application", case_id=17)
    assert [(r.journalposttype, r.journalpostnummer, r.mappe_id) for r in refs] == [
        ("I", 1, mappe["mappeID"]),
        ("U", 2, mappe["mappeID"]),
    ]


def test_guardian_is_archived_as_korrespondansepart_without_any_address(noark_settings, noark_sim):
    child = _child()
    guardian = cast(
        Person,
        PersonFactory(
            adressebeskyttelse=Adressebeskyttelse.FORTROLIG,
            street_address="Skjultveien 5",
            postal_address="Postboks 9\n0101 OSLO",
        ),
    )
    with clock.freeze(START):
        _archive(child, key="soknad-k", correspondent=guardian)
        _archive(child, key="vedtak-k", kind="U", title="Vedtak", correspondent=guardian)
        assert sorted(_deliver_due()) == ["delivered", "delivered"]
    parts = {p["korrespondanseparttype"]["kode"]: p for p in noark_sim.korrespondanseparter.values()}
    assert set(parts) == {"EA", "EM"}
    assert parts["EM"]["navn"] == guardian.full_name
    assert parts["EM"]["foedselsnummer"] == guardian.national_id
    assert "Skjultveien" not in str(parts) and "Postboks" not in str(parts)


def test_a_document_that_is_not_a_pdf_is_refused_and_nothing_is_written():
    with pytest.raises(ValidationError) as caught:
        _archive(_child(), key="bad", pdf=b"<html>")
    assert "pdf" in caught.value.fields
    assert not ArchiveRecord.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_missing_title_and_bad_journalposttype_are_reported_per_field():
    with pytest.raises(ValidationError) as caught:
        _archive(_child(), key="bad", kind="X", title=" ")
    assert set(caught.value.fields) == {"journalposttype", "title"}


class _CrashAfterJournalpost:
    """The live client, but the worker dies right after the archive created the journalpost."""

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name):
        return getattr(self.client, name)

    def journalpost_create(self, saksmappe, data):
        self.client.journalpost_create(saksmappe, data)
        raise SystemExit("worker killed")


def test_redelivery_after_a_crash_makes_exactly_one_journalpost_and_one_file(noark_settings, noark_sim):
    from integrations.noark.client import get_noark_port

    child = _child()
    with clock.freeze(START):
        record_id = _archive(child, key="crash-1", correspondent=_child())
        (claim,) = outbox_claim_due()
        message = OutboxMessage.objects.get(id=claim.message_id)
        delivery = Delivery(message.id, message.kind, message.payload, message.idempotency_key, message.attempts)
        client = get_noark_port()
        with pytest.raises(SystemExit):
            archive_deliver(delivery, port=_CrashAfterJournalpost(client))
        client.close()
    assert len(noark_sim.journalposter) == 1 and not noark_sim.files
    with clock.freeze(START + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)):
        assert _deliver_due() == ["delivered"]
    assert len(noark_sim.saksmapper) == 1
    assert len(noark_sim.journalposter) == 1
    assert len(noark_sim.dokumentbeskrivelser) == 1
    assert len(noark_sim.korrespondanseparter) == 1
    assert list(noark_sim.files.values()) == [PDF]
    record = ArchiveRecord.objects.get(id=record_id)
    assert record.state == ArchiveRecordState.ARCHIVED
    assert record.journalpost_system_id == next(iter(noark_sim.journalposter))


def test_archive_down_leaves_the_delivery_pending_for_a_retry(noark_settings, noark_sim):
    with clock.freeze(START):
        record_id = _archive(_child(), key="down-1")
        noark_sim.fail("500", count=3)
        assert _deliver_due() == ["pending"]
    assert OutboxMessage.objects.get(kind="noark.archive").status == OutboxStatus.PENDING
    assert ArchiveRecord.objects.get(id=record_id).state == ArchiveRecordState.QUEUED
    noark_sim.reset_faults()
    with clock.freeze(START + dt.timedelta(hours=2)):
        assert _deliver_due() == ["delivered"]
    assert ArchiveRecord.objects.get(id=record_id).state == ArchiveRecordState.ARCHIVED


def test_same_idempotency_key_is_one_record():
    child = _child()
    assert _archive(child, key="same") == _archive(child, key="same")
    assert ArchiveRecord.objects.count() == 1
