"""Writing audit rows. Every service that touches personal data calls ``audit_record``; views and
selectors that show personal data call ``audit_read``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from oas import clock
from oas.audit import context
from oas.audit.models import AuditAction, AuditEvent

_ACTIONS = frozenset(AuditAction.values)


def audit_values(
    *,
    action: str,
    event: str,
    person_ids: Iterable[int] = (),
    object_type: str = "",
    object_id: str | int = "",
    details: dict[str, Any] | None = None,
    user_id: int | None = None,
    actor_display: str | None = None,
    acting_role: str | None = None,
) -> dict[str, Any]:
    """Return the column values of one audit row, with the request context (user, IP, session, path) filled in.

    ``audit_record`` writes them; a hot path that writes its row inside its own SQL statement (the check-in tap)
    takes them from here so the row is the same as ``audit_record`` would write.
    """
    if action not in _ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    ctx = context.current() or context.RequestContext()
    return {
        "at": clock.now(),
        "user_id": user_id if user_id is not None else ctx.user_id,
        "actor_display": actor_display if actor_display is not None else (ctx.actor_display or "system"),
        "acting_role": acting_role if acting_role is not None else ctx.acting_role,
        "action": action,
        "event": event,
        "person_ids": sorted({int(p) for p in person_ids}),
        "object_type": object_type,
        "object_id": str(object_id),
        "ip": ctx.ip,
        "session_ref": ctx.session_ref,
        "path": ctx.path,
        "method": ctx.method,
        "details": details or {},
    }


def audit_record(
    *,
    action: str,
    event: str,
    person_ids: Iterable[int] = (),
    object_type: str = "",
    object_id: str | int = "",
    details: dict[str, Any] | None = None,
    user_id: int | None = None,
    actor_display: str | None = None,
    acting_role: str | None = None,
) -> AuditEvent:
    """Append one audit row; request context (user, IP, session, path) is filled in automatically."""
    return AuditEvent.objects.create(
        **audit_values(
            action=action,
            event=event,
            person_ids=person_ids,
            object_type=object_type,
            object_id=object_id,
            details=details,
            user_id=user_id,
            actor_display=actor_display,
            acting_role=acting_role,
        )
    )


def audit_read(
    *,
    event: str,
    person_ids: Iterable[int],
    object_type: str = "",
    object_id: str | int = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent | None:
    """Log that persons' data was shown (a page, an API response, an export); nothing when the list is empty.

    Lists log one row naming every person shown, not one row per person.
    """
    ids = sorted({int(p) for p in person_ids})
    if not ids:
        return None
    return audit_record(
        action=AuditAction.READ,
        event=event,
        person_ids=ids,
        object_type=object_type,
        object_id=object_id,
        details=details,
    )
