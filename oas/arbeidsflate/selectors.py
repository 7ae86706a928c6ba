"""Reads for the arbeidsflate: children lists in the user's scope and the leader snapshot."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import get_language

from oas import clock
from oas.access.evaluation import access_queryset
from oas.access.principal import RoleHolding, principal_for
from oas.access.roles import Role
from oas.arbeidsflate.registry import SnapshotFigure, WorkspaceTask, registry
from oas.people.models import PROTECTED_LEVELS, DeltBosted, Person, Placement
from oas.periods import DATED, active_on, current_or_future

if TYPE_CHECKING:
    from oas.access.principal import Actor


def children_for_staff(
    *,
    user: Actor,
    protected_only: bool = False,
    without_group: bool = False,
    unit_id: int | None = None,
    delt_bosted: bool = False,
) -> QuerySet[Person]:
    """Return the children (persons with a current or future placement) the user may read, in SQL."""
    today = clock.today()
    placements = Placement.objects.filter(child=OuterRef("pk")).filter(current_or_future(today, fields=DATED))
    if without_group:
        placements = placements.filter(group__isnull=True)
    if unit_id is not None:
        placements = placements.filter(Q(unit_id=unit_id) | Q(group_id=unit_id))
    qs = access_queryset(user=user, action="child.read", queryset=Person.objects.all()).filter(Exists(placements))
    if protected_only:
        # Only to roles entitled to the list of protected children, and only where they are (issue 13, point 14).
        qs = access_queryset(user=user, action="child.list_protected", queryset=qs).filter(
            adressebeskyttelse__in=PROTECTED_LEVELS
        )
    if delt_bosted:
        delt = DeltBosted.objects.filter(active_on(today), child=OuterRef("pk"))
        qs = qs.filter(Exists(delt))
    return qs.order_by("last_name", "first_name", "pk")


def leader_unit_ids(*, user: Actor) -> list[int]:
    """Return the units where the user currently holds the leader role."""
    return sorted({r.unit_id for r in principal_for(user).roles if r.role == Role.UNIT_LEADER})


@dataclass(frozen=True)
class UnitSnapshot:
    """Øyeblikksbilde (snapshot) of one unit for its leader."""

    unit_id: int
    unit_name: str
    children_placed_today: int
    children_starting_next_30_days: int
    staff_employed_today: int
    protected_address_children: int
    open_tasks: int
    # Figures from the modules (capacity and free places, staffing and pedagogue norms, …), each with its page.
    figures: tuple[SnapshotFigure, ...] = ()
    # The unit's tasks (absence today, applications and approvals waiting, unanswered messages): the same objects
    # as in the task list, so a count here and the task it links to always agree.
    tasks: tuple[WorkspaceTask, ...] = ()


def workspace_tasks(*, user: Actor) -> list[WorkspaceTask]:
    """Return the user's arbeidsflate tasks from every registered provider."""
    return registry.tasks_for(user=user)


# One round trip for the snapshot counts of every unit the user leads, however many: a LATERAL pair of aggregates
# per unit (placements by the unit's path prefix, staff by the same prefix). Fixed SQL, no ORM compilation.
_UNIT_FIGURES_SQL = """
SELECT led.unit_id, pl.placed, pl.starting, pl.protected, st.staff
FROM unnest(%(ids)s::bigint[], %(paths)s::text[]) AS led(unit_id, path)
CROSS JOIN LATERAL (
  SELECT
    count(DISTINCT p.child_id) FILTER (
      WHERE p.start_date <= %(today)s AND (p.end_date IS NULL OR p.end_date >= %(today)s)) AS placed,
    count(DISTINCT p.child_id) FILTER (WHERE p.start_date > %(today)s AND p.start_date <= %(soon)s) AS starting,
    count(DISTINCT p.child_id) FILTER (
      WHERE p.start_date <= %(today)s AND (p.end_date IS NULL OR p.end_date >= %(today)s)
        AND c.adressebeskyttelse = ANY(%(protected)s)) AS protected
  FROM people_placement p
  JOIN organisation_orgunit u ON u.id = p.unit_id
  JOIN people_person c ON c.id = p.child_id
  WHERE u.path LIKE led.path || '%%'
) pl
CROSS JOIN LATERAL (
  SELECT count(DISTINCT e.employee_id) AS staff
  FROM people_employment e JOIN organisation_orgunit u ON u.id = e.unit_id
  WHERE u.path LIKE led.path || '%%' AND e.valid_from <= %(today)s AND (e.valid_to IS NULL OR e.valid_to >= %(today)s)
) st
"""


def _units_figures(*, units: dict[int, str], today: dt.date) -> dict[int, dict[str, Any]]:
    """Count placements and staff of each unit (id → path, the unit and everything under it) in one query."""
    if not units:
        return {}
    ids = list(units)
    params: dict[str, Any] = {
        "ids": ids,
        "paths": [units[i] for i in ids],
        "today": today,
        "soon": today + dt.timedelta(days=30),
        "protected": [str(level) for level in PROTECTED_LEVELS],
    }
    with connection.cursor() as cursor:
        cursor.execute(_UNIT_FIGURES_SQL, params)
        rows = cursor.fetchall()
    extra = registry.snapshot_figures(units=units, day=today)
    return {
        int(unit_id): {
            "placed": int(placed),
            "starting": int(starting),
            "protected": int(prot),
            "staff": int(staff),
            "figures": tuple(extra.get(int(unit_id), ())),
        }
        for unit_id, placed, starting, prot, staff in rows
    }


def _cache_seconds() -> int:
    return int(getattr(settings, "ARBEIDSFLATE_CACHE_SECONDS", 0))


# --- Reused figures: stale-while-revalidate with one recompute at a time ---------------------------------------
#
# An entry is (value, computed_at, fresh_until). It is fresh for ARBEIDSFLATE_CACHE_SECONDS minus up to 20 %
# (so entries computed in the same second, e.g. by a burst of logins, do not all expire in the same second).
# When it is no longer fresh, the first request takes a lock in Redis (``cache.add``) and recomputes; requests
# arriving meanwhile get the previous figures with their own computed_at, which the page shows. The entry lives
# in Redis ARBEIDSFLATE_CACHE_SECONDS + RECOMPUTE_SECONDS, so figures are never older than the cache window plus
# the longest one recompute may hold the lock; after that every request computes for itself.
RECOMPUTE_SECONDS = 5
_JITTER = 0.2


def _lock_key(key: str) -> str:
    return key + ":recompute"


def _entry(hit: Any) -> tuple[Any, dt.datetime, dt.datetime] | None:
    if isinstance(hit, tuple) and len(hit) == 3 and isinstance(hit[1], dt.datetime):
        return hit
    return None  # nothing, or an entry in an older format: as if missing


def _store(*, key: str, token: str, value: Any, computed_at: dt.datetime, seconds: int) -> None:
    """Store freshly computed figures and release the lock, unless the lock was dropped meanwhile.

    ``workspace_cache_forget`` drops the lock with the figures: then these figures may predate the user's action
    and are removed again. Checking after writing leaves no gap for a forget to fall into.
    """
    lock = _lock_key(key)
    fresh_for = seconds * (1 - _JITTER * random.random())  # noqa: S311 - spreading expiries, not security
    cache.set(key, (value, computed_at, computed_at + dt.timedelta(seconds=fresh_for)), seconds + RECOMPUTE_SECONDS)
    if cache.get(lock) != token:
        cache.delete(key)
        return
    cache.delete(lock)


def _reuse(
    groups: list[tuple[list[str], Callable[[list[str]], dict[str, Any]]]],
) -> dict[str, tuple[Any, dt.datetime]]:
    """Return ``{key: (value, computed_at)}`` for every key of every (keys, compute) group.

    One Redis round trip reads all entries; ``compute(keys)`` computes the values of the given keys of its group
    (those missing or due) in one go. Stale entries are served while another request holds their lock.
    """
    seconds = _cache_seconds()
    if seconds <= 0:
        out: dict[str, tuple[Any, dt.datetime]] = {}
        for keys, compute in groups:
            started = clock.now()
            out.update({k: (v, started) for k, v in compute(keys).items()})
        return out
    hits = cache.get_many([key for keys, _ in groups for key in keys])
    now = clock.now()
    oldest_allowed = now - dt.timedelta(seconds=seconds + RECOMPUTE_SECONDS)
    out = {}
    for keys, compute in groups:
        mine: dict[str, str] = {}  # keys this request recomputes (and stores), with its lock token
        unstored: list[str] = []  # keys this request computes for itself only (no previous figures, lock taken)
        for key in keys:
            entry = _entry(hits.get(key))
            if entry is not None and now < entry[2]:
                out[key] = (entry[0], entry[1])
                continue
            token = secrets.token_hex(8)
            if cache.add(_lock_key(key), token, RECOMPUTE_SECONDS):
                mine[key] = token
            elif entry is not None and entry[1] >= oldest_allowed:
                out[key] = (entry[0], entry[1])  # another request is recomputing: the previous figures
            else:
                unstored.append(key)
        if not mine and not unstored:
            continue
        started = clock.now()
        try:
            values = compute([*mine, *unstored])
        except Exception:
            cache.delete_many([_lock_key(k) for k in mine])
            raise
        for key, value in values.items():
            out[key] = (value, started)
            if key in mine:
                _store(key=key, token=mine[key], value=value, computed_at=started, seconds=seconds)
    return out


def _unit_cache_key(*, unit_id: int, unit_path: str, today: dt.date) -> str:
    # Shared by every leader of the unit: the counts depend on nothing but the unit (its path) and the day. Who
    # may see them (the leader role on the unit) is checked from the live principal on every request.
    return f"arbeidsflate:unit:{unit_id}:{unit_path}:{today.isoformat()}"


def leader_snapshots(*, user: Actor, tasks: list[WorkspaceTask] | None = None) -> list[UnitSnapshot]:
    """Return a snapshot per unit the user leads, computed now (one query for all the units led)."""
    units = _led_units(user=user)
    figures = _units_figures(units={u: h.unit_path for u, h in units.items()}, today=clock.today())
    return _snapshots(units=units, figures=figures, tasks=tasks if tasks is not None else workspace_tasks(user=user))


def _led_units(*, user: Actor) -> dict[int, RoleHolding]:
    return {r.unit_id: r for r in principal_for(user).roles if r.role == Role.UNIT_LEADER}


def _snapshots(
    *, units: dict[int, RoleHolding], figures: dict[int, dict[str, Any]], tasks: list[WorkspaceTask]
) -> list[UnitSnapshot]:
    return [
        UnitSnapshot(
            unit_id=unit_id,
            unit_name=holding.unit_name,
            children_placed_today=figures[unit_id]["placed"],
            children_starting_next_30_days=figures[unit_id]["starting"],
            staff_employed_today=figures[unit_id]["staff"],
            protected_address_children=figures[unit_id]["protected"],
            open_tasks=sum(t.count for t in tasks if t.unit_id in (None, unit_id) and t.severity != "info"),
            figures=tuple(figures[unit_id].get("figures", ())),
            # Tasks without a unit belong to the unit when the leader leads only one.
            tasks=tuple(t for t in tasks if t.unit_id == unit_id or (t.unit_id is None and len(units) == 1)),
        )
        for unit_id, holding in sorted(units.items(), key=lambda item: item[1].unit_name)
    ]


@dataclass(frozen=True)
class WorkspaceFigures:
    """What the arbeidsflate shows: tasks, leader snapshots, and when the oldest figure was computed."""

    tasks: list[WorkspaceTask]
    snapshots: list[UnitSnapshot]
    computed_at: dt.datetime


def _tasks_cache_key(*, user: Actor) -> str:
    # Per user, and per the access the user has right now: a changed role or grant is a new key at once. Not
    # shared between users with the same roles: actions with ``self_allowed`` include the user's own person, so
    # the counts depend on who the user is (person_id), not only on the roles.
    principal = principal_for(user)
    signature = repr(
        (
            getattr(user, "pk", None),
            principal.kind,
            principal.person_id,
            sorted((r.role, r.unit_id, r.unit_path) for r in principal.roles),
            sorted((g.action, g.person_id or 0, g.unit_path or "") for g in principal.grants),
            get_language(),
            clock.today().isoformat(),
        )
    )
    return "arbeidsflate:tasks:" + hashlib.sha256(signature.encode()).hexdigest()


def workspace_cache_forget(*, user: Actor) -> None:
    """Drop the user's cached task counts and the cached snapshots of the units they lead.

    The recompute locks go too: a recompute that started before the user's action then does not store its
    (possibly older) figures over the dropped ones.
    """
    today = clock.today()
    keys = [_tasks_cache_key(user=user)]
    keys += [_unit_cache_key(unit_id=u, unit_path=h.unit_path, today=today) for u, h in _led_units(user=user).items()]
    cache.delete_many([*keys, *(_lock_key(k) for k in keys)])


def workspace_figures(*, user: Actor) -> WorkspaceFigures:
    """Return the user's tasks and leader snapshots, reusing figures computed in the last few seconds.

    With ``ARBEIDSFLATE_CACHE_SECONDS`` > 0 a user's task list is kept that long in Redis (keyed by the user
    and their current roles and grants) and each unit's snapshot counts likewise (keyed by unit and day, shared by
    the unit's leaders); both are read in one round trip and refreshed stale-while-revalidate (see ``_reuse``).
    ``computed_at`` is the time of the oldest figure shown. Access is still checked on every request: the
    principal (roles, grants) is loaded live, it decides the keys and which units' snapshots are shown, and the
    lists behind each figure are filtered live.
    """
    today = clock.today()
    units = _led_units(user=user)
    tasks_key = _tasks_cache_key(user=user)
    unit_keys = {_unit_cache_key(unit_id=u, unit_path=h.unit_path, today=today): u for u, h in units.items()}

    def compute_units(keys: list[str]) -> dict[str, Any]:
        figures = _units_figures(units={unit_keys[k]: units[unit_keys[k]].unit_path for k in keys}, today=today)
        return {k: figures[unit_keys[k]] for k in keys}

    reused = _reuse(
        [
            ([tasks_key], lambda keys: {tasks_key: workspace_tasks(user=user)}),
            (list(unit_keys), compute_units),
        ]
    )
    tasks, computed_at = reused[tasks_key]
    figures: dict[int, dict[str, Any]] = {}
    for key, unit_id in unit_keys.items():
        figures[unit_id], unit_at = reused[key]
        computed_at = min(computed_at, unit_at)
    snapshots = _snapshots(units=units, figures=figures, tasks=tasks)
    return WorkspaceFigures(tasks=list(tasks), snapshots=snapshots, computed_at=computed_at)
