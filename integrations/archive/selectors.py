"""Reads of archive references for other apps."""

from __future__ import annotations

from dataclasses import dataclass

from integrations.models import ArchiveRecord, ArchiveRecordState


@dataclass(frozen=True)
class ArchiveReference:
    state: str
    mappe_id: str
    saksaar: int | None
    sakssekvensnummer: int | None
    journalposttype: str
    journalpostnummer: int | None
    journalaar: int | None
    journalsekvensnummer: int | None


def archive_references_for_case(*, case_type: str, case_id: str | int) -> list[ArchiveReference]:
    """Return the archive references of one of our cases, oldest first."""
    records = (
        ArchiveRecord.objects.filter(case_type=case_type, case_id=str(case_id))
        .select_related("case_file")
        .order_by("created_at", "id")
    )
    return [
        ArchiveReference(
            state=r.state,
            mappe_id=r.case_file.mappe_id if r.case_file else "",
            saksaar=r.case_file.saksaar if r.case_file else None,
            sakssekvensnummer=r.case_file.sakssekvensnummer if r.case_file else None,
            journalposttype=r.journalposttype,
            journalpostnummer=r.journalpostnummer if r.state == ArchiveRecordState.ARCHIVED else None,
            journalaar=r.journalaar,
            journalsekvensnummer=r.journalsekvensnummer,
        )
        for r in records
    ]
