"""Reads of the audit log: the admin search and the guardian's innsyn page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

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
    sentence: str = ""


# What an event was about, in the guardian's words: the longest matching event-code prefix wins.
_WHAT: dict[str, Any] = {
    "child.read_contacts": _lazy("kontaktopplysningene"),
    "child": _lazy("barnets side"),
    "portal": _lazy("barnets side i portalen"),
    "attendance.krysseliste": _lazy("krysselisten"),
    "attendance.check_in": _lazy("inn- og utkryssingen"),
    "attendance": _lazy("oppmøte og fravær"),
    "messaging.attachment": _lazy("et vedlegg i en melding"),
    "messaging.notice": _lazy("et oppslag"),
    "messaging.event": _lazy("kalenderen"),
    "messaging": _lazy("meldinger"),
    "kindergarten.application": _lazy("barnehagesøknaden"),
    "kindergarten.offer": _lazy("tilbudet om barnehageplass"),
    "kindergarten.appeal": _lazy("klagen på barnehageplass"),
    "kindergarten.placement": _lazy("barnehageplassen"),
    "kindergarten.placements": _lazy("listen over barn i barnehagen"),
    "kindergarten.round": _lazy("barnehageopptaket"),
    "kindergarten": _lazy("barnehageopptaket"),
    "sfo.application": _lazy("SFO-søknaden"),
    "sfo.offer": _lazy("tilbudet om SFO-plass"),
    "sfo.placement": _lazy("SFO-plassen"),
    "sfo.placements": _lazy("listen over barn i SFO"),
    "sfo": _lazy("SFO-opptaket"),
    "invoicing": _lazy("faktura og betaling"),
    "letter": _lazy("et brev til dere"),
    "archive": _lazy("arkivet"),
    "person.register_sync": _lazy("opplysninger fra Folkeregisteret"),
    "integrations": _lazy("opplysninger fra Folkeregisteret"),
}
_VERB: dict[str, Any] = {
    AuditAction.READ: _lazy("så"),
    AuditAction.CREATE: _lazy("registrerte"),
    AuditAction.UPDATE: _lazy("endret"),
    AuditAction.DELETE: _lazy("slettet"),
    AuditAction.EXPORT: _lazy("hentet ut"),
    AuditAction.SEND: _lazy("sendte"),
}


def _what(event: str) -> str:
    parts = event.split(".")
    for n in range(len(parts), 0, -1):
        label = _WHAT.get(".".join(parts[:n]))
        if label is not None:
            return str(label)
    return str(_lazy("opplysninger om barnet"))


def innsyn_sentence(*, actor: str, acting_role: str, action: str, event: str) -> str:
    """One plain sentence for the guardian: "Kari Nordmann (kontaktlærer, 1A) så oppmøte og fravær"."""
    who = f"{actor} ({acting_role})" if acting_role else actor
    verb = str(_VERB.get(action, _lazy("behandlet")))
    return f"{who} {verb} {_what(event)}"


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
            sentence=innsyn_sentence(
                actor=str(_("Ansatt i kommunen")) if hide_staff_identity else e.actor_display or str(_("Systemet")),
                acting_role="" if hide_staff_identity else e.acting_role,
                action=e.action,
                event="" if hide_staff_identity else e.event,
            ),
        )
        for e in qs.order_by("-at", "-id")[:limit]
    ]
