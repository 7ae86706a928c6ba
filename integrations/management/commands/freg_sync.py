"""Read Folkeregisteret's event feed once, from the stored cursor to the head."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from integrations.freg.sync import freg_sync_feed_locked


class Command(BaseCommand):
    help = "Synkroniser hendelser fra Folkeregisteret én gang (fortsetter fra lagret sekvensnummer)."

    def handle(self, *args: Any, **options: Any) -> None:
        run = freg_sync_feed_locked()
        if run is None:
            self.stdout.write("En annen synkronisering kjører allerede.")
            return
        self.stdout.write(f"{run.status}: {run.counts} (sekvensnummer {run.from_sequence}–{run.to_sequence})")
        if run.error:
            raise CommandError(run.error)
