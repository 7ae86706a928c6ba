"""Actions: what can be done to which kind of resource, and which roles and relations allow it.

Each app declares its actions in ``<app>/permissions.py`` with :func:`register_action` (imported from the
app's ``AppConfig.ready()``); the kernel's are in ``oas/access/permissions.py``. Rules are OR'ed: an action
is allowed when any rule gives it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise

from oas.access.roles import GLOBAL_ROLES, GROUP_ROLES, UNIT_ROLES

# Resources the kernel knows; domain apps add theirs through ``register_resource`` (see resources.py).
PERSON = "person"
ORGUNIT = "orgunit"
NONE = "none"  # actions without an object (open a page, search the audit log)


@dataclass(frozen=True)
class Action:
    """One thing a user may do. ``code`` is stable (``child.read``); rules below are OR'ed."""

    code: str
    label: str | Promise
    resource: str
    global_roles: frozenset[str] = frozenset()
    unit_roles: frozenset[str] = frozenset()
    group_roles: frozenset[str] = frozenset()
    # Guardian-side action: a guardian with foreldreansvar has it for their child; foster parents and
    # pick-up persons have it when the municipality's configuration says so.
    guardian_side: bool = False
    # Which right of the kernel relation policy (``oas.access.relations.ChildRight``) a guardian-side action needs:
    # "information" (read, receive), "residence" (barneloven § 37: apply, accept/decline, end the place,
    # long-term absence), "pickup" or "whereabouts" (anything that names the child's unit).
    relation_right: str = "information"
    # The person may do it to themselves (read their own data).
    self_allowed: bool = False
    # Any logged-in account of these kinds (landing pages): "staff", "guardian".
    account_kinds: frozenset[str] = frozenset()
    # Break-glass accounts get every action except those marked False here (e.g. guardian-side pages).
    break_glass: bool = True
    tags: tuple[str, ...] = field(default=())


_ACTIONS: dict[str, Action] = {}


def register_action(
    code: str,
    *,
    label: str | Promise,
    resource: str,
    global_roles: Iterable[str] = (),
    unit_roles: Iterable[str] = (),
    group_roles: Iterable[str] = (),
    guardian_side: bool = False,
    relation_right: str = "information",
    self_allowed: bool = False,
    account_kinds: Iterable[str] = (),
    break_glass: bool = True,
) -> Action:
    """Declare an action; raise if the code is taken by a different declaration or a role is misplaced."""
    action = Action(
        code=code,
        label=label,
        resource=resource,
        global_roles=frozenset(global_roles),
        unit_roles=frozenset(unit_roles),
        group_roles=frozenset(group_roles),
        guardian_side=guardian_side,
        relation_right=relation_right,
        self_allowed=self_allowed,
        account_kinds=frozenset(account_kinds),
        break_glass=break_glass,
    )
    if relation_right not in {"information", "residence", "pickup", "whereabouts"}:
        raise ValueError(f"{code}: unknown relation right {relation_right!r}")
    if not action.global_roles <= GLOBAL_ROLES:
        raise ValueError(f"{code}: {set(action.global_roles - GLOBAL_ROLES)} are not global roles")
    if not action.unit_roles <= UNIT_ROLES:
        raise ValueError(f"{code}: {set(action.unit_roles - UNIT_ROLES)} are not unit roles")
    if not action.group_roles <= GROUP_ROLES:
        raise ValueError(f"{code}: {set(action.group_roles - GROUP_ROLES)} are not group roles")
    existing = _ACTIONS.get(code)
    if existing is not None and existing != action:
        raise ValueError(f"action {code!r} is already declared differently")
    _ACTIONS[code] = action
    return action


def get_action(code: str) -> Action:
    """Return the declared action; an undeclared code is a programming error."""
    try:
        return _ACTIONS[code]
    except KeyError:
        raise LookupError(f"undeclared action {code!r}") from None


def all_actions() -> list[Action]:
    """Return every declared action, sorted by code."""
    return sorted(_ACTIONS.values(), key=lambda a: a.code)


def actions_for_resource(resource: str) -> list[Action]:
    """Return the actions that apply to one kind of resource."""
    return [a for a in all_actions() if a.resource == resource]
