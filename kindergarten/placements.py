"""Placement changes over time (department, size, weekly hours) and occupancy with the staffing norms.

Writes (``kindergarten_placement_change``) and reads (``kindergarten_occupancy``) for issue 6; the kernel's
``Placement`` stays the single source of truth (its exclusion constraint refuses overlaps).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kindergarten.models import AgeGroup, KindergartenPlacementDetail, SizeKind
from kindergarten.rules import age_group, age_on
from oas.errors import ValidationError
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Employment, GroupAssignment, Person, Placement, Service
from oas.people.services import placement_change

PEDAGOGUE_POSITIONS = ("PED_LEDER", "BHG_LAERER")
# Barnehageloven § 26 and forskrift om pedagogisk bemanning: adults per child and pedagogues per child.
ADULTS_PER_CHILD_UNDER_3 = Decimal(1) / Decimal(3)
ADULTS_PER_CHILD_OVER_3 = Decimal(1) / Decimal(6)
PEDAGOGUES_PER_CHILD_UNDER_3 = Decimal(1) / Decimal(7)
PEDAGOGUES_PER_CHILD_OVER_3 = Decimal(1) / Decimal(14)


def _check_age(child: Person, unit: OrgUnit, start: dt.date) -> None:
    if child.birth_date is None:
        raise ValidationError(_("Barnet mangler fødselsdato."), fields={"child": [_("Mangler fødselsdato.")]})
    age = age_on(child.birth_date, start)
    if (unit.min_age is not None and age < unit.min_age) or (unit.max_age is not None and age > unit.max_age):
        raise ValidationError(
            _("Barnet er %(age)s år ved oppstart; %(unit)s tar imot barn fra %(min)s til %(max)s år.")
            % {"age": age, "unit": unit.name, "min": unit.min_age, "max": unit.max_age},
            code="age_out_of_range",
            fields={"start_date": [_("Utenfor barnehagens aldersspenn.")]},
        )


def kindergarten_placement_change(
    *,
    child: Person,
    unit: OrgUnit,
    department: OrgUnit | None,
    start_date: dt.date,
    size_kind: str = SizeKind.PERCENT,
    size_value: int = 100,
    weekly_hours: Decimal | None = None,
    end_date: dt.date | None = None,
    user_id: int | None = None,
) -> Placement:
    """Place a child from ``start_date``: an open placement that started earlier ends the day before.

    A placement starting on or after ``start_date`` is an overlap and is refused (plan changes in order).
    """
    errors: dict[str, list[str]] = {}
    if unit.kind != OrgUnitKind.KINDERGARTEN:
        errors["unit"] = [_("Enheten er ikke en barnehage.")]
    if department is not None and department.parent_id != unit.pk:
        errors["department"] = [_("Avdelingen hører ikke til barnehagen.")]
    if size_kind == SizeKind.PERCENT and not (1 <= size_value <= 100):
        errors["size_value"] = [_("Plasstørrelsen må være mellom 1 og 100 prosent.")]
    if size_kind == SizeKind.DAYS and not (1 <= size_value <= 5):
        errors["size_value"] = [_("Antall dager må være mellom 1 og 5.")]
    if size_kind not in SizeKind.values:
        errors["size_kind"] = [_("Ukjent plasstype.")]
    if weekly_hours is not None and not (0 < weekly_hours <= 60):
        errors["weekly_hours"] = [_("Avtalt oppholdstid må være mellom 1 og 60 timer.")]
    if end_date is not None and end_date < start_date:
        errors["end_date"] = [_("Sluttdato kan ikke være før startdato.")]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], fields=errors)
    _check_age(child, unit, start_date)
    with transaction.atomic():
        placement = placement_change(
            child=child,
            service=Service.KINDERGARTEN,
            unit=unit,
            group=department,
            start_date=start_date,
            end_date=end_date,
            event="kindergarten.placement.change",
            details={"unit": unit.pk, "department": department.pk if department else None},
            overlap_message=_("Barnet har allerede en barnehageplass i denne perioden."),
            user_id=user_id,
        )
        detail = KindergartenPlacementDetail(
            placement=placement, size_kind=size_kind, size_value=size_value, weekly_hours=weekly_hours
        )
        detail.full_clean()
        detail.save()
    return placement


@dataclass
class NormFigures:
    """Occupancy and norms for a department (or a whole kindergarten)."""

    unit_id: int
    name: str
    children: int = 0
    under_3: int = 0
    over_3: int = 0
    places: int = 0  # children under 3 count as two places
    adults: Decimal = Decimal(0)  # full-time equivalents
    pedagogues: Decimal = Decimal(0)
    adults_required: Decimal = Decimal(0)
    pedagogues_required: Decimal = Decimal(0)

    @property
    def adults_gap(self) -> Decimal:
        """Positive: staff above the norm; negative: missing full-time equivalents."""
        return (self.adults - self.adults_required).quantize(Decimal("0.01"))

    @property
    def pedagogues_gap(self) -> Decimal:
        return (self.pedagogues - self.pedagogues_required).quantize(Decimal("0.01"))


@dataclass
class OccupancyReport:
    unit_id: int
    name: str
    day: dt.date
    total: NormFigures
    departments: list[NormFigures] = field(default_factory=list)


def _finish(fig: NormFigures) -> None:
    fig.places = fig.under_3 * 2 + fig.over_3
    fig.adults_required = (fig.under_3 * ADULTS_PER_CHILD_UNDER_3 + fig.over_3 * ADULTS_PER_CHILD_OVER_3).quantize(
        Decimal("0.01")
    )
    fig.pedagogues_required = (
        fig.under_3 * PEDAGOGUES_PER_CHILD_UNDER_3 + fig.over_3 * PEDAGOGUES_PER_CHILD_OVER_3
    ).quantize(Decimal("0.01"))


def _active(day: dt.date, start: str, end: str) -> Q:
    return Q(**{f"{start}__lte": day}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": day}))


def kindergarten_occupancy(*, unit: OrgUnit, day: dt.date) -> OccupancyReport:
    """Return occupancy per department and in total with the staffing and pedagogue norms and their gaps."""
    departments = list(OrgUnit.objects.filter(parent=unit, kind=OrgUnitKind.DEPARTMENT).order_by("name"))
    figures: dict[int | None, NormFigures] = {d.pk: NormFigures(unit_id=d.pk, name=d.name) for d in departments}
    total = NormFigures(unit_id=unit.pk, name=unit.name)
    rows = Placement.objects.filter(
        _active(day, "start_date", "end_date"), unit=unit, service=Service.KINDERGARTEN
    ).values_list("group_id", "child__birth_date")
    for group_id, birth in rows:
        targets: list[NormFigures] = [total]
        if group_id in figures:
            targets.append(figures[group_id])
        small = birth is not None and age_group(birth_date=birth, on=day) == AgeGroup.SMALL
        for fig in targets:
            fig.children += 1
            fig.under_3 += int(small)
            fig.over_3 += int(not small)
    employments: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    for employee_id, code, pct in Employment.objects.filter(
        _active(day, "valid_from", "valid_to"), unit=unit
    ).values_list("employee_id", "position_code", "percentage"):
        employments[employee_id].append((code, Decimal(pct) / 100))
    for jobs in employments.values():
        fte = min(Decimal(1), sum((p for _c, p in jobs), Decimal(0)))
        ped = min(Decimal(1), sum((p for c, p in jobs if c in PEDAGOGUE_POSITIONS), Decimal(0)))
        total.adults += fte
        total.pedagogues += ped
    assigned: dict[int, set[int]] = defaultdict(set)
    for employee_id, group_id in GroupAssignment.objects.filter(
        _active(day, "valid_from", "valid_to"), group_id__in=list(figures)
    ).values_list("employee_id", "group_id"):
        assigned[employee_id].add(group_id)
    for employee_id, groups in assigned.items():
        jobs = employments.get(employee_id, [])
        share = Decimal(1) / len(groups)  # an employee in two departments counts half in each
        fte = min(Decimal(1), sum((p for _c, p in jobs), Decimal(0))) * share
        ped = min(Decimal(1), sum((p for c, p in jobs if c in PEDAGOGUE_POSITIONS), Decimal(0))) * share
        for group_id in groups:
            figures[group_id].adults += fte
            figures[group_id].pedagogues += ped
    for fig in [total, *figures.values()]:
        _finish(fig)
    return OccupancyReport(
        unit_id=unit.pk, name=unit.name, day=day, total=total, departments=[figures[d.pk] for d in departments]
    )


def kindergarten_unit_placements(*, unit: OrgUnit, day: dt.date) -> list[Placement]:
    """Return the kindergarten placements in ``unit`` that are current or start later, with their details."""
    return list(
        Placement.objects.filter(unit=unit, service=Service.KINDERGARTEN)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("child", "group", "kindergarten_detail")
        .order_by("child__last_name", "child__first_name", "start_date")
    )
