"""Demo: each kindergarten's registered places (godkjente plasser) and an open continuous kindergarten admission
round in each demo municipality, its capacity prefilled from those places (idempotent).

`make up` runs it after seeding, so a guardian can apply for a kindergarten place at once and the
admission office has a round to work in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from kindergarten.models import AdmissionRound, KindergartenUnitDetail, RoundKind, RoundState
from kindergarten.services import admission_round_create, admission_round_set_state, programmes_prefill
from oas import clock
from oas.organisation.models import Municipality, OrgUnit, OrgUnitKind


def _first_of_next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


class Command(BaseCommand):
    help = "Open a continuous kindergarten admission round (løpende opptak) in each municipality with kindergartens."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        # Synthetic but plausible approvals: 9-18 places for 0-2 and 24-54 for 3-5, fixed per unit.
        KindergartenUnitDetail.objects.bulk_create(
            [
                KindergartenUnitDetail(
                    unit_id=unit_id,
                    registered_places_small=9 + 3 * (unit_id % 4),
                    registered_places_big=24 + 6 * (unit_id % 6),
                )
                for unit_id in OrgUnit.objects.filter(
                    kind=OrgUnitKind.KINDERGARTEN, kindergarten_unit_detail__isnull=True
                ).values_list("pk", flat=True)
            ]
        )
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
            programmes_prefill(admission_round=admission_round)
            admission_round_set_state(admission_round=admission_round, state=RoundState.OPEN)
            self.stdout.write(f"{admission_round.name}: åpent for søknader")
