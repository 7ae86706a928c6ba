"""Access helpers for integrations, on top of oas.access (B2's access layer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oas import clock
from oas.access.evaluation import has_action
from oas.periods import active_on

if TYPE_CHECKING:
    from oas.access.principal import Actor


def user_is_system_admin(*, user: Actor) -> bool:
    """Return True for users who may handle failed deliveries (system administrators, break-glass)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return has_action(user=user, action="integrations.outbox.manage")


def user_unit_paths(*, user: Actor) -> list[str]:
    """Return the materialised paths of the units the user is employed in today (kept for callers)."""
    account = getattr(user, "account", None) if getattr(user, "is_authenticated", False) else None
    employee = getattr(account, "employee", None) if account is not None else None
    if employee is None:
        return []
    return list(employee.employments.filter(active_on(clock.today())).values_list("unit__path", flat=True))
