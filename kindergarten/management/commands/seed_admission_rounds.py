"""Demo: an open continuous kindergarten admission round in each demo municipality (idempotent).

`make up` runs it after seeding, so a guardian can apply for a kindergarten place at once and the
admission office has a round to work in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from kindergarten.models import AdmissionRound, RoundKind, RoundState
from kindergarten.services import admission_round_create, admission_round_set_state
from oas import clock
from oas.organisation.models import Municipality, OrgUnit, OrgUnitKind


def _first_of_next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


class Command(BaseCommand):
    help = "Open a continuous kindergarten admission round (løpende opptak) in each municipality with kindergartens."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        today = clock.today()
        start = _first_of_next_month(today)
        with_kindergartens = OrgUnit.objects.filter(kind=OrgUnitKind.KINDERGARTEN).values("municipality_id")
        for municipality in Municipality.objects.filter(pk__in=with_kindergartens, valid_to__isnull=True):
            code = f"lopende-{municipality.number}-{start:%Y-%m}"
            if AdmissionRound.objects.filter(code=code).exists():
                continue
            admission_round = admission_round_create(
                municipality=municipality,
                code=code,
                name=f"Løpende opptak {start:%m.%Y} – {municipality.name}",
                kind=RoundKind.CONTINUOUS,
                application_deadline=start - dt.timedelta(days=1),
                start_date=start,
            )
            admission_round_set_state(admission_round=admission_round, state=RoundState.OPEN)
            self.stdout.write(f"{admission_round.name}: åpent for søknader")
