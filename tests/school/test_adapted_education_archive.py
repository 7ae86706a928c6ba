"""The IOP case in the Noark 5 archive (simulator): one saksmappe per pupil, skjermet, with the PPT assessment (I)
and each IOP version (U)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from integrations.maskinporten.simulator import MaskinportenSimulator
from integrations.noark.simulator import REQUIRED_SCOPE, NoarkSimulator
from integrations.outbox.services import outbox_claim_due
from integrations.outbox.tasks import outbox_deliver_now
from school import adapted_education as ae
from school.management.commands.seed_school_demo import demo_assessment_pdf
from school.models import AdaptedEducationDecision, Subject
from tests.school.conftest import SchoolDemo, persona_user

pytestmark = pytest.mark.django_db

HJEMMEL = "Offl. § 13 jf. fvl. § 13"


@pytest.fixture
def archive_sim(settings: Any) -> Iterator[NoarkSimulator]:
    with MaskinportenSimulator() as maskinporten:
        assert isinstance(maskinporten, MaskinportenSimulator)
        sim = NoarkSimulator(
            token_verifier=lambda authorization: maskinporten.verify_access_token(authorization, scope=REQUIRED_SCOPE)
        )
        with sim:
            settings.NOARK_SIMULATOR_URL = sim.url
            settings.MASKINPORTEN_SIMULATOR_URL = maskinporten.url
            settings.NOARK_TIMEOUT_SECONDS = 2
            yield sim


def _deliver_due() -> list[str]:
    return [outbox_deliver_now(message_id=c.message_id, claim_token=c.claim_token) for c in outbox_claim_due()]


def test_assessment_and_iop_are_archived_skjermet_on_the_pupils_case(
    school_demo: SchoolDemo, archive_sim: NoarkSimulator
) -> None:
    pupil = school_demo.child_1a
    decision = AdaptedEducationDecision.objects.get(pupil=pupil)
    ae.expert_assessment_record(
        user=persona_user("rektor"),
        pupil_id=pupil.pk,
        received_date=dt.date(2026, 11, 2),
        summary="Ny vurdering etter ett år.",
        recommended_hours_per_year="95",
        document=demo_assessment_pdf(),
        filename="sakkyndig.pdf",
    )
    ae.iop_save(
        user=persona_user("spesped"),
        decision_id=decision.pk,
        subject_id=Subject.objects.get(code="ENG").pk,
        goals="Kan hilse og presentere seg på engelsk.",
        content="Sanger og bildekort.",
        organisation="I klassen.",
    )
    assert set(_deliver_due()) == {"delivered"}  # the assessment's journalpost; the IOP rendered and queued
    assert set(_deliver_due()) == {"delivered"}  # the IOP's journalpost
    (mappe,) = archive_sim.saksmapper.values()
    assert mappe["tittel"] == f"Individuelt tilrettelagt opplæring – {pupil.full_name}"
    assert pupil.first_name not in mappe["offentligTittel"]
    assert mappe["skjerming"]["tilgangsrestriksjon"]["kode"] == "13"
    assert mappe["skjerming"]["skjermingshjemmel"] == HJEMMEL
    posts = sorted(archive_sim.journalposter.values(), key=lambda p: p["journalpostnummer"])
    assert [p["journalposttype"]["kode"] for p in posts] == ["I", "U"]
    assert all(p["skjerming"]["skjermingshjemmel"] == HJEMMEL for p in posts)
    assert all(pupil.first_name not in p["offentligTittel"] for p in posts)
    assert all(f.startswith(b"%PDF") for f in archive_sim.files.values())
