"""Load demo closing days for Lillestrøm (planleggingsdager, jul, sommerstengt) for 2026/27 (idempotent).

Public holidays need no data (the ``holidays`` package); these are the days the units themselves close.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from attendance.models import ClosingDay, ClosingReason
from oas.organisation.models import Municipality, OrgUnitKind

D = dt.date
# (unit kind, first day, last day, reason, description): every municipal unit of that kind in the municipality.
DEMO_DAYS: list[tuple[str, dt.date, dt.date, str, str]] = [
    (OrgUnitKind.KINDERGARTEN, D(2026, 8, 13), D(2026, 8, 14), ClosingReason.PLANNING_DAY, ""),
    (OrgUnitKind.KINDERGARTEN, D(2027, 1, 4), D(2027, 1, 4), ClosingReason.PLANNING_DAY, ""),
    (OrgUnitKind.KINDERGARTEN, D(2027, 5, 7), D(2027, 5, 7), ClosingReason.PLANNING_DAY, ""),
    (OrgUnitKind.KINDERGARTEN, D(2026, 12, 24), D(2026, 12, 24), ClosingReason.CHRISTMAS, "Julaften"),
    (OrgUnitKind.KINDERGARTEN, D(2026, 12, 31), D(2026, 12, 31), ClosingReason.CHRISTMAS, "Nyttårsaften"),
    (OrgUnitKind.KINDERGARTEN, D(2027, 7, 5), D(2027, 7, 23), ClosingReason.SUMMER, "Fellesferie"),
    (OrgUnitKind.SFO, D(2026, 12, 24), D(2026, 12, 24), ClosingReason.CHRISTMAS, "Julaften"),
    (OrgUnitKind.SFO, D(2027, 7, 12), D(2027, 7, 30), ClosingReason.SUMMER, "Fellesferie"),
]


class Command(BaseCommand):
    help = "Load demo closing days (planleggingsdager, jul, sommerstengt 2026/27) for a municipality (default 3030)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", default="3030", help="Kommunenummer (default 3030 Lillestrøm).")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(number=options["municipality"], valid_to__isnull=True).first()
        if municipality is None:
            raise CommandError(f"Fant ingen gjeldende kommune med nummer {options['municipality']}.")
        created = 0
        for kind, start, end, reason, description in DEMO_DAYS:
            _row, was_created = ClosingDay.objects.get_or_create(
                municipality=municipality,
                unit_kind=kind,
                start_date=start,
                reason=reason,
                defaults={"end_date": end, "description": description},
            )
            created += int(was_created)
        self.stdout.write(
            f"Stengte dager for {municipality.name}: {created} nye, {len(DEMO_DAYS) - created} fantes fra før."
        )
