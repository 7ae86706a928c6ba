"""Figures school adds to a rektor's snapshot: pupils and the lærernorm per main stage, each linking to its page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oas.arbeidsflate.registry import SnapshotFigure
from oas.organisation.models import OrgUnit, OrgUnitKind
from school.staffing import schools_staffing


def _number(value: Decimal | None) -> str:
    return "–" if value is None else f"{value}".replace(".", ",")


def unit_snapshot_figures(units: dict[int, str], day: dt.date) -> dict[int, list[SnapshotFigure]]:
    """For each school led: its pupils and, per main stage, pupils per teacher against the lærernorm (red if broken).

    Five queries whatever the number of schools led.
    """
    out: dict[int, list[SnapshotFigure]] = {}
    schools = list(OrgUnit.objects.filter(pk__in=list(units), kind=OrgUnitKind.SCHOOL).order_by("pk"))
    reports = schools_staffing(schools=schools, day=day) if schools else {}
    for school in schools:
        report = reports[school.pk]
        url = reverse("school:staffing", kwargs={"unit_id": school.pk})
        figures = [
            SnapshotFigure(
                key="school.pupils",
                label=_("Elever i dag"),
                value=str(report.pupils),
                url=url,
                note=_("%(fte)s lærerårsverk") % {"fte": _number(report.teacher_fte.quantize(Decimal("0.1")))},
            )
        ]
        figures += [
            SnapshotFigure(
                key=f"school.teacher_norm_{stage.first}_{stage.last}",
                label=_("Lærernormen %(first)s.–%(last)s. trinn (elever per lærer)")
                % {"first": stage.first, "last": stage.last},
                value=f"{_number(stage.pupils_per_teacher)} / {stage.limit}",
                url=url,
                alert=stage.broken,
                note=_("Brutt") if stage.broken else _("Oppfylt"),
            )
            for stage in report.stages
            if stage.pupils
        ]
        out[school.pk] = figures
    return out
