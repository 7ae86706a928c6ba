"""Writes owned by the FREG integration: sync runs, the cursor, register change notices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from integrations.models import FregCursor, FregSyncRun, RegisterChangeNotice
from integrations.models.freg import SyncRunStatus
from oas import clock


@dataclass(frozen=True)
class NoticeData:
    person_id: int
    unit_id: int
    kind: str
    sequence: int | None
    details: dict[str, Any] = field(default_factory=dict)


def freg_cursor_get(*, name: str = "hendelser", for_update: bool = False) -> FregCursor:
    """Return the feed cursor, creating it at 0."""
    cursor, _ = FregCursor.objects.get_or_create(name=name)
    if for_update:
        return FregCursor.objects.select_for_update().get(pk=cursor.pk)
    return cursor


def freg_cursor_advance(*, cursor: FregCursor, to_sequence: int) -> None:
    """Move the cursor forward (never backwards)."""
    if to_sequence > cursor.last_sequence:
        cursor.last_sequence = to_sequence
        cursor.save(update_fields=["last_sequence", "updated_at"])


def freg_run_start(*, kind: str, from_sequence: int | None = None) -> FregSyncRun:
    return FregSyncRun.objects.create(kind=kind, started_at=clock.now(), from_sequence=from_sequence)


def freg_run_finish(*, run: FregSyncRun, counts: dict[str, int], to_sequence: int | None, error: str = "") -> None:
    run.status = SyncRunStatus.FAILED if error else SyncRunStatus.SUCCEEDED
    run.finished_at = clock.now()
    run.counts = dict(sorted(counts.items()))
    run.to_sequence = to_sequence
    run.error = error[:2000]
    run.save(update_fields=["status", "finished_at", "counts", "to_sequence", "error"])


def register_change_notices_resolve(*, notice_ids: Sequence[int], user_id: int | None) -> int:
    """Mark notices as handled (they leave the arbeidsflate); return how many were open."""
    return RegisterChangeNotice.objects.filter(id__in=list(notice_ids), resolved_at__isnull=True).update(
        resolved_at=clock.now(), resolved_by_id=user_id
    )


def register_change_notices_create(*, notices: Sequence[NoticeData]) -> int:
    """Store notices for staff; the same person, unit, kind and feed sequence is stored once."""
    now = clock.now()
    rows = [
        RegisterChangeNotice(
            person_id=n.person_id,
            unit_id=n.unit_id,
            kind=n.kind,
            sequence=n.sequence,
            details=n.details,
            created_at=now,
        )
        for n in notices
    ]
    created = RegisterChangeNotice.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)
