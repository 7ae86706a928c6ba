"""Queue the differences between the published timetables and the teachers' Office 365 calendars (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from timetable.models import TimetableVersion, VersionStatus
from timetable.office365 import calendar_sync_school


class Command(BaseCommand):
    help = "Queue Office 365 calendar changes for every school with a published timetable (running it again sends nothing new)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--school", type=int, help="Only this school (OrgUnit id).")

    def handle(self, *args: Any, **options: Any) -> None:
        schools = TimetableVersion.objects.filter(status=VersionStatus.PUBLISHED).values_list("school_id", flat=True)
        if options.get("school"):
            schools = schools.filter(school_id=options["school"])
        for school_id in sorted(set(schools)):
            with transaction.atomic():
                result = calendar_sync_school(school_id=school_id)
            self.stdout.write(
                f"{school_id}: {result.created} nye, {result.updated} endret, {result.deleted} slettet, "
                f"{result.unchanged} uendret; uten Microsoft-konto: {', '.join(result.skipped_teachers) or '–'}"
            )
