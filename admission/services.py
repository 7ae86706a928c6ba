"""The admission workflow steps kindergarten and SFO share; each takes the service's rules where they differ.

Writes only audit rows and outbox rows; the domain apps own their tables and call these inside their own
transactions (a refusal is audited before the business transaction, so it survives the rollback).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from admission.guardians import guardian_has_parental_responsibility
from admission.rules import AdmissionRules
from oas import clock
from oas.audit.services import audit_record
from oas.errors import Conflict, PermissionDenied, ValidationError
from oas.people.models import Person


class DuplicateApplication(Conflict):
    """The child already has an active application in the round; the caller may show or change it instead."""

    code = "duplicate_application"

    def __init__(self, existing_id: int, *, message: str) -> None:
        super().__init__(message, fields={"application": [str(existing_id)]})
        self.existing_id = existing_id


def responsibility_require(
    *,
    guardian: Person,
    child_id: int,
    event: str,
    object_type: str = "person",
    object_id: int | None = None,
    user_id: int | None,
) -> None:
    """Refuse (and audit the refusal) unless ``guardian`` has parental responsibility for the child today."""
    child = Person(pk=child_id)
    if guardian_has_parental_responsibility(guardian=guardian, child=child):
        return
    audit_record(
        action="denied",
        event=event,
        person_ids=[guardian.pk, child_id],
        object_type=object_type,
        object_id=object_id if object_id is not None else child_id,
        details={"reason": "no_parental_responsibility"},
        user_id=user_id,
    )
    raise PermissionDenied(_("Du har ikke foreldreansvar for dette barnet."), code="no_parental_responsibility")


def round_require_open(*, is_open: bool) -> None:
    """Refuse an application to a round that is not open for applications."""
    if not is_open:
        raise ValidationError(_("Opptaket er ikke åpent for søknader."), code="round_not_open")


def duplicate_refuse(*, rules: AdmissionRules, existing_id: int | None) -> None:
    """Refuse a second active application for the same child in a round."""
    if existing_id is not None:
        raise DuplicateApplication(existing_id, message=rules.duplicate_message)


def start_date_require_not_past(*, start_date: dt.date, field: str) -> None:
    """Refuse a wished start date before today."""
    if start_date < clock.today():
        raise ValidationError(
            _("Ønsket oppstart kan ikke være tilbake i tid."), fields={field: [_("Velg en senere dato.")]}
        )


def offer_require_answerable(*, deadline: dt.date) -> None:
    """Refuse an answer to an offer after its deadline (the last day counts)."""
    if clock.today() > deadline:
        raise ValidationError(
            _("Svarfristen for tilbudet gikk ut %(deadline)s.") % {"deadline": deadline.strftime("%d.%m.%Y")},
            code="offer_deadline_passed",
        )


def decision_letters_outbox(*, rules: AdmissionRules, ids: Iterable[int]) -> int:
    """Write one outbox row per decision letter in the caller's transaction; return how many.

    The promise to send is written with the decision: nothing is lost when the broker is down at commit, and a
    rolled-back decision sends nothing. The service's outbox handler renders, sends and archives each letter.
    """
    from integrations.public import outbox_enqueue

    written = 0
    for row_id in ids:
        outbox_enqueue(
            kind=rules.letter_kind,
            payload={rules.letter_payload_key: row_id},
            idempotency_key=f"{rules.letter_key_prefix}:{row_id}",
        )
        written += 1
    return written


def guardians_notify(*, guardian_ids: list[int], key: str, title: str, url: str) -> int:
    """Notify the guardians (in the portal, and by e-mail/SMS as each has chosen); return how many."""
    from messaging.public import notify

    return notify(person_ids=guardian_ids, key=key, title=title, url=url)
