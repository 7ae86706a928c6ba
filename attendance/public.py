"""The interface other apps may use (plain dataclasses; never models)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from attendance import selectors


@dataclass(frozen=True)
class AbsenceDay:
    child_id: int
    kind: str
    until: dt.date | None


def absent_children_on(*, child_ids: list[int], day: dt.date) -> list[AbsenceDay]:
    """Return the children among ``child_ids`` reported absent on ``day``."""
    found = selectors.absences_covering(child_ids=child_ids, day=day)
    return [AbsenceDay(child_id=cid, kind=r.kind, until=r.end_date) for cid, r in sorted(found.items())]
