"""Who the user is for access purposes: account kind, roles, relations and grants valid today.

Loaded with a few small queries and cached on the user object for the request (the middleware turns the
cache on), so list filters and checks after that cost one query each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from oas import clock
from oas.access.models import AccessGrant, GuardianAccessSettings
from oas.access.roles import Role
from oas.identity.models import Account
from oas.organisation.models import Municipality
from oas.people.models import PersonRelation, RelationKind

CACHE_ATTR = "_oas_principal"
CACHE_ENABLE_ATTR = "_oas_principal_cache"


@dataclass(frozen=True)
class RoleHolding:
    role: str
    unit_id: int
    unit_path: str
    unit_name: str


@dataclass(frozen=True)
class RelationHolding:
    child_id: int
    kind: str
    lives_with_child: bool


@dataclass(frozen=True)
class GrantHolding:
    action: str
    person_id: int | None
    unit_path: str | None


@dataclass
class Principal:
    user_id: int | None
    kind: str  # "staff" | "guardian" | "break_glass" | "" (no account)
    person_id: int | None = None
    employee_id: int | None = None
    roles: list[RoleHolding] = field(default_factory=list)
    relations: list[RelationHolding] = field(default_factory=list)
    grants: list[GrantHolding] = field(default_factory=list)
    relation_actions: dict[int, set[str]] = field(default_factory=dict)  # child id → configured actions
    display_name: str = ""

    @property
    def role_codes(self) -> set[str]:
        return {r.role for r in self.roles}

    def acting_role(self) -> str:
        """A short description of the roles the user acts in (for audit rows)."""
        if self.kind == "guardian":
            return "foresatt"
        if self.kind == "break_glass":
            return "nødtilgang"
        labels = {f"{Role(r.role).label} ({r.unit_name})" for r in self.roles if r.role in Role.values}
        return ", ".join(sorted(labels))[:100]


def _active(prefix: str = "") -> Q:
    today = clock.today()
    return Q(**{f"{prefix}valid_from__lte": today}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": today})
    )


def _load(user: Any) -> Principal:
    from oas.access.models import RoleAssignment

    if user is None or not user.is_authenticated:
        return Principal(user_id=None, kind="")
    account = Account.objects.select_related("person").filter(user_id=user.pk).first()
    if account is None:
        return Principal(user_id=user.pk, kind="break_glass" if user.is_superuser else "")
    principal = Principal(
        user_id=user.pk,
        kind=account.kind,
        person_id=account.person_id,
        employee_id=account.employee_id,
        display_name=account.person.full_name if account.person is not None else "",
    )
    if account.employee_id is not None and account.kind == "staff":
        rows = (
            RoleAssignment.objects.filter(_active(), employee_id=account.employee_id)
            .filter(_active("unit__"))
            .values_list("role", "unit_id", "unit__path", "unit__name")
        )
        principal.roles = [RoleHolding(role=r, unit_id=u, unit_path=p, unit_name=n) for r, u, p, n in rows]
    if account.person_id is not None and account.kind == "guardian":
        rels = PersonRelation.objects.filter(_active(), adult_id=account.person_id).values_list(
            "child_id", "kind", "lives_with_child", "child__municipality_number"
        )
        configured_kinds = {RelationKind.FOSTER_PARENT, RelationKind.PICKUP}
        settings_by_number: dict[str, GuardianAccessSettings] = {}
        rel_rows = list(rels)
        numbers = {num for _, kind, _, num in rel_rows if kind in configured_kinds and num}
        if numbers:
            current = Municipality.objects.filter(number__in=numbers, valid_to__isnull=True)
            for s in GuardianAccessSettings.objects.filter(municipality__in=current).select_related("municipality"):
                settings_by_number[s.municipality.number] = s
        for child_id, kind, lives_with, number in rel_rows:
            principal.relations.append(RelationHolding(child_id=child_id, kind=kind, lives_with_child=lives_with))
            if kind in configured_kinds:
                cfg = settings_by_number.get(number) or GuardianAccessSettings()
                allowed = cfg.foster_parent_actions if kind == RelationKind.FOSTER_PARENT else cfg.pickup_actions
                principal.relation_actions.setdefault(child_id, set()).update(allowed)
    grants = (
        AccessGrant.objects.filter(_active(), user_id=user.pk, object_permission__isnull=False)
        .filter(Q(unit__isnull=True) | _active("unit__"))
        .values_list("action", "person_id", "unit__path")
    )
    principal.grants = [GrantHolding(action=a, person_id=p, unit_path=u) for a, p, u in grants]
    return principal


def principal_for(user: Any) -> Principal:
    """Return the user's principal, from the per-request cache when the middleware enabled it."""
    if user is None:
        return Principal(user_id=None, kind="")
    cached = getattr(user, CACHE_ATTR, None)
    if cached is not None:
        assert isinstance(cached, Principal)
        return cached
    principal = _load(user)
    if getattr(user, CACHE_ENABLE_ATTR, False):
        setattr(user, CACHE_ATTR, principal)
    return principal
