"""Reads for attendance: who is expected today, who is in, gone or absent, and which units a child attends."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field

import holidays
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext as _

from attendance.models import AbsenceReport, AttendanceEvent, CheckKind, ChildAttendanceInfo, ClosingDay
from oas.access.relations import ChildRight, relation_active_q, relation_q
from oas.organisation.models import OrgUnit
from oas.people.models import PersonRelation, Placement, Service
from oas.periods import DATED, active_on, overlapping

# Services whose units keep a krysseliste (school attendance is the school's own register).
CHECKIN_SERVICES = (Service.KINDERGARTEN, Service.SFO)


def placements_on_by_child(*, child_ids: list[int], day: dt.date) -> dict[int, list[Placement]]:
    """Return the placements on ``day`` of several children, by child (one query; for list pages)."""
    by_child: dict[int, list[Placement]] = defaultdict(list)
    for placement in Placement.objects.filter(active_on(day, fields=DATED), child_id__in=child_ids).select_related(
        "unit", "group"
    ):
        by_child[placement.child_id].append(placement)
    return by_child


def absences_from_by_child(*, child_ids: list[int], from_day: dt.date) -> dict[int, list[AbsenceReport]]:
    """Return current and future absence reports (not cancelled) of several children, by child (one query)."""
    by_child: dict[int, list[AbsenceReport]] = defaultdict(list)
    rows = AbsenceReport.objects.filter(
        overlapping(from_day, dt.date.max, fields=DATED), child_id__in=child_ids, cancelled_at__isnull=True
    ).order_by("start_date")
    for row in rows:
        by_child[row.child_id].append(row)
    return by_child


def absences_covering(*, child_ids: list[int], day: dt.date) -> dict[int, AbsenceReport]:
    """Return the active absence report covering ``day`` for each child that has one."""
    rows = AbsenceReport.objects.filter(
        active_on(day, fields=DATED), child_id__in=child_ids, cancelled_at__isnull=True
    ).order_by("reported_at")
    return {row.child_id: row for row in rows}


def checkin_placement(*, child_id: int, unit: OrgUnit, day: dt.date, lock: bool = False) -> Placement | None:
    """Return the child's check-in placement in ``unit`` (the unit itself or its department/group) on ``day``.

    ``lock`` takes a row lock on the placement (inside a transaction): concurrent taps for one child are decided one
    after the other.
    """
    qs = Placement.objects.filter(active_on(day, fields=DATED), child_id=child_id, service__in=CHECKIN_SERVICES).filter(
        Q(unit=unit) | Q(group=unit)
    )
    if lock:
        qs = qs.select_for_update(no_key=True)  # FOR NO KEY UPDATE: rows that refer to it are not held up
    return qs.order_by("pk").first()


@functools.lru_cache(maxsize=16)
def _public_holidays(year: int) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("NO", years=year, language="no").items())


def public_holiday_name(day: dt.date) -> str | None:
    """Return the name of the Norwegian public holiday (helligdag) on ``day``, or None."""
    return _public_holidays(day.year).get(day)


def is_expected_day(day: dt.date) -> bool:
    """Return whether children may be expected on ``day`` anywhere: a weekday that is not a public holiday.

    A unit's own closing days (planleggingsdag, sommerstengt …) are data: see ``closures_on``.
    """
    return day.weekday() < 5 and public_holiday_name(day) is None


@dataclass(frozen=True)
class DayClosure:
    """Why nobody is expected in a unit on a day: ``holiday``, ``closed`` (a closing day) or ``weekend``."""

    kind: str
    label: str

    @property
    def message(self) -> str:
        if self.kind == "holiday":
            return _("Helligdag: %(name)s") % {"name": self.label}
        if self.kind == "closed":
            return _("Stengt i dag: %(reason)s") % {"reason": self.label}
        return _("Helg")


def _ancestor_ids(unit: OrgUnit) -> list[int]:
    return [int(part) for part in unit.path.strip("/").split("/") if part] or [unit.pk]


def _closing_day_applies(*, row: ClosingDay, unit: OrgUnit, ancestor_ids: list[int], kinds: dict[int, str]) -> bool:
    """Whether a closing day closes ``unit``: its own or an ancestor's, or its municipality's (of its kind)."""
    if row.unit_id is not None:
        return row.unit_id in ancestor_ids
    return row.municipality_id == unit.municipality_id and (
        not row.unit_kind or any(kinds.get(pk, unit.kind) == row.unit_kind for pk in ancestor_ids)
    )


def closures_on(*, units: list[OrgUnit], day: dt.date) -> dict[int, DayClosure]:
    """Return, by unit id, why each of ``units`` is closed on ``day`` (units open that day are left out).

    A public holiday or a weekend closes every unit; a closing day closes its unit and everything under it, or
    every unit of its municipality (of its kind, with everything under those). One query for the closing days,
    and one more for the kinds of the units' ancestors only when a closing day is limited to a kind.
    """
    if not units:
        return {}
    holiday = public_holiday_name(day)
    if holiday is not None:
        return {u.pk: DayClosure(kind="holiday", label=holiday) for u in units}
    ancestors = {u.pk: _ancestor_ids(u) for u in units}
    all_ids = {pk for ids in ancestors.values() for pk in ids}
    rows = list(
        ClosingDay.objects.filter(start_date__lte=day, end_date__gte=day)
        .filter(Q(unit_id__in=all_ids) | Q(municipality_id__in={u.municipality_id for u in units}))
        .order_by("start_date", "pk")
    )
    kinds: dict[int, str] = {}
    if any(row.unit_kind for row in rows):
        kinds = dict(OrgUnit.objects.filter(pk__in=all_ids).values_list("pk", "kind"))
    found: dict[int, DayClosure] = {}
    for unit in units:
        ids = ancestors[unit.pk]
        for row in rows:
            if _closing_day_applies(row=row, unit=unit, ancestor_ids=ids, kinds=kinds):
                found[unit.pk] = DayClosure(kind="closed", label=row.label)
                break
        if unit.pk not in found and day.weekday() >= 5:
            found[unit.pk] = DayClosure(kind="weekend", label="")
    return found


def day_closure(*, unit: OrgUnit, day: dt.date) -> DayClosure | None:
    """Return why nobody is expected in ``unit`` (or the unit above it) on ``day``, or None on an ordinary day."""
    return closures_on(units=[unit], day=day).get(unit.pk)


def closed_subunit_paths(*, unit: OrgUnit, day: dt.date) -> list[str]:
    """Return the paths of units strictly under ``unit`` that have their own closing day on ``day``."""
    return list(
        ClosingDay.objects.filter(start_date__lte=day, end_date__gte=day, unit__path__startswith=unit.path)
        .exclude(unit_id=unit.pk)
        .values_list("unit__path", flat=True)
    )


def school_days_absent(*, child_id: int, start: dt.date, end: dt.date, stop_after: int) -> int:
    """Count the school days from ``start`` to ``end`` on which the child has a school placement.

    A school day is a weekday that is not a public holiday nor a closing day of the child's school (or of a unit
    above it, or of the municipality). Counting stops once it passes ``stop_after``. Three queries at most.
    """
    placements = list(
        Placement.objects.filter(
            overlapping(start, end, fields=DATED), child_id=child_id, service=Service.SCHOOL
        ).select_related("unit")
    )
    if not placements:
        return 0
    units = {p.unit_id: p.unit for p in placements}
    ancestors = {pk: _ancestor_ids(unit) for pk, unit in units.items()}
    all_ids = {pk for ids in ancestors.values() for pk in ids}
    rows = list(
        ClosingDay.objects.filter(start_date__lte=end, end_date__gte=start).filter(
            Q(unit_id__in=all_ids) | Q(municipality_id__in={u.municipality_id for u in units.values()})
        )
    )
    kinds: dict[int, str] = {}
    if any(row.unit_kind for row in rows):
        kinds = dict(OrgUnit.objects.filter(pk__in=all_ids).values_list("pk", "kind"))
    count = 0
    day = start
    while day <= end and count <= stop_after:
        if is_expected_day(day):
            for placement in placements:
                if placement.start_date <= day and (placement.end_date is None or day <= placement.end_date):
                    unit = placement.unit
                    closed = any(
                        row.start_date <= day <= (row.end_date or row.start_date)
                        and _closing_day_applies(row=row, unit=unit, ancestor_ids=ancestors[unit.pk], kinds=kinds)
                        for row in rows
                    )
                    if not closed:
                        count += 1
                        break
        day += dt.timedelta(days=1)
    return count


@dataclass
class KryssRow:
    """One child on the krysseliste."""

    child_id: int
    name: str
    status: str  # expected | not_expected (closed day) | in | out | absent
    checked_in_at: dt.datetime | None = None
    checked_out_at: dt.datetime | None = None
    absence_kind: str = ""
    absence_label: str = ""
    absence_until: dt.date | None = None
    absence_note: str = ""
    absence_source: str = ""  # guardian | staff (AbsenceSource)
    pickup_names: list[str] = field(default_factory=list)
    may_walk_home_alone: bool = False


@dataclass
class Krysseliste:
    """The krysseliste of one unit and day; on a closed day (``closure``) nobody is expected."""

    rows: list[KryssRow]
    closure: DayClosure | None


def krysseliste(*, unit: OrgUnit, day: dt.date) -> Krysseliste:
    """Return the krysseliste of a department, SFO group or whole unit for ``day`` (a fixed number of queries).

    On a weekend, a public holiday or a closing day of the unit (or a unit above it) children who have not come
    are ``not_expected`` rather than ``expected``; a child who does come can still be checked in.
    """
    closure = day_closure(unit=unit, day=day)
    placements = list(
        Placement.objects.filter(active_on(day, fields=DATED), service__in=CHECKIN_SERVICES)
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
    # The kernel relation policy: who may pick up (never the parent a strengt fortrolig child does not live with).
    relations = (
        PersonRelation.objects.filter(
            relation_active_q(on=day), relation_q(right=ChildRight.PICKUP), child_id__in=child_ids
        )
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
            status="expected" if closure is None else "not_expected",
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
            row.absence_source = absence.source
            if row.status in ("expected", "not_expected"):
                row.status = "absent"
        rows.append(row)
    return Krysseliste(rows=rows, closure=closure)


def current_state(*, child_id: int, unit_id: int, day: dt.date) -> str | None:
    """Return the child's last check kind in the unit on ``day`` (``in``/``out``) or None."""
    return (
        AttendanceEvent.objects.filter(child_id=child_id, unit_id=unit_id, day=day)
        .order_by("-at", "-pk")
        .values_list("kind", flat=True)
        .first()
    )


def replayed_or_last_tap(*, key: str, child_id: int, unit_id: int, day: dt.date) -> AttendanceEvent | None:
    """Return the tap with ``key`` if there is one (any child's: the key is unique), else the child's last tap in the
    unit on ``day`` (``current_state``'s row), else None: the tap's replay check and state read in one query."""
    return (
        AttendanceEvent.objects.filter(Q(key=key) | Q(child_id=child_id, unit_id=unit_id, day=day))
        .order_by(Case(When(key=key, then=Value(0)), default=Value(1)), "-at", "-pk")
        .first()
    )


def absences_in_units(*, unit: OrgUnit, day: dt.date) -> list[tuple[AbsenceReport, list[Placement]]]:
    """Return the absences on ``day`` of children placed in ``unit``'s subtree, with the placements reached."""
    placements = list(
        Placement.objects.filter(active_on(day, fields=DATED))
        .filter(Q(unit__path__startswith=unit.path) | Q(group__path__startswith=unit.path))
        .select_related("unit", "group")
    )
    by_child: dict[int, list[Placement]] = defaultdict(list)
    for p in placements:
        by_child[p.child_id].append(p)
    absences = absences_covering(child_ids=list(by_child), day=day)
    reports = AbsenceReport.objects.filter(pk__in=[a.pk for a in absences.values()]).select_related("child")
    return [(report, by_child[report.child_id]) for report in reports.order_by("child__first_name")]
