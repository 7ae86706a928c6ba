"""Issue 13 point 19: decisions last one barnehageår, cannot be back-dated by the guardian, count only for the
household the child lives in; the caseworker opens the documentation (audited)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fees.models import MunicipalFeeRates, NationalFeeRates
from invoicing import services
from invoicing.models import ApplicationStatus, FeeApplication
from oas import clock
from oas.audit.models import AuditAction, AuditEvent
from oas.errors import ValidationError
from oas.people.models import PersonRelation
from tests import factories as f
from tests.samples import pdf_bytes

from .conftest import Ledger

pytestmark = pytest.mark.django_db
PDF = pdf_bytes()
NOV = dt.date(2026, 11, 1)


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _submit(
    ledger: Ledger, *, applicant: str = "mum", valid_from: dt.date = NOV, income: str = "200000"
) -> FeeApplication:
    child = ledger.people["small"]
    return services.fee_application_submit(
        applicant=ledger.people[applicant],
        child_ids=[child.pk],
        kind="both",
        annual_income=Decimal(income),
        valid_from=valid_from,
        attachment=services.AttachmentIn("skatt.pdf", "application/pdf", PDF),
        allowed_child_ids={child.pk},
    )


def _kindergarten_fee(month: dt.date, ledger: Ledger) -> Decimal:
    preview = services.invoice_run_preview(municipality_number="3030", month=month)
    small = ledger.people["small"].pk
    return sum(
        (line.amount for line in preview.basis.lines if line.child_id == small and line.line_type == "fee"),
        Decimal(0),
    )


def test_a_decision_lasts_until_the_end_of_the_barnehageaar_and_then_expires(ledger: Ledger) -> None:
    # Let the 2026/27 rates run on, so that August 2027 can be priced.
    NationalFeeRates.objects.filter(valid_from=dt.date(2026, 8, 1)).update(valid_to=None)
    MunicipalFeeRates.objects.filter(valid_from=dt.date(2026, 8, 1)).update(valid_to=None)
    full_in_august = _kindergarten_fee(dt.date(2027, 8, 1), ledger)
    application = _submit(ledger)
    assert application.valid_from == NOV
    assert application.valid_to == dt.date(2027, 7, 31)
    services.fee_application_decide(application=application, approve=True)
    assert _kindergarten_fee(dt.date(2027, 6, 1), ledger) < _kindergarten_fee(dt.date(2026, 10, 1), ledger)
    with clock.freeze(dt.date(2027, 8, 2)):
        assert _kindergarten_fee(dt.date(2027, 8, 1), ledger) == full_in_august  # expired: full price again


def test_decision_letter_names_the_period(ledger: Ledger) -> None:
    from integrations.models import Letter

    application = services.fee_application_decide(application=_submit(ledger), approve=True)
    import io

    from pypdf import PdfReader

    assert application.letter_id is not None
    letter = Letter.objects.get(pk=application.letter_id)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(letter.pdf))).pages)
    assert "31.07.2027" in text


def test_the_guardian_cannot_back_date_an_application(ledger: Ledger) -> None:
    with pytest.raises(ValidationError) as caught:
        _submit(ledger, valid_from=dt.date(2026, 8, 1))
    assert "valid_from" in caught.value.fields
    client = _client(ledger.users["mum"])
    response = client.post(
        "/portal/redusert-betaling/",
        {
            "children": [ledger.people["small"].pk],
            "kind": "both",
            "annual_income": "200000",
            "fra": "2025-08",
            "attachment": SimpleUploadedFile("skatt.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 400
    assert "tidligst" in response.content.decode()
    assert not FeeApplication.objects.exists()


def test_a_parent_the_child_does_not_live_with_cannot_apply_with_his_income(ledger: Ledger) -> None:
    with pytest.raises(ValidationError) as caught:
        _submit(ledger, applicant="dad")  # guardian with foreldreansvar, lives elsewhere
    assert "bor hos deg" in caught.value.message
    assert not FeeApplication.objects.exists()


def test_a_decision_for_a_parent_who_moved_out_no_longer_counts(ledger: Ledger) -> None:
    before = _kindergarten_fee(NOV, ledger)
    application = services.fee_application_decide(application=_submit(ledger, income="150000"), approve=True)
    assert _kindergarten_fee(NOV, ledger) < before
    PersonRelation.objects.filter(adult=ledger.people["mum"], child=ledger.people["small"]).update(
        lives_with_child=False
    )
    moved_out = _kindergarten_fee(NOV, ledger)
    FeeApplication.objects.filter(pk=application.pk).update(status=ApplicationStatus.REJECTED)
    assert moved_out == _kindergarten_fee(NOV, ledger)  # as if there were no decision


def test_the_caseworker_opens_the_documentation_and_it_is_audited(ledger: Ledger) -> None:
    application = _submit(ledger)
    response = _client(ledger.users["finance"]).get(f"/fakturering/soknader/{application.pk}/dokumentasjon/")
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    event = AuditEvent.objects.get(event="invoicing.application.documentation")
    assert event.action == AuditAction.READ
    assert ledger.people["small"].pk in event.person_ids
    page = _client(ledger.users["finance"]).get("/fakturering/soknader/").content.decode()
    assert f"/fakturering/soknader/{application.pk}/dokumentasjon/" in page
    assert "31.7.2027" in page


@pytest.mark.parametrize("persona", ["leader", "mum", "outsider"])
def test_others_cannot_open_the_documentation(ledger: Ledger, persona: str) -> None:
    application = _submit(ledger)
    response = _client(ledger.users[persona]).get(f"/fakturering/soknader/{application.pk}/dokumentasjon/")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(event="invoicing.application.documentation").exists()


def test_an_unknown_application_is_404_for_the_caseworker(ledger: Ledger) -> None:
    f.PersonFactory()
    response = _client(ledger.users["finance"]).get("/fakturering/soknader/999999/dokumentasjon/")
    assert response.status_code == 404
    assert not FeeApplication.objects.filter(status=ApplicationStatus.APPROVED).exists()
