"""Register demo approved places (godkjente plasser) for every kindergarten of a municipality (idempotent).

The leader's snapshot shows free places as approved places less places in use (a child under 3 takes two). A
real municipality enters the approved places in the admin; the demo gets its places in use rounded up to a
whole group of six, plus one more group, so each demo kindergarten has a few free places.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from attendance.models import UnitCapacity
from kindergarten.public import kindergarten_occupancy
from oas import clock
from oas.organisation.models import Municipality, OrgUnit, OrgUnitKind

GROUP = 6


class Command(BaseCommand):
    help = "Register demo approved places for the kindergartens of a municipality (default 3030) that have none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", default="3030", help="Kommunenummer (default 3030 Lillestrøm).")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(number=options["municipality"], valid_to__isnull=True).first()
        if municipality is None:
            raise CommandError(f"Fant ingen gjeldende kommune med nummer {options['municipality']}.")
        today = clock.today()
        units = OrgUnit.objects.filter(municipality=municipality, kind=OrgUnitKind.KINDERGARTEN).exclude(
            attendance_capacity__isnull=False
        )
        created = 0
        for unit in units.order_by("pk"):
            used = kindergarten_occupancy(unit_id=unit.pk, day=today).total.places
            UnitCapacity.objects.create(unit=unit, approved_places=(used + GROUP - 1) // GROUP * GROUP + GROUP)
            created += 1
        self.stdout.write(f"Godkjente plasser for {municipality.name}: {created} barnehager registrert.")
