"""``manage.py seed_demo``: build the demo municipality (Lillestrøm 3030) from a seed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from devtools.seed import demo_municipality_seed
from oas.errors import DomainError


class Command(BaseCommand):
    help = (
        "Build the demo municipality deterministically (same --seed, same data). Refuses a database that "
        "already holds municipalities, units or people unless --force, which empties them first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2020, help="Random seed (default 2020).")
        parser.add_argument(
            "--size", choices=["full", "small"], default="full", help="full: all of Lillestrøm; small: for tests."
        )
        parser.add_argument(
            "--force", action="store_true", help="Delete existing municipalities, units and people first."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = demo_municipality_seed(seed=options["seed"], size=options["size"], force=options["force"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        counts = ", ".join(f"{key} {value}" for key, value in result.counts.items())
        self.stdout.write(
            f"Seeded demo municipality ({result.size}, seed {result.seed}) in {result.seconds} s: {counts}"
        )
