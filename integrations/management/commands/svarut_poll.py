"""``manage.py svarut_poll``: ask SvarUt once for the status of every letter not yet in a terminal state."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from integrations.letters.services import letters_poll_statuses


class Command(BaseCommand):
    help = "Hent status fra SvarUt for sendte brev (én runde)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = letters_poll_statuses()
        self.stdout.write(f"Spurt: {result.polled}, endret: {result.changed}, ferdige: {result.finished}")
        if result.errors:
            raise CommandError("SvarUt svarte med feil: " + "; ".join(result.errors))
