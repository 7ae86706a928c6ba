# ruff: noqa: F811 - ``invoiced`` is the fixture imported from test_portal_invoices
"""Payment status from the ERP (issue 15): the ERP's payment file sets each payer's status per month, the
simulator produces one for a committed month, the guardian's invoice page shows it; a bad file changes nothing."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from invoicing.models import InvoicePayment, PaymentStatus
from invoicing.payments import PAYMENT_COLUMNS, invoice_payments_import, invoice_payments_simulate
from oas import clock
from oas.audit.models import AuditEvent
from oas.errors import ValidationError
from tests.personas import persona_user

from .test_portal_invoices import MONTH, invoiced  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _file(*rows: str) -> bytes:
    return ("\n".join([";".join(PAYMENT_COLUMNS), *rows]) + "\n").encode()


def _page() -> str:
    client = Client()
    client.force_login(persona_user("foresatt"))
    response = client.get("/portal/faktura/")
    assert response.status_code == 200
    return response.content.decode()


def test_before_the_erp_says_anything_the_page_says_so(invoiced: dict[str, Any]) -> None:
    assert 'data-payment="none"' in _page()


def test_a_paid_invoice_shows_paid_with_the_date(invoiced: dict[str, Any]) -> None:
    fnr = invoiced["guardian"].national_id
    assert invoice_payments_import(name="b.csv", content=_file(f"2026-11;{fnr};betalt;2469,00;2026-11-18")) == 1
    html = _page()
    assert 'data-payment="paid"' in html
    assert "Betalt 18.11.2026" in html
    assert AuditEvent.objects.filter(event="invoicing.payment.import").exists()


def test_an_unpaid_invoice_after_the_due_date_is_overdue(invoiced: dict[str, Any]) -> None:
    fnr = invoiced["guardian"].national_id
    invoice_payments_import(name="b.csv", content=_file(f"2026-11;{fnr};ubetalt;0;"))
    with clock.freeze(dt.date(2026, 11, 25)):
        html = _page()
    assert 'data-payment="unpaid"' in html
    assert "Ikke betalt – forfalt" in html


def test_a_file_with_a_bad_row_changes_nothing(invoiced: dict[str, Any]) -> None:
    fnr = invoiced["guardian"].national_id
    with pytest.raises(ValidationError):
        invoice_payments_import(
            name="b.csv", content=_file(f"2026-11;{fnr};betalt;100;2026-11-18", "2026-11;00000000000;betalt;1;")
        )
    with pytest.raises(ValidationError):
        invoice_payments_import(name="b.csv", content=b"feil;kolonner\n1;2\n")
    assert not InvoicePayment.objects.exists()


def test_the_simulator_pays_most_and_the_import_stores_it(invoiced: dict[str, Any]) -> None:
    content = invoice_payments_simulate(month=MONTH)
    lines = content.decode().splitlines()
    assert lines[0] == ";".join(PAYMENT_COLUMNS)
    out = io.StringIO()
    call_command("erp_payments_import", "--simulate", "--month", "2026-11", stdout=out)
    assert InvoicePayment.objects.count() == len(lines) - 1
    statuses = set(InvoicePayment.objects.values_list("status", flat=True))
    assert statuses <= {PaymentStatus.PAID, PaymentStatus.UNPAID}
    assert PaymentStatus.PAID in statuses
