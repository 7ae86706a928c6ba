"""Create the default position-code → role mapping (idempotent). Called by seed_demo and test fixtures."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from oas.access.services import role_mapping_seed, roles_recompute_all


class Command(BaseCommand):
    help = "Opprett standard rollekoblinger (stillingskode → rolle). Kan kjøres flere ganger."

    def handle(self, *args: Any, **options: Any) -> None:
        created = role_mapping_seed()
        written = roles_recompute_all()
        self.stdout.write(f"rollekoblinger opprettet: {created}; rolletildelinger skrevet: {written}")
