"""Load the municipality's children 0–16 and their related adults from Folkeregisteret (once)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.freg.client import get_freg_client
from integrations.freg.sync import freg_initial_load


class Command(BaseCommand):
    help = "Første innlasting fra Folkeregisteret: tilpasset uttrekk (barn 0–16) og bulkoppslag."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kommune", default=settings.FREG_MUNICIPALITY_NUMBER, help="bostedskommunenummer")

    def handle(self, *args: Any, **options: Any) -> None:
        run = freg_initial_load(client=get_freg_client(), municipality_number=options["kommune"])
        self.stdout.write(f"{run.status}: {run.counts} (sekvensnummer {run.to_sequence})")
        if run.error:
            raise CommandError(run.error)
