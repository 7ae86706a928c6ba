"""Demo: an open SFO admission round for next school year in each demo municipality (idempotent).

`make up` runs it after seeding, so a guardian can apply for SFO at once and the office has a round
to work in (100 places per SFO).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from oas import clock
from oas.organisation.models import Municipality, OrgUnit, OrgUnitKind
from sfo.models import SfoRound
from sfo.services import sfo_capacity_set, sfo_round_create


class Command(BaseCommand):
    help = "Open an SFO admission round for next school year in each municipality with SFOs."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        today = clock.today()
        year = today.year if today.month < 8 else today.year + 1
        start = dt.date(year, 8, 15)
        deadline = dt.date(year, 3, 1) if today < dt.date(year, 3, 1) else start - dt.timedelta(days=30)
        for municipality in Municipality.objects.filter(
            pk__in=OrgUnit.objects.filter(kind=OrgUnitKind.SFO).values("municipality_id"), valid_to__isnull=True
        ):
            code = f"sfo-{municipality.number}-{year}"
            if SfoRound.objects.filter(code=code).exists():
                continue
            sfo_round = sfo_round_create(
                municipality=municipality,
                code=code,
                name=f"SFO-opptak {year}/{(year + 1) % 100:02d} – {municipality.name}",
                application_deadline=deadline,
                start_date=start,
            )
            for unit in OrgUnit.objects.filter(municipality=municipality, kind=OrgUnitKind.SFO):
                sfo_capacity_set(sfo_round=sfo_round, unit=unit, capacity=100)
            self.stdout.write(f"{sfo_round.name}: åpent for søknader")
