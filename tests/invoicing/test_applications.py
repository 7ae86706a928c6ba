"""Reduced-fee / free-hours applications: the guardian applies with documentation; the finance office decides."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from integrations.models import ArchiveRecord, Letter, OutboxMessage
from invoicing import services
from invoicing.models import ApplicationStatus, FeeApplication
from tests.samples import EXECUTABLE, pdf_bytes, zip_bomb

from .conftest import Ledger

pytestmark = pytest.mark.django_db
PDF = pdf_bytes()


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _apply(client: Client, ledger: Ledger, **overrides: object) -> object:
    data: dict[str, object] = {
        "children": [ledger.people["small"].pk],
        "kind": "both",
        "annual_income": "350 000",
        "fra": "2026-11",
        "attachment": SimpleUploadedFile("skatt.pdf", PDF, content_type="application/pdf"),
    }
    data.update(overrides)
    return client.post("/portal/redusert-betaling/", data)


def test_guardian_applies_with_income_documentation(ledger: Ledger) -> None:
    client = _client(ledger.users["mum"])
    assert client.get("/portal/redusert-betaling/").status_code == 200
    response = _apply(client, ledger)
    assert response.status_code == 302  # type: ignore[attr-defined]
    application = FeeApplication.objects.get()
    assert application.annual_income == Decimal(350000)
    assert bytes(application.attachment) == PDF
    assert list(application.children.values_list("pk", flat=True)) == [ledger.people["small"].pk]


@pytest.mark.parametrize(
    "overrides",
    [
        {"annual_income": "-1"},
        {"annual_income": "mye"},
        {"attachment": SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")},
        {"kind": "everything"},
    ],
)
def test_bad_applications_are_refused_and_write_nothing(ledger: Ledger, overrides: dict) -> None:
    response = _apply(_client(ledger.users["mum"]), ledger, **overrides)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert not FeeApplication.objects.exists()


def test_a_guardian_cannot_apply_for_someone_elses_child(ledger: Ledger) -> None:
    response = _apply(_client(ledger.users["outsider"]), ledger)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert not FeeApplication.objects.exists()


def test_staff_cannot_open_the_guardian_application_page(ledger: Ledger) -> None:
    assert _client(ledger.users["finance"]).get("/portal/redusert-betaling/").status_code == 403


def _submitted(ledger: Ledger, income: str = "300000") -> FeeApplication:
    return services.fee_application_submit(
        applicant=ledger.people["mum"],
        child_ids=[ledger.people["small"].pk],
        kind="both",
        annual_income=Decimal(income),
        valid_from=dt.date(2026, 11, 1),
        attachment=services.AttachmentIn("skatt.pdf", "application/pdf", PDF),
        allowed_child_ids={ledger.people["small"].pk},
    )


def test_finance_office_approves_and_the_letter_and_archive_entry_are_queued(ledger: Ledger) -> None:
    application = _submitted(ledger)
    client = _client(ledger.users["finance"])
    page = client.get("/fakturering/soknader/")
    assert page.status_code == 200
    assert f'data-application="{application.pk}"' in page.content.decode()
    client.post(f"/fakturering/soknader/{application.pk}/vedtak/", {"decision": "approve"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.letter_id is not None
    assert application.archive_record_id is not None
    letter = Letter.objects.get(pk=application.letter_id)
    assert letter.recipient_id == ledger.people["mum"].pk
    assert bytes(letter.pdf).startswith(b"%PDF")
    assert ArchiveRecord.objects.filter(pk=application.archive_record_id).exists()
    assert OutboxMessage.objects.filter(kind="svarut.send").count() == 1


def test_an_approved_low_income_lowers_the_invoice(ledger: Ledger) -> None:
    before = services.invoice_run_preview(
        municipality_number="3030", month=ledger.placements["kg"].start_date.replace(month=11, year=2026)
    )
    application = _submitted(ledger, income="200000")
    services.fee_application_decide(application=application, approve=True)
    after = services.invoice_run_preview(municipality_number="3030", month=before.month)
    assert after.total < before.total


def test_a_rejection_needs_a_reason(ledger: Ledger) -> None:
    application = _submitted(ledger)
    from oas.errors import ValidationError

    with pytest.raises(ValidationError):
        services.fee_application_decide(application=application, approve=False, note=" ")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Letter.objects.exists()


@pytest.mark.parametrize("persona", ["leader", "mum"])
def test_others_cannot_decide_applications(ledger: Ledger, persona: str) -> None:
    application = _submitted(ledger)
    client = _client(ledger.users[persona])
    assert client.get("/fakturering/soknader/").status_code == 403
    assert client.post(f"/fakturering/soknader/{application.pk}/vedtak/", {"decision": "approve"}).status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_the_application_list_takes_the_same_number_of_queries_for_one_or_three_applications(
    ledger: Ledger, django_assert_max_num_queries: Any
) -> None:
    client = _client(ledger.users["finance"])
    _submitted(ledger)
    client.get("/fakturering/soknader/")  # warm caches so both measured requests do the same work
    with CaptureQueriesContext(connection) as one:
        assert client.get("/fakturering/soknader/").status_code == 200
    _submitted(ledger, income="250000")
    _submitted(ledger, income="200000")
    with django_assert_max_num_queries(len(one)):
        page = client.get("/fakturering/soknader/")
    assert page.content.decode().count('class="application-row"') == 3


@pytest.mark.parametrize("income", ["NaN", "Infinity", "-Infinity", "1e30", "sNaN", "12,345"])
def test_non_finite_or_absurd_income_gets_a_form_error_not_a_500(ledger: Ledger, income: str) -> None:
    response = _apply(_client(ledger.users["mum"]), ledger, annual_income=income)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Inntekten" in response.content.decode()  # type: ignore[attr-defined]
    assert not FeeApplication.objects.exists()


def test_service_refuses_non_finite_income(ledger: Ledger) -> None:
    from oas.errors import ValidationError

    for income in (Decimal("NaN"), Decimal("Infinity"), Decimal("1e30")):
        with pytest.raises(ValidationError) as caught:
            services.fee_application_submit(
                applicant=ledger.people["mum"],
                child_ids=[ledger.people["small"].pk],
                kind="both",
                annual_income=income,
                valid_from=dt.date(2026, 11, 1),
                attachment=services.AttachmentIn("skatt.pdf", "application/pdf", PDF),
                allowed_child_ids={ledger.people["small"].pk},
            )
        assert "annual_income" in caught.value.fields
    assert not FeeApplication.objects.exists()


@pytest.mark.parametrize(
    "upload",
    [
        ("skatt.pdf", EXECUTABLE, "application/pdf"),  # an executable named .pdf, declared as PDF
        ("skatt.pdf", b"%PDF-1.7\n" + EXECUTABLE, "application/pdf"),  # PDF header followed by an executable
        ("skatt.pdf", zip_bomb(), "application/pdf"),
        ("skatt.png", PDF, "image/png"),
    ],
)
def test_documentation_is_checked_by_content_not_by_the_declared_type(ledger: Ledger, upload: tuple) -> None:
    name, content, declared = upload
    response = _apply(
        _client(ledger.users["mum"]), ledger, attachment=SimpleUploadedFile(name, content, content_type=declared)
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "application-error" in response.content.decode()  # type: ignore[attr-defined]
    assert not FeeApplication.objects.exists()


def test_documentation_type_is_stored_from_the_content(ledger: Ledger) -> None:
    response = _apply(
        _client(ledger.users["mum"]),
        ledger,
        attachment=SimpleUploadedFile("skatt.pdf", PDF, content_type="application/x-msdownload"),
    )
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert FeeApplication.objects.get().attachment_type == "application/pdf"


def test_documentation_larger_than_10_mb_is_refused(ledger: Ledger) -> None:
    big = SimpleUploadedFile("skatt.pdf", PDF + b"%" * (10 * 1024 * 1024), content_type="application/pdf")
    response = _apply(_client(ledger.users["mum"]), ledger, attachment=big)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "for stor" in response.content.decode()  # type: ignore[attr-defined]
    assert not FeeApplication.objects.exists()
