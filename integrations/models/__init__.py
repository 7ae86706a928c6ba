"""Integration state: outbox, cursors, runs. One module per system; import each here so Django sees it."""

from integrations.models.archive import ArchiveCaseFile, ArchiveRecord, ArchiveRecordState, JournalpostType
from integrations.models.erp import ErpImportRun, ErpImportStatus
from integrations.models.freg import FregCursor, FregSyncRun, RegisterChangeNotice
from integrations.models.letters import Letter, LetterState, LetterStatusChange
from integrations.models.msgraph import GraphEvent
from integrations.models.ops import IntegrationOverview, IntegrationRun
from integrations.models.outbox import OutboxMessage, OutboxStatus

__all__ = [
    "ArchiveCaseFile",
    "ArchiveRecord",
    "ArchiveRecordState",
    "ErpImportRun",
    "ErpImportStatus",
    "FregCursor",
    "FregSyncRun",
    "GraphEvent",
    "IntegrationOverview",
    "IntegrationRun",
    "JournalpostType",
    "Letter",
    "LetterState",
    "LetterStatusChange",
    "OutboxMessage",
    "OutboxStatus",
    "RegisterChangeNotice",
]
