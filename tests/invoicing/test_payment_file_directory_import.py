# ruff: noqa: F811 - ``invoiced`` is the fixture imported from test_portal_invoices
"""The ERP's payment file comes in through the ERP directory import (issue 15), the daily Celery beat task that
also imports the employee files: picked up by its name (``betalingsstatus-<kommune>-<YYYY-MM>.csv``), imported
once per content, and a bad file is recorded as rejected with a clear error while nothing is written."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from integrations.erp.tasks import erp_import_directory_task
from integrations.models import ErpImportRun, ErpImportStatus
from invoicing.models import InvoicePayment, PaymentStatus
from invoicing.payments import PAYMENT_COLUMNS
from oas.audit.models import AuditEvent
from oas.people.models import Employee

from .test_portal_invoices import invoiced  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _file(*rows: str) -> bytes:
    return ("\n".join([";".join(PAYMENT_COLUMNS), *rows]) + "\n").encode()


@pytest.fixture
def erp_dir(tmp_path: Path, settings: Any) -> Path:
    folder = tmp_path / "erp-import"
    folder.mkdir()
    settings.ERP_IMPORT_DIR = str(folder)
    return folder


def test_the_beat_task_is_scheduled() -> None:
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "integrations.erp.import_directory" in scheduled


def test_the_directory_import_picks_up_the_payment_file(invoiced: dict[str, Any], erp_dir: Path) -> None:
    fnr = invoiced["guardian"].national_id
    (erp_dir / "betalingsstatus-3030-2026-11.csv").write_bytes(_file(f"2026-11;{fnr};betalt;2469,00;2026-11-18"))
    employees = Employee.objects.count()

    assert erp_import_directory_task() == 1

    payment = InvoicePayment.objects.get(payer=invoiced["guardian"])
    assert (payment.status, str(payment.amount_paid), payment.source) == (
        PaymentStatus.PAID,
        "2469.00",
        "betalingsstatus-3030-2026-11.csv",
    )
    run = ErpImportRun.objects.get(file_name="betalingsstatus-3030-2026-11.csv")
    assert (run.status, run.source, run.counts) == (ErpImportStatus.IMPORTED, "beat", {"payments": 1})
    assert Employee.objects.count() == employees  # not read as an employee export
    assert AuditEvent.objects.filter(event="invoicing.payment.import").count() == 1


def test_the_same_file_twice_is_imported_once(invoiced: dict[str, Any], erp_dir: Path) -> None:
    fnr = invoiced["guardian"].national_id
    content = _file(f"2026-11;{fnr};betalt;2469,00;2026-11-18")
    (erp_dir / "betalingsstatus-3030-2026-11.csv").write_bytes(content)
    assert erp_import_directory_task() == 1
    first = InvoicePayment.objects.get(payer=invoiced["guardian"]).updated_at
    assert erp_import_directory_task() == 0  # the next day: nothing new
    (erp_dir / "betalingsstatus-3030-2026-11-kopi.csv").write_bytes(content)  # the same content again
    assert erp_import_directory_task() == 0
    assert ErpImportRun.objects.count() == 1
    assert AuditEvent.objects.filter(event="invoicing.payment.import").count() == 1
    assert InvoicePayment.objects.get(payer=invoiced["guardian"]).updated_at == first


def test_a_bad_payment_file_is_rejected_with_a_clear_error_and_writes_nothing(
    invoiced: dict[str, Any], erp_dir: Path
) -> None:
    fnr = invoiced["guardian"].national_id
    (erp_dir / "betalingsstatus-3030-2026-11.csv").write_bytes(
        _file(f"2026-11;{fnr};betalt;100;2026-11-18", "2026-11;00000000000;betalt;1;")
    )
    (erp_dir / "betalingsstatus-3030-2026-10.csv").write_bytes(b"feil;kolonner\n1;2\n")

    assert erp_import_directory_task() == 2

    assert not InvoicePayment.objects.exists()
    assert not AuditEvent.objects.filter(event="invoicing.payment.import").exists()
    runs = {r.file_name: r for r in ErpImportRun.objects.all()}
    bad_row = runs["betalingsstatus-3030-2026-11.csv"]
    assert bad_row.status == ErpImportStatus.REJECTED
    assert bad_row.errors[0]["message"] == "Linje 3 i betalingsfilen er ugyldig."
    assert runs["betalingsstatus-3030-2026-10.csv"].errors[0]["message"] == "Betalingsfilen har feil kolonner."


def test_a_corrected_file_is_imported_after_a_rejected_one(invoiced: dict[str, Any], erp_dir: Path) -> None:
    fnr = invoiced["guardian"].national_id
    path = erp_dir / "betalingsstatus-3030-2026-11.csv"
    path.write_bytes(_file(f"2026-11;{fnr};betalt;ikke-et-tall;2026-11-18"))
    erp_import_directory_task()
    assert not InvoicePayment.objects.exists()
    path.write_bytes(_file(f"2026-11;{fnr};delvis;1000,00;2026-11-18"))
    assert erp_import_directory_task() == 1
    assert InvoicePayment.objects.get(payer=invoiced["guardian"]).status == PaymentStatus.PARTLY_PAID


def test_the_command_still_imports_a_file(invoiced: dict[str, Any], tmp_path: Path) -> None:
    from django.core.management import call_command

    fnr = invoiced["guardian"].national_id
    path = tmp_path / "betalingsstatus-3030-2026-11.csv"
    path.write_bytes(_file(f"2026-11;{fnr};ubetalt;0;"))
    call_command("erp_payments_import", "--file", str(path), stdout=io.StringIO())
    assert InvoicePayment.objects.get(payer=invoiced["guardian"]).status == PaymentStatus.UNPAID
