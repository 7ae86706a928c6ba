"""The port the sync code depends on; ``FregClient`` implements it over HTTP (against FREG or the simulator)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

PART_BASIS = "person-basis"
PART_RELASJON = "relasjon-utvidet"


@dataclass(frozen=True)
class FeedEntry:
    sequence: int
    national_id: str
    event_type: str
    event_document_id: str
    person_document_id: str


@dataclass(frozen=True)
class BulkResult:
    national_id: str
    document: dict[str, Any] | None
    error: str = ""


@dataclass(frozen=True)
class ExtractFilter:
    municipality_number: str
    birth_year_from: int
    birth_year_to: int
    statuses: tuple[str, ...] = ("bosatt",)


class FregPort(Protocol):
    def person(self, *, national_id: str, parts: Sequence[str] = (PART_BASIS,)) -> dict[str, Any] | None:
        """Return the person document, or None if FREG does not know the number."""
        ...

    def persons_bulk(self, *, national_ids: Sequence[str], parts: Sequence[str] = (PART_BASIS,)) -> list[BulkResult]:
        """Look up at most 1000 persons in one call."""
        ...

    def extract_start(self, *, extract_filter: ExtractFilter) -> str:
        """Start a tilpasset uttrekk and return its job id."""
        ...

    def extract_batch(self, *, job_id: str, batch: int) -> list[str] | None:
        """Return the batch's numbers, [] after the last batch, None while the job is not ready (404)."""
        ...

    def feed(self, *, from_sequence: int) -> list[FeedEntry | dict[str, Any]]:
        """Return up to 1000 entries from ``from_sequence`` (inclusive); malformed entries come back as raw dicts."""
        ...

    def last_sequence(self) -> int: ...

    def event(self, *, event_id: str) -> dict[str, Any] | None: ...
