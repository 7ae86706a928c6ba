"""Give Demo skole (or every school with ``--all``) a generated, published timetable for the school year.

Idempotent: a school that already has the year's timetable is left alone. ``make up`` runs it after
``seed_school_demo``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from oas import clock
from oas.demo_personas import DEMO_SCHOOL_CODE
from oas.organisation.models import OrgUnit, OrgUnitKind
from timetable.demo import demo_timetable_publish


class Command(BaseCommand):
    help = "Lag og publiser en generert timeplan for Demo skole (kan kjøres flere ganger)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Alle skoler, ikke bare Demo skole.")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--seconds", type=int, default=10, help="Tidsgrense per skole.")

    def handle(self, *args: Any, **options: Any) -> None:
        schools = OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL).order_by("code")
        if not options["all"]:
            schools = schools.filter(code=DEMO_SCHOOL_CODE)
        today = clock.today()
        for school in schools:
            version = demo_timetable_publish(school=school, day=today, seed=options["seed"], seconds=options["seconds"])
            lessons = version.lessons.count()
            self.stdout.write(f"{school.name}: {version.name} ({version.get_status_display()}), {lessons} timer")
