"""Beat task: the daily ERP import from ``ERP_IMPORT_DIR`` (thin; the work is in services)."""

from __future__ import annotations

from celery import shared_task

from integrations.erp.services import erp_import_directory


@shared_task(name="integrations.erp.import_directory", ignore_result=True, acks_late=True, time_limit=1800)
def erp_import_directory_task() -> int:
    """Import new export files; a rejected file is recorded with its errors and not retried until it changes."""
    return len(erp_import_directory())
