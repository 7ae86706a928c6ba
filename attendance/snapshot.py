"""Figures attendance adds to a unit leader's snapshot: absence today, and a kindergarten's places and norms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from attendance.models import AbsenceReport
from attendance.occupancy import kindergarten_occupancy
from attendance.public import approved_places
from oas.arbeidsflate.registry import SnapshotFigure
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Placement
from oas.periods import DATED, active_on


def _fte(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1'))}".replace(".", ",")


def _capacity_figure(*, unit_id: int, approved: int | None, used: int) -> SnapshotFigure:
    """Free places: the approved places less the places in use; red when more places are used than approved."""
    if approved is None:
        return SnapshotFigure(
            key="attendance.free_places",
            label=_("Ledige plasser"),
            value="–",
            url=reverse("admin:kindergarten_kindergartenunitdetail_add") + f"?unit={unit_id}",
            note=_("Godkjente plasser er ikke registrert"),
        )
    free = approved - used
    return SnapshotFigure(
        key="attendance.free_places",
        label=_("Ledige plasser"),
        value=str(free),
        url=reverse("attendance:occupancy", kwargs={"unit_id": unit_id}),
        alert=free < 0,
        note=_("av %(approved)s godkjente plasser") % {"approved": approved}
        if free >= 0
        else _("Overbelegg: %(approved)s godkjente plasser") % {"approved": approved},
    )


def unit_snapshot_figures(units: dict[int, str], day: dt.date) -> dict[int, list[SnapshotFigure]]:
    """Absence today (every unit) and, for kindergartens, children, places used and the two staffing norms."""
    out: dict[int, list[SnapshotFigure]] = {}
    kinds = dict(OrgUnit.objects.filter(pk__in=list(units)).values_list("pk", "kind"))
    active = active_on(day, fields=DATED)
    approved = approved_places(unit_ids=[u for u in units if kinds.get(u) == OrgUnitKind.KINDERGARTEN])
    # Absence today in every unit led, in one query (a filtered count per unit).
    counts = AbsenceReport.objects.filter(active_on(day, fields=DATED), cancelled_at__isnull=True).aggregate(
        **{
            f"u{unit_id}": Count(
                "child_id",
                distinct=True,
                filter=Q(child_id__in=Placement.objects.filter(active, unit__path__startswith=path).values("child_id")),
            )
            for unit_id, path in units.items()
        }
    )
    for unit_id in units:
        figures = [
            SnapshotFigure(
                key="attendance.absent_today",
                label=_("Meldt fravær i dag"),
                value=str(counts.get(f"u{unit_id}") or 0),
                url=reverse("attendance:absences_today"),
            )
        ]
        if kinds.get(unit_id) == OrgUnitKind.KINDERGARTEN:
            report = kindergarten_occupancy(unit_id=unit_id, day=day)
            total = report.total
            occupancy_url = reverse("attendance:occupancy", kwargs={"unit_id": unit_id})
            figures += [
                _capacity_figure(unit_id=unit_id, approved=approved.get(unit_id), used=total.places),
                SnapshotFigure(
                    key="attendance.places_used",
                    label=_("Plasser i bruk (barn under 3 teller to)"),
                    value=str(total.places),
                    url=occupancy_url,
                    note=_("%(children)s barn") % {"children": total.children},
                ),
                SnapshotFigure(
                    key="attendance.staff_norm",
                    label=_("Bemanningsnormen (årsverk)"),
                    value=f"{_fte(total.adults)} / {_fte(total.adults_required)}",
                    url=occupancy_url,
                    alert=total.adults_gap < 0,
                    note=_("Brutt") if total.adults_gap < 0 else _("Oppfylt"),
                ),
                SnapshotFigure(
                    key="attendance.pedagogue_norm",
                    label=_("Pedagognormen (årsverk)"),
                    value=f"{_fte(total.pedagogues)} / {_fte(total.pedagogues_required)}",
                    url=occupancy_url,
                    alert=total.pedagogues_gap < 0,
                    note=_("Brutt") if total.pedagogues_gap < 0 else _("Oppfylt"),
                ),
            ]
        out[unit_id] = figures
    return out
