"""Payment status from the ERP: the ERP's payment file (betalingsstatus) per payer and month, and its simulator.

Format (``;``-separated CSV, UTF-8, header row), one file per municipality and month, named
``betalingsstatus-<kommune>-<YYYY-MM>.csv``, with the columns of ``PAYMENT_COLUMNS``: ``fakturamaaned``
(YYYY-MM), ``betaler_fnr``, ``status`` (``betalt``, ``delvis`` or ``ubetalt``), ``innbetalt`` (kroner, decimal
comma or point) and ``betalt_dato`` (YYYY-MM-DD, empty when unpaid). A file with one bad row changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from invoicing.models import InvoiceLine, InvoicePayment, PaymentStatus, RunState
from oas import clock
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError
from oas.people.models import Person

PAYMENT_COLUMNS = ("fakturamaaned", "betaler_fnr", "status", "innbetalt", "betalt_dato")
ERP_STATUS = {"betalt": PaymentStatus.PAID, "delvis": PaymentStatus.PARTLY_PAID, "ubetalt": PaymentStatus.UNPAID}


def _row(raw: dict[str, str], people: dict[str, int], line: int) -> tuple[int, dt.date, str, Decimal, dt.date | None]:
    try:
        month = dt.date.fromisoformat(f"{raw['fakturamaaned'].strip()}-01")
        status = ERP_STATUS[raw["status"].strip().lower()]
        amount = Decimal((raw["innbetalt"] or "0").strip().replace(" ", "").replace(",", "."))
        paid_on = dt.date.fromisoformat(raw["betalt_dato"].strip()) if (raw["betalt_dato"] or "").strip() else None
    except (KeyError, ValueError, InvalidOperation, AttributeError):
        raise ValidationError(_("Linje %(line)s i betalingsfilen er ugyldig.") % {"line": line}) from None
    payer = people.get((raw.get("betaler_fnr") or "").strip())
    if payer is None or amount < 0:
        raise ValidationError(_("Linje %(line)s i betalingsfilen er ugyldig.") % {"line": line})
    return payer, month, status, amount, paid_on


def invoice_payments_import(*, name: str, content: bytes) -> int:
    """Store the payment status of each payer and month in the ERP's payment file; return how many rows."""
    try:
        reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
        raws = list(reader)
    except (UnicodeDecodeError, csv.Error):
        raise ValidationError(_("Betalingsfilen kan ikke leses.")) from None
    if tuple(reader.fieldnames or ()) != PAYMENT_COLUMNS:
        raise ValidationError(_("Betalingsfilen har feil kolonner."))
    people: dict[str, int] = {
        national_id: pk
        for national_id, pk in Person.objects.filter(
            national_id__in={(r.get("betaler_fnr") or "").strip() for r in raws}
        ).values_list("national_id", "pk")
        if national_id
    }
    rows = [_row(raw, people, number) for number, raw in enumerate(raws, start=2)]
    now = clock.now()
    with transaction.atomic():
        for payer, month, status, amount, paid_on in rows:
            InvoicePayment.objects.update_or_create(
                payer_id=payer,
                month=month,
                defaults={
                    "status": status,
                    "amount_paid": amount,
                    "paid_on": paid_on,
                    "updated_at": now,
                    "source": name[:200],
                },
            )
        audit_record(
            action=AuditAction.UPDATE,
            event="invoicing.payment.import",
            person_ids=sorted({r[0] for r in rows}),
            object_type="invoicing.InvoicePayment",
            object_id=name[:64],
            details={"rows": len(rows)},
        )
    return len(rows)


PAYMENT_FILE_PREFIX = "betalingsstatus-"


def invoice_payments_file_import(name: str, content: bytes) -> dict[str, int]:
    """The ERP directory import's handler for ``betalingsstatus-*.csv`` (registered in ``InvoicingConfig.ready``)."""
    return {"payments": invoice_payments_import(name=name, content=content)}


def invoice_payments_simulate(*, month: dt.date) -> bytes:
    """The ERP simulator's payment file for a committed month: every payer paid in full on the due date, except
    every fifth payer (by id), who has not paid (deterministic, so the demo shows both)."""
    month = month.replace(day=1)
    totals: dict[str, Decimal] = {}
    for national_id, payer_id, amount in InvoiceLine.objects.filter(
        month=month, run__state=RunState.COMMITTED
    ).values_list("payer__national_id", "payer_id", "amount"):
        key = f"{payer_id}:{national_id}"
        totals[key] = totals.get(key, Decimal(0)) + amount
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(PAYMENT_COLUMNS)
    for key, total in sorted(totals.items()):
        payer_key, fnr = key.split(":", 1)
        paid = int(payer_key) % 5 != 0
        writer.writerow(
            [
                f"{month:%Y-%m}",
                fnr,
                "betalt" if paid else "ubetalt",
                f"{total:.2f}" if paid else "0.00",
                month.replace(day=20).isoformat() if paid else "",
            ]
        )
    return out.getvalue().encode("utf-8")
