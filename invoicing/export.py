"""The invoice basis file for the ERP (fakturagrunnlag), delivered through the outbox.

Format (documented in ``invoicing/ERP_FORMAT.md``): one CSV (``;``-separated, UTF-8, header row) and one JSON
file per municipality and month, written atomically to ``settings.INVOICE_EXPORT_DIR``. The file name carries
the month, so a redelivery rewrites the same file with the same content (idempotent).
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from integrations.public import Delivery, PermanentError
from invoicing.models import InvoiceLine, InvoiceRun, RunState

OUTBOX_KIND = "erp.invoice_basis"
CSV_COLUMNS = (
    "linje_id",
    "fakturamaaned",
    "gjelder_maaned",
    "betaler_fnr",
    "betaler_navn",
    "barn_fnr",
    "barn_navn",
    "tjeneste",
    "enhet_kode",
    "linjetype",
    "andel",
    "beloep",
    "tekst",
)


def _rows(run: InvoiceRun) -> list[dict[str, Any]]:
    lines = (
        InvoiceLine.objects.filter(run=run)
        .order_by("payer_id", "child_id", "service", "period_month", "line_type", "segment")
        .values_list(
            "pk",
            "month",
            "period_month",
            "payer__national_id",
            "payer__first_name",
            "payer__last_name",
            "child__national_id",
            "child__first_name",
            "child__last_name",
            "service",
            "unit__code",
            "line_type",
            "share",
            "amount",
            "description",
        )
    )
    return [
        {
            "linje_id": pk,
            "fakturamaaned": f"{month:%Y-%m}",
            "gjelder_maaned": f"{period:%Y-%m}",
            "betaler_fnr": payer_nid or "",
            "betaler_navn": f"{pf} {pl}",
            "barn_fnr": child_nid or "",
            "barn_navn": f"{cf} {cl}",
            "tjeneste": service,
            "enhet_kode": unit_code or "",
            "linjetype": line_type,
            "andel": str(share),
            "beloep": str(amount),
            "tekst": text,
        }
        for (
            pk,
            month,
            period,
            payer_nid,
            pf,
            pl,
            child_nid,
            cf,
            cl,
            service,
            unit_code,
            line_type,
            share,
            amount,
            text,
        ) in lines
    ]


def invoice_export_files(*, run: InvoiceRun) -> tuple[str, str]:
    """Return the CSV and JSON text of a committed run's invoice basis."""
    rows = _rows(run)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    document = {
        "format": "oas-fakturagrunnlag/1",
        "kommunenummer": run.municipality_number,
        "fakturamaaned": f"{run.month:%Y-%m}",
        "antall_linjer": len(rows),
        "sum": str(run.total),
        "linjer": rows,
    }
    return buf.getvalue(), json.dumps(document, ensure_ascii=False, indent=1)


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def invoice_export_deliver(delivery: Delivery) -> dict[str, Any] | None:
    """Outbox handler: write the run's CSV and JSON files for the ERP (same name, same content on redelivery)."""
    run = InvoiceRun.objects.filter(pk=int(delivery.payload.get("run_id") or 0)).first()
    if run is None or run.state != RunState.COMMITTED:
        raise PermanentError(_("Faktureringskjøringen finnes ikke eller er ikke fakturert."), system="erp")
    directory = Path(getattr(settings, "INVOICE_EXPORT_DIR", "var/erp-export"))
    directory.mkdir(parents=True, exist_ok=True)
    csv_text, json_text = invoice_export_files(run=run)
    stem = f"fakturagrunnlag-{run.municipality_number}-{run.month:%Y-%m}"
    _write_atomically(directory / f"{stem}.csv", csv_text)
    _write_atomically(directory / f"{stem}.json", json_text)
    return {"files": [f"{stem}.csv", f"{stem}.json"], "lines": run.line_count}
