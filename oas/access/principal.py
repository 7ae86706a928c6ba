"""Who the user is for access purposes: account kind, roles, relations and grants valid today.

Loaded with a few small queries and cached on the user object for the request (the middleware turns the
cache on), so list filters and checks after that cost one query each.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import connection
from django.db.models import Q
from django.utils.translation import get_language

from oas import clock
from oas.access.models import GuardianAccessSettings
from oas.access.roles import Role
from oas.organisation.models import Municipality
from oas.people.models import Adressebeskyttelse, PersonRelation, RelationKind
from oas.periods import active_on


class Actor(Protocol):
    """Whoever acts: the user of a request (``request.user``, anonymous included) or of a service call.

    Every ``user=`` / ``actor=`` parameter that access decides on has this type. Access never trusts anything
    on it but its key and whether it is logged in: ``principal_for(user)`` loads what the user may do (account
    kind, roles, relations, grants valid today) as a ``Principal``. Django's ``User`` and ``AnonymousUser``
    both are one.
    """

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...


CACHE_ATTR = "_oas_principal"
CACHE_ENABLE_ATTR = "_oas_principal_cache"


@dataclass(frozen=True)
class RoleHolding:
    role: str
    unit_id: int
    unit_path: str
    unit_name: str
    # The role's municipality and the municipalities merged into it (a municipality-wide role covers these).
    municipality_numbers: tuple[str, ...] = ()

    @property
    def municipality_path(self) -> str:
        """The path of the root of the role's organisation tree (the municipality)."""
        root = self.unit_path.strip("/").split("/")[0]
        return f"/{root}/" if root else self.unit_path


@dataclass(frozen=True)
class RelationHolding:
    child_id: int
    kind: str
    lives_with_child: bool
    child_strengt_fortrolig: bool = False

    @property
    def rights(self) -> frozenset[Any]:
        """What this relation lets the adult do for the child (``oas.access.relations.ChildRight``)."""
        from oas.access.relations import relation_rights

        return relation_rights(
            kind=self.kind,
            lives_with_child=self.lives_with_child,
            child_strengt_fortrolig=self.child_strengt_fortrolig,
        )


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
    _acting_role: dict[str, str] = field(default_factory=dict, repr=False, compare=False)  # by language

    @property
    def role_codes(self) -> set[str]:
        return {r.role for r in self.roles}

    def acting_role(self) -> str:
        """A short description of the roles the user acts in (for audit rows)."""
        if self.kind == "guardian":
            return "foresatt"
        if self.kind == "break_glass":
            return "nødtilgang"
        language = get_language() or ""
        described = self._acting_role.get(language)
        if described is None:
            labels = {f"{Role(r.role).label} ({r.unit_name})" for r in self.roles if r.role in Role.values}
            described = self._acting_role[language] = ", ".join(sorted(labels))[:100]
        return described


def _active(prefix: str = "") -> Q:
    return active_on(clock.today(), prefix=prefix)


# The account, its roles (staff) and its grants in one round trip: this runs on every request of every user, so
# it is one fixed SQL statement rather than three ORM queries (their compilation cost more than the database).
_PRINCIPAL_SQL = """
SELECT 'a', a.kind, a.person_id, a.employee_id::text,
       concat_ws(' ', NULLIF(p.first_name, ''), NULLIF(p.middle_name, ''), NULLIF(p.last_name, '')), NULL
FROM identity_account a LEFT JOIN people_person p ON p.id = a.person_id
WHERE a.user_id = %(user)s
UNION ALL
SELECT 'r', ra.role, ra.unit_id,
       (SELECT string_agg(m.number, ',' ORDER BY m.number) FROM organisation_municipality m
        WHERE m.id = u.municipality_id OR m.merged_into_id = u.municipality_id),
       u.path, u.name
FROM access_roleassignment ra
JOIN identity_account a ON a.employee_id = ra.employee_id AND a.user_id = %(user)s AND a.kind = 'staff'
JOIN organisation_orgunit u ON u.id = ra.unit_id
WHERE ra.valid_from <= %(today)s AND (ra.valid_to IS NULL OR ra.valid_to >= %(today)s)
  AND u.valid_from <= %(today)s AND (u.valid_to IS NULL OR u.valid_to >= %(today)s)
UNION ALL
SELECT 'g', g.action, g.person_id, NULL, u.path, NULL
FROM access_accessgrant g LEFT JOIN organisation_orgunit u ON u.id = g.unit_id
WHERE g.user_id = %(user)s AND g.object_permission_id IS NOT NULL
  AND g.valid_from <= %(today)s AND (g.valid_to IS NULL OR g.valid_to >= %(today)s)
  AND (g.unit_id IS NULL OR (u.valid_from <= %(today)s AND (u.valid_to IS NULL OR u.valid_to >= %(today)s)))
"""


def _load(user: Actor | None) -> Principal:
    if user is None or not user.is_authenticated:
        return Principal(user_id=None, kind="")
    with connection.cursor() as cursor:
        cursor.execute(_PRINCIPAL_SQL, {"user": user.pk, "today": clock.today()})
        rows = cursor.fetchall()
    accounts = [r for r in rows if r[0] == "a"]
    if not accounts:
        return Principal(user_id=user.pk, kind="break_glass" if getattr(user, "is_superuser", False) else "")
    _a, kind, person_id, employee_id, display_name, _ = accounts[0]
    principal = Principal(
        user_id=user.pk,
        kind=kind,
        person_id=person_id,
        employee_id=int(employee_id) if employee_id is not None else None,
        display_name=display_name or "",
    )
    for row_kind, code, number, municipalities, path, name in rows:
        if row_kind == "r":
            principal.roles.append(
                RoleHolding(
                    role=code,
                    unit_id=number,
                    unit_path=path,
                    unit_name=name,
                    municipality_numbers=tuple(str(municipalities or "").split(",")) if municipalities else (),
                )
            )
        elif row_kind == "g":
            principal.grants.append(GrantHolding(action=code, person_id=number, unit_path=path))
    if person_id is not None and kind == "guardian":
        rels = PersonRelation.objects.filter(_active(), adult_id=person_id).values_list(
            "child_id", "kind", "lives_with_child", "child__municipality_number", "child__adressebeskyttelse"
        )
        configured_kinds = {RelationKind.FOSTER_PARENT, RelationKind.PICKUP}
        settings_by_number: dict[str, GuardianAccessSettings] = {}
        rel_rows = list(rels)
        numbers = {num for _, kind, _, num, _g in rel_rows if kind in configured_kinds and num}
        if numbers:
            current = Municipality.objects.filter(number__in=numbers, valid_to__isnull=True)
            for s in GuardianAccessSettings.objects.filter(municipality__in=current).select_related("municipality"):
                settings_by_number[s.municipality.number] = s
        for child_id, kind, lives_with, number, grading in rel_rows:
            principal.relations.append(
                RelationHolding(
                    child_id=child_id,
                    kind=kind,
                    lives_with_child=lives_with,
                    child_strengt_fortrolig=grading == Adressebeskyttelse.STRENGT_FORTROLIG,
                )
            )
            if kind in configured_kinds:
                cfg = settings_by_number.get(number) or GuardianAccessSettings()
                allowed = cfg.foster_parent_actions if kind == RelationKind.FOSTER_PARENT else cfg.pickup_actions
                principal.relation_actions.setdefault(child_id, set()).update(allowed)
    return principal


# Staff principals are reused across requests in this process while the access epoch (migration
# access/0002: bumped by triggers in the same transaction as any change to accounts, role assignments, grants
# or org units) and the day are unchanged, so rights follow every change at once. The epoch is read before the
# principal is loaded, so a reused principal is never older than the epoch it is stored under. Entries expire
# after PRINCIPAL_REUSE_SECONDS anyway: the display name (for audit rows) comes from the person row, which the
# epoch does not follow. Guardians and users without an account are loaded every time (relations change with
# Folkeregisteret; the superuser flag lives on the user row).
PRINCIPAL_REUSE_SECONDS = 60.0
PRINCIPAL_REUSE_MAX = 4096
ACCESS_EPOCH_SUBQUERY = "(SELECT value FROM access_epoch WHERE id = 1)"
# The epoch as already read for this request (e.g. by the tap token's authentication), before the principal.
ACCESS_EPOCH_ATTR = "_oas_access_epoch"
_EPOCH_SQL = f"SELECT {ACCESS_EPOCH_SUBQUERY}"
_reused: dict[int, tuple[int, dt.date, float, Principal]] = {}


def access_epoch() -> int | None:
    """Return the current access epoch (see migration access/0002)."""
    with connection.cursor() as cursor:
        cursor.execute(_EPOCH_SQL)
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _load_or_reuse(user: Actor | None) -> Principal:
    if user is None or not user.is_authenticated:
        return _load(user)
    epoch = getattr(user, ACCESS_EPOCH_ATTR, None)
    if epoch is None:
        epoch = access_epoch()
    today = clock.today()
    now = time.monotonic()
    entry = _reused.get(user.pk)
    if entry is not None and entry[0] == epoch and entry[1] == today and entry[2] > now:
        return entry[3]
    principal = _load(user)
    if epoch is not None and principal.kind == "staff":
        if len(_reused) >= PRINCIPAL_REUSE_MAX:
            _reused.clear()
        _reused[user.pk] = (epoch, today, now + PRINCIPAL_REUSE_SECONDS, principal)
    return principal


def principal_reuse_clear() -> None:
    """Forget every reused principal of this process (tests; the epoch makes it unnecessary otherwise)."""
    _reused.clear()


def principal_for(user: Actor | None) -> Principal:
    """Return the user's principal, from the per-request cache when the middleware enabled it.

    Callers must not modify it: a staff principal is shared by the requests of this process (see above).
    """
    if user is None:
        return Principal(user_id=None, kind="")
    cached = getattr(user, CACHE_ATTR, None)
    if cached is not None:
        assert isinstance(cached, Principal)
        return cached
    principal = _load_or_reuse(user)
    if getattr(user, CACHE_ENABLE_ATTR, False):
        setattr(user, CACHE_ATTR, principal)
    return principal
