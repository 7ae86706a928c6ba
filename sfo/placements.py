"""SFO placement changes over time (place type and hours); the kernel's Placement refuses overlaps."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from oas.errors import ValidationError
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Person, Placement, Service
from oas.people.services import placement_change
from sfo.models import PlaceType, SfoPlacementDetail


def sfo_placement_change(
    *,
    child: Person,
    unit: OrgUnit,
    start_date: dt.date,
    place_type: str,
    hours_per_week: int | None = None,
    group: OrgUnit | None = None,
    end_date: dt.date | None = None,
    user_id: int | None = None,
) -> Placement:
    """Give a child an SFO place from ``start_date``; an open place that started earlier ends the day before."""
    errors: dict[str, list[str]] = {}
    if unit.kind != OrgUnitKind.SFO:
        errors["unit"] = [_("Enheten er ikke en SFO.")]
    if place_type not in PlaceType.values:
        errors["place_type"] = [_("Ukjent plasstype.")]
    if place_type == PlaceType.HOURS and not (hours_per_week and 1 <= hours_per_week <= 40):
        errors["hours_per_week"] = [_("Timeplass krever 1–40 timer per uke.")]
    if place_type != PlaceType.HOURS and hours_per_week is not None:
        errors["hours_per_week"] = [_("Timer per uke gjelder bare timeplass.")]
    if end_date is not None and end_date < start_date:
        errors["end_date"] = [_("Sluttdato kan ikke være før startdato.")]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], fields=errors)
    with transaction.atomic():
        placement = placement_change(
            child=child,
            service=Service.SFO,
            unit=unit,
            group=group,
            start_date=start_date,
            end_date=end_date,
            event="sfo.placement.change",
            details={"unit": unit.pk, "place_type": place_type},
            overlap_message=_("Barnet har allerede en SFO-plass i denne perioden."),
            user_id=user_id,
        )
        detail = SfoPlacementDetail(placement=placement, place_type=place_type, hours_per_week=hours_per_week)
        detail.full_clean()
        detail.save()
    return placement


def sfo_unit_placements(*, unit: OrgUnit, day: dt.date) -> list[Placement]:
    """Return the SFO placements in ``unit`` that are current or start later, with their details."""
    return list(
        Placement.objects.filter(unit=unit, service=Service.SFO)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("child", "group", "sfo_detail")
        .order_by("child__last_name", "child__first_name", "start_date")
    )
