"""A decision (enkeltvedtak) to each guardian by letter, and one copy archived on the child's case."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from integrations.archive.services import archive_document
from integrations.letters.selectors import letter_pdf_get
from integrations.letters.services import letter_send
from oas.errors import ValidationError

logger = logging.getLogger(__name__)


def decision_letters_send(
    *,
    child_person_id: int,
    guardian_ids: Iterable[int],
    title: str,
    template: str,
    context: dict[str, Any],
    case_ref: str,
    key: str,
    archive_key: str,
    case_type: str,
    case_id: int,
    case_title: str,
    document_date: dt.date,
) -> list[int]:
    """Send the decision to each guardian (SvarUt) and archive the first letter (journalpost U); return the letters.

    Idempotent: a guardian's letter has the key ``<key>:<guardian id>``, the archive entry ``archive_key``. A
    guardian the letter cannot be addressed to is logged (by ids only) and skipped; the others still get theirs.
    """
    sent: list[int] = []
    for guardian_id in guardian_ids:
        try:
            with transaction.atomic():
                sent.append(
                    letter_send(
                        recipient_person_id=guardian_id,
                        title=title,
                        template=template,
                        context=context,
                        case_ref=case_ref,
                        idempotency_key=f"{key}:{guardian_id}",
                    )
                )
        except ValidationError as exc:
            logger.warning("decision letter %s not sent to person %s: %s", key, guardian_id, exc)
    if sent:
        with transaction.atomic():
            archive_document(
                child_person_id=child_person_id,
                case_type=case_type,
                case_id=case_id,
                case_title=case_title,
                journalposttype="U",
                title=title,
                pdf=letter_pdf_get(letter_id=sent[0]),
                document_date=document_date,
                idempotency_key=archive_key,
                filename="vedtak.pdf",
            )
    return sent
