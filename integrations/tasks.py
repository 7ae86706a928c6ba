"""Celery discovers ``integrations.tasks``; each system's tasks live in its own package."""

from integrations.erp.tasks import erp_import_directory_task
from integrations.freg.tasks import freg_sync_feed_task
from integrations.letters.tasks import letters_poll_statuses_task
from integrations.outbox.tasks import outbox_claim_due_task, outbox_deliver

__all__ = [
    "erp_import_directory_task",
    "freg_sync_feed_task",
    "letters_poll_statuses_task",
    "outbox_claim_due_task",
    "outbox_deliver",
]
