"""Reads of the audit log: the admin search and the guardian's innsyn page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from oas.audit.models import AuditAction, AuditEvent

# Events a guardian sees on the innsyn page, with the words they are shown in.
INNSYN_ACTIONS = (
    AuditAction.READ,
    AuditAction.CREATE,
    AuditAction.UPDATE,
    AuditAction.DELETE,
    AuditAction.EXPORT,
    AuditAction.SEND,
)


@dataclass(frozen=True)
class InnsynEntry:
    at: dt.datetime
    actor: str
    acting_role: str
    action: str
    action_label: str
    event: str
    path: str


def audit_events_for_person(
    *, person_id: int, exclude_user_id: int | None = None, limit: int = 200, hide_staff_identity: bool = False
) -> list[InnsynEntry]:
    """Return who has read or changed the person's data, newest first (the guardian's own visits left out).

    ``hide_staff_identity`` replaces names, roles and pages with a neutral text: staff names and roles
    ("Kontaktlærer (1A)") would reveal a strengt fortrolig child's unit to the other guardian.
    """
    qs: QuerySet[AuditEvent] = AuditEvent.objects.filter(person_ids__contains=[person_id], action__in=INNSYN_ACTIONS)
    if exclude_user_id is not None:
        qs = qs.exclude(user_id=exclude_user_id)
    labels = dict(AuditAction.choices)
    return [
        InnsynEntry(
            at=e.at,
            actor=str(_("Ansatt i kommunen")) if hide_staff_identity else e.actor_display,
            acting_role="" if hide_staff_identity else e.acting_role,
            action=e.action,
            action_label=str(labels.get(e.action, e.action)),
            event=e.event,
            path="" if hide_staff_identity else e.path,
        )
        for e in qs.order_by("-at", "-id")[:limit]
    ]
