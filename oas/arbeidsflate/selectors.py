"""Reads for the arbeidsflate: children lists in the user's scope and the leader snapshot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

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


def leader_snapshots(*, user: Any, tasks: list[WorkspaceTask] | None = None) -> list[UnitSnapshot]:
    """Return a snapshot per unit the user leads (two queries per unit led)."""
    principal = principal_for(user)
    units = {r.unit_id: r for r in principal.roles if r.role == Role.UNIT_LEADER}
    if not units:
        return []
    today = clock.today()
    soon = today + dt.timedelta(days=30)
    placement_counts: dict[int, dict[str, int]] = {}
    staff_counts: dict[int, int] = {}
    for unit_id, holding in units.items():
        in_unit = Q(unit__path__startswith=holding.unit_path)
        agg = Placement.objects.filter(in_unit).aggregate(
            placed=Count("child", filter=_current("", today), distinct=True),
            starting=Count("child", filter=Q(start_date__gt=today, start_date__lte=soon), distinct=True),
            protected=Count(
                "child", filter=_current("", today) & Q(child__adressebeskyttelse__in=PROTECTED_LEVELS), distinct=True
            ),
        )
        placement_counts[unit_id] = {k: int(v or 0) for k, v in agg.items()}
        staff_counts[unit_id] = (
            Employment.objects.filter(in_unit, valid_from__lte=today)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
            .values("employee_id")
            .distinct()
            .count()
        )
    task_list = tasks if tasks is not None else workspace_tasks(user=user)
    return [
        UnitSnapshot(
            unit_id=unit_id,
            unit_name=holding.unit_name,
            children_placed_today=placement_counts[unit_id]["placed"],
            children_starting_next_30_days=placement_counts[unit_id]["starting"],
            staff_employed_today=staff_counts[unit_id],
            protected_address_children=placement_counts[unit_id]["protected"],
            open_tasks=sum(t.count for t in task_list if t.unit_id in (None, unit_id) and t.severity != "info"),
        )
        for unit_id, holding in sorted(units.items(), key=lambda item: item[1].unit_name)
    ]
