"""Decision letters: one outbox row per letter written in the publish transaction, sent to every guardian through the SvarUt
outbox and archived (journalpost U) on the child's case; applications are archived as journalpost I."""

from __future__ import annotations

import datetime as dt

import pytest

from integrations.models import ArchiveRecord, Letter, OutboxMessage
from kindergarten import letters, services
from kindergarten.models import DecisionLetter, RoundState
from messaging.models import Notification
from tests.kindergarten.factories import admission_round, family

pytestmark = pytest.mark.django_db

BIG = dt.date(2023, 5, 1)


def _publish(monkeypatch, capture):
    monkeypatch.setattr("integrations.outbox.services._kick_claimer", lambda: None)
    rnd, units = admission_round(units=1, capacity=1)
    winner, loser = family(birth_date=BIG), family(birth_date=BIG)
    for fam in (winner, loser):
        services.application_submit(
            admission_round=rnd,
            child=fam.child,
            applicant=fam.guardian,
            choices=units,
            wanted_start_date=dt.date(2027, 8, 1),
        )
    services.admission_round_set_state(admission_round=rnd, state=RoundState.CLOSED)
    services.admission_round_match(admission_round=rnd)
    with capture(execute=True):
        services.admission_round_publish(admission_round=rnd)
    queued = [m.payload["letter_id"] for m in OutboxMessage.objects.filter(kind=letters.DECISION_LETTER_KIND)]
    return queued, winner, loser


def test_publishing_writes_one_outbox_row_per_letter_in_its_transaction(
    application_day, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    queued, _winner, _loser = _publish(monkeypatch, django_capture_on_commit_callbacks)
    assert sorted(queued) == sorted(DecisionLetter.objects.values_list("pk", flat=True))
    assert len(queued) == 2
    assert not Letter.objects.exists()  # nothing rendered inside the publish transaction


def test_a_rolled_back_publish_leaves_no_letter_outbox_row(application_day, monkeypatch) -> None:
    from django.db import transaction

    monkeypatch.setattr("integrations.outbox.services._kick_claimer", lambda: None)
    rnd, units = admission_round(units=1, capacity=1)
    fam = family(birth_date=BIG)
    services.application_submit(
        admission_round=rnd,
        child=fam.child,
        applicant=fam.guardian,
        choices=units,
        wanted_start_date=dt.date(2027, 8, 1),
    )
    services.admission_round_set_state(admission_round=rnd, state=RoundState.CLOSED)
    services.admission_round_match(admission_round=rnd)

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        services.admission_round_publish(admission_round=rnd)
        assert OutboxMessage.objects.filter(kind=letters.DECISION_LETTER_KIND).count() == 1
        raise Rollback
    assert not OutboxMessage.objects.filter(kind=letters.DECISION_LETTER_KIND).exists()


def test_a_decision_letter_goes_to_both_guardians_and_to_the_archive_once(
    application_day, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    _queued, first, second = _publish(monkeypatch, django_capture_on_commit_callbacks)
    letter = DecisionLetter.objects.get(offer__isnull=False)  # the lottery decides who got the one place
    winner = first if letter.application.child_id == first.child.pk else second
    assert letters.decision_letter_send(letter_id=letter.pk)
    assert letters.decision_letter_send(letter_id=letter.pk)  # a second run sends nothing new
    sent = Letter.objects.filter(case_ref=letters.case_ref(application_id=letter.application_id))
    assert sorted(sent.values_list("recipient_id", flat=True)) == sorted([winner.guardian.pk, winner.other_guardian.pk])
    assert all(bytes(pdf).startswith(b"%PDF") for pdf in sent.values_list("pdf", flat=True))
    record = ArchiveRecord.objects.get(case_type="kindergarten.application", case_id=str(letter.application_id))
    assert record.journalposttype == "U"
    assert OutboxMessage.objects.filter(kind="svarut.send").count() == 2
    assert OutboxMessage.objects.filter(kind="noark.archive").count() == 1
    letter.refresh_from_db()
    assert letter.sent_at is not None
    assert Notification.objects.filter(key=f"kg-tilbud:{letter.offer_id}").count() == 2


def test_the_refusal_letter_carries_the_appeal_information(
    application_day, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    _publish(monkeypatch, django_capture_on_commit_callbacks)
    letter = DecisionLetter.objects.get(offer__isnull=True)
    assert "avslag" in letter.title
    assert "Klagefristen er tre uker" in letter.body["appeal"]
    assert services.decision_letters_send_pending() == 2
    assert Letter.objects.filter(title=letter.title).count() == 2


def test_a_submitted_application_is_archived_as_an_incoming_journalpost(application_day, monkeypatch) -> None:
    rnd, units = admission_round(units=1)
    fam = family(birth_date=BIG)
    application = services.application_submit(
        admission_round=rnd,
        child=fam.child,
        applicant=fam.guardian,
        choices=units,
        wanted_start_date=dt.date(2027, 8, 1),
    )
    letters.application_archive(application_id=application.pk)
    record = ArchiveRecord.objects.get(case_type="kindergarten.application", case_id=str(application.pk))
    assert record.journalposttype == "I"
