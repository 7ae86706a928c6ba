"""Issue 13 point 22 on the demo municipality: age groups after barnehageloven § 26 in admission and occupancy,
appeals that change the outcome or go on to the klageinstans, private approval before publishing, and the
caseworker opening uploaded documentation."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse

from integrations.models import ArchiveRecord, Letter, OutboxMessage
from kindergarten import selectors, services
from kindergarten.models import (
    Appeal,
    AppealStatus,
    ApplicationStatus,
    Assignment,
    DecisionLetter,
    GroundKind,
    Offer,
    OfferStatus,
    Programme,
    RoundState,
)
from kindergarten.placements import kindergarten_occupancy
from oas import clock
from oas.access.services import role_mapping_seed
from oas.audit.models import AuditEvent
from oas.errors import ValidationError
from oas.organisation.models import OrgUnit
from oas.people.models import Employee
from tests.factories import EmployeeFactory, EmploymentFactory, guardian_account, staff_account
from tests.kindergarten.demo import START, demo_round
from tests.kindergarten.factories import PDF, family

pytestmark = pytest.mark.django_db

ON_TIME = dt.date(2027, 2, 1)
_numbers = itertools.count(1)
DECIDED = dt.date(2027, 4, 1)


@pytest.fixture(autouse=True)
def _quiet_tasks(monkeypatch) -> None:
    monkeypatch.setattr("integrations.outbox.services._kick_claimer", lambda: None)


def _apply(rnd, fam, units, **kw):
    with clock.freeze(ON_TIME):
        return services.application_submit(
            admission_round=rnd, child=fam.child, applicant=fam.guardian, choices=units, wanted_start_date=START, **kw
        )


def _match(rnd) -> None:
    with clock.freeze(DECIDED):
        services.admission_round_set_state(admission_round=rnd, state=RoundState.CLOSED)
        services.admission_round_match(admission_round=rnd)


def _publish(rnd) -> None:
    with clock.freeze(DECIDED):
        services.admission_round_publish(admission_round=rnd)


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _staff_client(unit: OrgUnit, position: str) -> Client:
    role_mapping_seed()
    # A number of our own: the demo's employees already use the factory's E000001… numbers.
    employee = cast(Employee, EmployeeFactory(employee_number=f"ADM{next(_numbers):05d}"))
    EmploymentFactory(employee=employee, unit=unit, position_code=position)
    return _login(staff_account(employee).user)


def _sector_office(municipality) -> OrgUnit:
    return OrgUnit.objects.filter(kind="sector_office", municipality=municipality).order_by("pk")[0]


# ------------------------------------------------------------------------------------------------- age groups


def test_a_child_turning_three_this_autumn_is_in_the_big_group_for_admission_and_for_occupancy(
    demo_municipality,
) -> None:
    rnd, units = demo_round(demo_municipality, capacity={"Demo barnehage": 1}, small=0)
    demo = units["Demo barnehage"]
    fam = family(birth_date=dt.date(2024, 10, 1))  # two on the start date, three in October
    app = _apply(rnd, fam, [demo])
    _match(rnd)
    assert selectors.matching_input(admission_round=rnd).facts[str(app.pk)].age_group == "3-5"
    asg = Assignment.objects.get(application=app)
    assert asg.programme is not None and asg.programme.age_group == "3-5"
    _publish(rnd)
    before = kindergarten_occupancy(unit=demo, day=START).total
    with clock.freeze(DECIDED):
        services.offer_accept(offer=Offer.objects.get(application=app), guardian=fam.guardian)
    after = kindergarten_occupancy(unit=demo, day=START).total
    assert (after.over_3 - before.over_3, after.under_3 - before.under_3) == (1, 0)


# ---------------------------------------------------------------------------------------------------- appeals


def _appealed(demo_municipality) -> tuple[Any, dict[str, OrgUnit], Any, Appeal]:
    """A child with the right who got Frogner by the guarantee instead of Demo, its first choice, and appealed."""
    rnd, units = demo_round(demo_municipality, capacity={"Demo barnehage": 1, "Frogner barnehage": 1})
    demo = units["Demo barnehage"]
    _apply(rnd, family(birth_date=dt.date(2022, 9, 1)), [demo])  # older: gets Demo
    fam = family(birth_date=dt.date(2023, 6, 1))
    app = _apply(rnd, fam, [demo])
    _match(rnd)
    _publish(rnd)
    assert Offer.objects.get(application=app).programme.unit.name == "Frogner barnehage"
    with clock.freeze(DECIDED + dt.timedelta(days=5)):
        appeal = services.appeal_register(application=app, reason="Vi ønsker Demo barnehage, nær hjemmet.")
    return rnd, units, fam, appeal


def test_an_upheld_appeal_offers_the_place_it_grants_and_sends_a_new_decision(demo_municipality) -> None:
    rnd, units, fam, appeal = _appealed(demo_municipality)
    demo_big = Programme.objects.get(round=rnd, unit=units["Demo barnehage"], age_group="3-5")
    first_offer = Offer.objects.get(application=appeal.application)
    with clock.freeze(DECIDED + dt.timedelta(days=10)):
        with pytest.raises(ValidationError) as missing:
            services.appeal_decide(appeal=appeal, upheld=True, decision_text="Medhold.")
        assert missing.value.code == "programme_required"
        with pytest.raises(ValidationError) as full:
            services.appeal_decide(appeal=appeal, upheld=True, decision_text="Medhold.", programme=demo_big)
        assert full.value.code == "capacity_exceeded"
        appeal.refresh_from_db()
        assert (appeal.status, appeal.offer_id) == (AppealStatus.REGISTERED, None)

        services.programme_set_capacity(admission_round=rnd, unit=units["Demo barnehage"], age_group="3-5", capacity=2)
        decided = services.appeal_decide(
            appeal=appeal, upheld=True, decision_text="Lang reisevei: barnet får plass i Demo.", programme=demo_big
        )
    assert decided.status == AppealStatus.UPHELD
    assert decided.offer is not None
    new = decided.offer
    assert (new.programme_id, new.status, new.kind) == (demo_big.pk, OfferStatus.PENDING, "choice")
    first_offer.refresh_from_db()
    assert first_offer.status == OfferStatus.SUPERSEDED
    decided.application.refresh_from_db()
    assert decided.application.status == ApplicationStatus.OFFERED
    letter = DecisionLetter.objects.get(appeal=decided)
    assert letter.offer_id == new.pk
    assert set(letter.recipient_ids) == {fam.guardian.pk, fam.other_guardian.pk}
    assert "medhold" in letter.title
    with clock.freeze(DECIDED + dt.timedelta(days=11)):
        placement = services.offer_accept(offer=new, guardian=fam.guardian)
    assert placement.unit.name == "Demo barnehage"


def test_a_rejected_appeal_is_sent_on_to_the_klageinstans_through_the_letters_and_the_archive(
    demo_municipality,
) -> None:
    _rnd, _units, fam, appeal = _appealed(demo_municipality)
    with clock.freeze(DECIDED + dt.timedelta(days=10)):
        decided = services.appeal_decide(appeal=appeal, upheld=False, decision_text="Demo barnehage er full.")
    assert decided.status == AppealStatus.REJECTED
    assert decided.forwarded_at is not None
    letter = DecisionLetter.objects.get(appeal=decided)
    assert "klagenemnda" in letter.title
    assert "Vi ønsker Demo barnehage" in " ".join(letter.body["paragraphs"])
    assert letter.body["reasons"] == "Demo barnehage er full."

    assert services.decision_letters_send_pending() >= 1
    sent = Letter.objects.filter(title=letter.title)
    assert sorted(sent.values_list("recipient_id", flat=True)) == sorted([fam.guardian.pk, fam.other_guardian.pk])
    assert ArchiveRecord.objects.filter(
        case_id=str(decided.application_id), title=letter.title, journalposttype="U"
    ).exists()
    assert OutboxMessage.objects.filter(kind="noark.archive").exists()
    # A later appeal is still measured against the admission decision, not against this letter.
    with clock.freeze(DECIDED + dt.timedelta(days=15)):
        again = services.appeal_register(application=decided.application, reason="Ny klage.")
    assert not again.late


# ----------------------------------------------------------------------------------------- private approval


def test_a_private_kindergartens_offers_are_published_only_after_it_approved_them(demo_municipality) -> None:
    rnd, units = demo_round(demo_municipality, capacity={"Demo barnehage": 1, "Dalen private barnehage": 1})
    dalen = units["Dalen private barnehage"]
    municipal = _apply(rnd, family(birth_date=dt.date(2022, 9, 1)), [units["Demo barnehage"]])
    private = _apply(rnd, family(birth_date=dt.date(2022, 10, 1)), [dalen])
    _match(rnd)
    with clock.freeze(DECIDED), pytest.raises(ValidationError) as exc:
        services.admission_round_publish(admission_round=rnd)
    assert exc.value.code == "private_not_approved"
    assert "Dalen private barnehage" in exc.value.message
    rnd.refresh_from_db()
    assert rnd.state == RoundState.MATCHED
    assert not Offer.objects.filter(application__round=rnd).exists()

    with clock.freeze(DECIDED):
        assert services.assignments_approve(unit=dalen) == 1
        services.admission_round_match(admission_round=rnd)  # the same proposal again keeps the approval
        services.admission_round_publish(admission_round=rnd)
    assert Offer.objects.get(application=private).programme.unit_id == dalen.pk
    assert Offer.objects.filter(application=municipal).exists()


# --------------------------------------------------------------------------------------------- documentation


def _with_attachment(demo_municipality):
    rnd, units = demo_round(demo_municipality, capacity={"Demo barnehage": 1})
    fam = family(birth_date=dt.date(2023, 3, 1))
    ground = services.GroundIn(
        GroundKind.DISABILITY, attachments=[services.AttachmentIn("sakkyndig vurdering.pdf", "application/pdf", PDF)]
    )
    app = _apply(rnd, fam, [units["Demo barnehage"]], grounds=[ground])
    attachment = app.grounds.get().attachments.get()
    return units, fam, app, attachment


def test_the_admission_office_opens_uploaded_documentation_and_the_read_is_audited(demo_municipality) -> None:
    _units, _fam, app, attachment = _with_attachment(demo_municipality)
    client = _staff_client(_sector_office(demo_municipality), "OPPTAK")
    page = client.get(reverse("kindergarten_pages:office_application", args=[app.pk]))
    url = reverse("kindergarten_pages:office_attachment", args=[attachment.pk])
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    read = AuditEvent.objects.get(event="kindergarten.attachment.read")
    assert read.person_ids == [app.child_id]
    assert client.get(reverse("kindergarten_pages:office_attachment", args=[attachment.pk + 10_000])).status_code == 404


def test_teachers_and_guardians_cannot_open_uploaded_documentation(demo_municipality) -> None:
    units, fam, _app, attachment = _with_attachment(demo_municipality)
    url = reverse("kindergarten_pages:office_attachment", args=[attachment.pk])
    assert _staff_client(units["Demo barnehage"], "BHG_LAERER").get(url).status_code == 403
    role_mapping_seed()
    assert _login(guardian_account(fam.guardian).user).get(url).status_code == 403
    assert not AuditEvent.objects.filter(event="kindergarten.attachment.read").exists()


def test_the_office_upholds_an_appeal_on_the_page_and_a_teacher_may_not(demo_municipality) -> None:
    rnd, units, _fam, appeal = _appealed(demo_municipality)
    services.programme_set_capacity(admission_round=rnd, unit=units["Demo barnehage"], age_group="3-5", capacity=2)
    demo_big = Programme.objects.get(round=rnd, unit=units["Demo barnehage"], age_group="3-5")
    url = reverse("kindergarten_pages:appeal_decide", args=[appeal.pk])
    data = {"upheld": "1", "decision_text": "Medhold.", "programme": str(demo_big.pk)}
    assert _staff_client(units["Demo barnehage"], "BHG_LAERER").post(url, data).status_code == 403
    office = _staff_client(_sector_office(demo_municipality), "OPPTAK")
    other, _units = demo_round(demo_municipality, capacity={"Demo barnehage": 5}, seed="annet")
    elsewhere = Programme.objects.get(round=other, age_group="3-5")
    office.post(url, {**data, "programme": str(elsewhere.pk)})  # a kindergarten of another round: refused
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REGISTERED
    response = office.post(url, data)
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD
    assert appeal.offer is not None and appeal.offer.programme_id == demo_big.pk
