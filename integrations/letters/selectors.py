"""Reads of letters for other apps: where a letter is, and its SvarUt history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from integrations.models import Letter
from oas.errors import NotFound


@dataclass(frozen=True)
class LetterStatusInfo:
    state: str
    status: str
    status_changed_at: dt.datetime | None
    kun_digital_levering: bool
    history: list[tuple[str, dt.datetime]]
    last_error: str


def letter_status_get(*, letter_id: int) -> LetterStatusInfo:
    """Return the letter's state (queued/sent/done/failed), latest SvarUt status and the status history."""
    letter = (
        Letter.objects.filter(id=letter_id)
        .only("state", "status", "status_changed_at", "kun_digital_levering", "last_error")
        .first()
    )
    if letter is None:
        raise NotFound(_("Brevet finnes ikke."))
    history = list(letter.status_changes.order_by("changed_at", "id").values_list("status", "changed_at"))
    return LetterStatusInfo(
        state=letter.state,
        status=letter.status,
        status_changed_at=letter.status_changed_at,
        kun_digital_levering=letter.kun_digital_levering,
        history=history,
        last_error=letter.last_error,
    )


def letter_pdf_get(*, letter_id: int) -> bytes:
    """Return the rendered PDF of a letter (what SvarUt sends), e.g. to archive the same document."""
    pdf = Letter.objects.filter(id=letter_id).values_list("pdf", flat=True).first()
    if pdf is None:
        raise NotFound(_("Brevet finnes ikke."))
    return bytes(pdf)
