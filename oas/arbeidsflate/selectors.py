"""Reads for the arbeidsflate: children lists in the user's scope and the leader snapshot."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import get_language

from oas import clock
from oas.access.evaluation import access_queryset
from oas.access.principal import principal_for
from oas.access.roles import Role
from oas.arbeidsflate.registry import WorkspaceTask, registry
from oas.people.models import PROTECTED_LEVELS, DeltBosted, Employment, Person, Placement


def _current(prefix: str, on: dt.date) -> Q:
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
    )


def children_for_staff(
    *,
    user: Any,
    protected_only: bool = False,
    without_group: bool = False,
    unit_id: int | None = None,
    delt_bosted: bool = False,
) -> QuerySet[Person]:
    """Return the children (persons with a current or future placement) the user may read, in SQL."""
    today = clock.today()
    placements = Placement.objects.filter(child=OuterRef("pk")).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    if without_group:
        placements = placements.filter(group__isnull=True)
    if unit_id is not None:
        placements = placements.filter(Q(unit_id=unit_id) | Q(group_id=unit_id))
    qs = access_queryset(user=user, action="child.read", queryset=Person.objects.all()).filter(Exists(placements))
    if protected_only:
        qs = qs.filter(adressebeskyttelse__in=PROTECTED_LEVELS)
    if delt_bosted:
        delt = DeltBosted.objects.filter(child=OuterRef("pk"), valid_from__lte=today).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        )
        qs = qs.filter(Exists(delt))
    return qs.order_by("last_name", "first_name", "pk")


def leader_unit_ids(*, user: Any) -> list[int]:
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


def workspace_tasks(*, user: Any) -> list[WorkspaceTask]:
    """Return the user's arbeidsflate tasks from every registered provider."""
    return registry.tasks_for(user=user)


def _unit_figures(*, unit_id: int, unit_path: str, today: dt.date) -> dict[str, int]:
    """Count one unit's placements and staff (two queries)."""
    soon = today + dt.timedelta(days=30)
    in_unit = Q(unit__path__startswith=unit_path)
    agg = Placement.objects.filter(in_unit).aggregate(
        placed=Count("child", filter=_current("", today), distinct=True),
        starting=Count("child", filter=Q(start_date__gt=today, start_date__lte=soon), distinct=True),
        protected=Count(
            "child", filter=_current("", today) & Q(child__adressebeskyttelse__in=PROTECTED_LEVELS), distinct=True
        ),
    )
    figures = {k: int(v or 0) for k, v in agg.items()}
    figures["staff"] = (
        Employment.objects.filter(in_unit, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .values("employee_id")
        .distinct()
        .count()
    )
    return figures


def _cache_seconds() -> int:
    return int(getattr(settings, "ARBEIDSFLATE_CACHE_SECONDS", 0))


def _unit_cache_key(*, unit_id: int, unit_path: str, today: dt.date) -> str:
    return f"arbeidsflate:unit:{unit_id}:{unit_path}:{today.isoformat()}"


def _unit_figures_cached(*, unit_id: int, unit_path: str, today: dt.date) -> tuple[dict[str, int], dt.datetime]:
    """Return a unit's figures and when they were computed; reused for ARBEIDSFLATE_CACHE_SECONDS (per unit)."""
    seconds = _cache_seconds()
    key = _unit_cache_key(unit_id=unit_id, unit_path=unit_path, today=today)
    if seconds > 0:
        hit = cache.get(key)
        if hit is not None:
            return hit[0], hit[1]
    figures, computed_at = _unit_figures(unit_id=unit_id, unit_path=unit_path, today=today), clock.now()
    if seconds > 0:
        cache.set(key, (figures, computed_at), seconds)
    return figures, computed_at


def leader_snapshots(*, user: Any, tasks: list[WorkspaceTask] | None = None) -> list[UnitSnapshot]:
    """Return a snapshot per unit the user leads, computed now (two queries per unit led)."""
    return _leader_snapshots(user=user, tasks=tasks, reuse=False)[0]


def _leader_snapshots(
    *, user: Any, tasks: list[WorkspaceTask] | None, reuse: bool
) -> tuple[list[UnitSnapshot], dt.datetime | None]:
    principal = principal_for(user)
    units = {r.unit_id: r for r in principal.roles if r.role == Role.UNIT_LEADER}
    if not units:
        return [], None
    today = clock.today()
    figures: dict[int, dict[str, int]] = {}
    oldest: dt.datetime | None = None
    for unit_id, holding in units.items():
        if reuse:
            figures[unit_id], computed_at = _unit_figures_cached(
                unit_id=unit_id, unit_path=holding.unit_path, today=today
            )
        else:
            figures[unit_id] = _unit_figures(unit_id=unit_id, unit_path=holding.unit_path, today=today)
            computed_at = clock.now()
        oldest = computed_at if oldest is None else min(oldest, computed_at)
    task_list = tasks if tasks is not None else workspace_tasks(user=user)
    snapshots = [
        UnitSnapshot(
            unit_id=unit_id,
            unit_name=holding.unit_name,
            children_placed_today=figures[unit_id]["placed"],
            children_starting_next_30_days=figures[unit_id]["starting"],
            staff_employed_today=figures[unit_id]["staff"],
            protected_address_children=figures[unit_id]["protected"],
            open_tasks=sum(t.count for t in task_list if t.unit_id in (None, unit_id) and t.severity != "info"),
        )
        for unit_id, holding in sorted(units.items(), key=lambda item: item[1].unit_name)
    ]
    return snapshots, oldest


@dataclass(frozen=True)
class WorkspaceFigures:
    """What the arbeidsflate shows: tasks, leader snapshots, and when the oldest figure was computed."""

    tasks: list[WorkspaceTask]
    snapshots: list[UnitSnapshot]
    computed_at: dt.datetime


def _tasks_cache_key(*, user: Any) -> str:
    # Per user, and per the access the user has right now: a changed role or grant is a new key at once.
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


def workspace_cache_forget(*, user: Any) -> None:
    """Drop the user's cached task counts and the cached snapshots of the units they lead."""
    today = clock.today()
    keys = [_tasks_cache_key(user=user)]
    keys += [
        _unit_cache_key(unit_id=r.unit_id, unit_path=r.unit_path, today=today)
        for r in principal_for(user).roles
        if r.role == Role.UNIT_LEADER
    ]
    cache.delete_many(keys)


def workspace_figures(*, user: Any) -> WorkspaceFigures:
    """Return the user's tasks and leader snapshots, reusing figures computed in the last few seconds.

    With ``ARBEIDSFLATE_CACHE_SECONDS`` > 0 a user's task list is kept that long in Redis (keyed by the user
    and their current roles and grants) and each unit's snapshot counts likewise (keyed by unit); the page
    shows ``computed_at``. Access is still checked on every request: the cache only holds this user's own
    figures, and the lists behind each figure are filtered live.
    """
    seconds = _cache_seconds()
    now = clock.now()
    cached = None
    key = ""
    if seconds > 0:
        key = _tasks_cache_key(user=user)
        cached = cache.get(key)
    if cached is not None:
        tasks, tasks_at = cached
    else:
        tasks, tasks_at = workspace_tasks(user=user), now
        if seconds > 0:
            cache.set(key, (tasks, tasks_at), seconds)
    snapshots, snapshot_at = _leader_snapshots(user=user, tasks=tasks, reuse=True)
    computed_at = min(tasks_at, snapshot_at) if snapshot_at is not None else tasks_at
    return WorkspaceFigures(tasks=list(tasks), snapshots=snapshots, computed_at=computed_at)
