"""Reads for attendance: who is expected today, who is in, gone or absent, and which units a child attends."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery

from attendance.models import AbsenceReport, AttendanceEvent, CheckKind, ChildAttendanceInfo
from oas.access.evaluation import access_queryset
from oas.organisation.models import OrgUnit
from oas.people.models import PersonRelation, Placement, RelationKind, Service

# Services whose units keep a krysseliste (school attendance is the school's own register).
CHECKIN_SERVICES = (Service.KINDERGARTEN, Service.SFO)


def active_on(day: dt.date) -> Q:
    """Filter for rows with ``start_date``/``end_date`` covering ``day`` (NULL end = until further notice)."""
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def placements_on_by_child(*, child_ids: list[int], day: dt.date) -> dict[int, list[Placement]]:
    """Return the placements on ``day`` of several children, by child (one query; for list pages)."""
    by_child: dict[int, list[Placement]] = defaultdict(list)
    for placement in Placement.objects.filter(active_on(day), child_id__in=child_ids).select_related("unit", "group"):
        by_child[placement.child_id].append(placement)
    return by_child


def absences_from_by_child(*, child_ids: list[int], from_day: dt.date) -> dict[int, list[AbsenceReport]]:
    """Return current and future absence reports (not cancelled) of several children, by child (one query)."""
    by_child: dict[int, list[AbsenceReport]] = defaultdict(list)
    rows = AbsenceReport.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=from_day), child_id__in=child_ids, cancelled_at__isnull=True
    ).order_by("start_date")
    for row in rows:
        by_child[row.child_id].append(row)
    return by_child


def absences_covering(*, child_ids: list[int], day: dt.date) -> dict[int, AbsenceReport]:
    """Return the active absence report covering ``day`` for each child that has one."""
    rows = AbsenceReport.objects.filter(active_on(day), child_id__in=child_ids, cancelled_at__isnull=True).order_by(
        "reported_at"
    )
    return {row.child_id: row for row in rows}


def checkin_placement(*, child_id: int, unit: OrgUnit, day: dt.date, lock: bool = False) -> Placement | None:
    """Return the child's check-in placement in ``unit`` (the unit itself or its department/group) on ``day``.

    ``lock`` takes a row lock (inside a transaction) so concurrent taps for one child are serialised.
    """
    qs = Placement.objects.filter(active_on(day), child_id=child_id, service__in=CHECKIN_SERVICES).filter(
        Q(unit=unit) | Q(group=unit)
    )
    if lock:
        qs = qs.select_for_update()
    return qs.order_by("pk").first()


def checkin_decision(*, user: Any, child_id: int, unit_id: int, day: dt.date, key: str) -> Placement | None:
    """Lock and return the child's check-in placement in a unit the user may check children in, in one query.

    The access layer's SQL filter for ``attendance.checkin`` decides the unit; the placement carries
    ``state`` (the child's last check kind in that unit on ``day``) and ``key_taken`` (the idempotency key was
    used already). None when the unit is not the user's or the child is not placed there (the caller tells
    which, on that rare path, with ``access_unit``).
    """
    allowed_unit = access_queryset(user=user, action="attendance.checkin", queryset=OrgUnit.objects.all()).filter(
        pk=unit_id
    )
    last = AttendanceEvent.objects.filter(child_id=OuterRef("child_id"), unit_id=OuterRef("unit_id"), day=day)
    return (
        Placement.objects.filter(active_on(day), child_id=child_id, service__in=CHECKIN_SERVICES)
        .filter(Q(unit_id=unit_id) | Q(group_id=unit_id))
        .filter(Exists(allowed_unit))
        .annotate(
            state=Subquery(last.order_by("-at", "-pk").values("kind")[:1]),
            key_taken=Exists(AttendanceEvent.objects.filter(key=key)),
        )
        .select_for_update(of=("self",))
        .order_by("pk")
        .first()
    )


def is_expected_day(day: dt.date) -> bool:
    """Return whether children are expected on ``day`` (weekdays; holidays are the unit's planning)."""
    return day.weekday() < 5


@dataclass
class KryssRow:
    """One child on the krysseliste."""

    child_id: int
    name: str
    status: str  # expected | in | out | absent
    checked_in_at: dt.datetime | None = None
    checked_out_at: dt.datetime | None = None
    absence_kind: str = ""
    absence_label: str = ""
    absence_until: dt.date | None = None
    absence_note: str = ""
    pickup_names: list[str] = field(default_factory=list)
    may_walk_home_alone: bool = False


def krysseliste(*, unit: OrgUnit, day: dt.date) -> list[KryssRow]:
    """Return the krysseliste of a department, SFO group or whole unit for ``day`` (a fixed number of queries)."""
    placements = list(
        Placement.objects.filter(active_on(day), service__in=CHECKIN_SERVICES)
        .filter(Q(unit=unit) | Q(group=unit))
        .select_related("child")
        .order_by("child__first_name", "child__last_name")
    )
    child_ids = [p.child_id for p in placements]
    absences = absences_covering(child_ids=child_ids, day=day)
    events: dict[int, list[AttendanceEvent]] = defaultdict(list)
    unit_of_child = {p.child_id: p.unit_id for p in placements}
    for event in AttendanceEvent.objects.filter(child_id__in=child_ids, day=day).order_by("at", "pk"):
        if unit_of_child.get(event.child_id) == event.unit_id:
            events[event.child_id].append(event)
    pickups: dict[int, list[str]] = defaultdict(list)
    relations = (
        PersonRelation.objects.filter(
            child_id__in=child_ids, kind__in=[RelationKind.GUARDIAN, RelationKind.PICKUP], valid_from__lte=day
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("adult")
        .order_by("kind", "adult__first_name")
    )
    for rel in relations:
        pickups[rel.child_id].append(rel.adult.full_name)
    walk_alone = set(
        ChildAttendanceInfo.objects.filter(child_id__in=child_ids, may_walk_home_alone=True).values_list(
            "child_id", flat=True
        )
    )
    rows: list[KryssRow] = []
    for placement in placements:
        child = placement.child
        row = KryssRow(
            child_id=child.pk,
            name=child.full_name,
            status="expected",
            pickup_names=pickups.get(child.pk, []),
            may_walk_home_alone=child.pk in walk_alone,
        )
        for event in events.get(child.pk, []):
            if event.kind == CheckKind.IN:
                row.checked_in_at, row.checked_out_at, row.status = event.at, None, "in"
            else:
                row.checked_out_at, row.status = event.at, "out"
        absence = absences.get(child.pk)
        if absence is not None:
            row.absence_kind = absence.kind
            row.absence_label = str(absence.get_kind_display())
            row.absence_until = absence.end_date
            row.absence_note = absence.note
            if row.status == "expected":
                row.status = "absent"
        rows.append(row)
    return rows


def current_state(*, child_id: int, unit_id: int, day: dt.date) -> str | None:
    """Return the child's last check kind in the unit on ``day`` (``in``/``out``) or None."""
    return (
        AttendanceEvent.objects.filter(child_id=child_id, unit_id=unit_id, day=day)
        .order_by("-at", "-pk")
        .values_list("kind", flat=True)
        .first()
    )


def absences_in_units(*, unit: OrgUnit, day: dt.date) -> list[tuple[AbsenceReport, list[Placement]]]:
    """Return the absences on ``day`` of children placed in ``unit``'s subtree, with the placements reached."""
    placements = list(
        Placement.objects.filter(active_on(day))
        .filter(Q(unit__path__startswith=unit.path) | Q(group__path__startswith=unit.path))
        .select_related("unit", "group")
    )
    by_child: dict[int, list[Placement]] = defaultdict(list)
    for p in placements:
        by_child[p.child_id].append(p)
    absences = absences_covering(child_ids=list(by_child), day=day)
    reports = AbsenceReport.objects.filter(pk__in=[a.pk for a in absences.values()]).select_related("child")
    return [(report, by_child[report.child_id]) for report in reports.order_by("child__first_name")]
