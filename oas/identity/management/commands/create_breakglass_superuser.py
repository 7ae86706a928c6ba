"""Create the emergency (break-glass) superuser: the only account that may log in with a password."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from oas.errors import DomainError
from oas.identity.services import breakglass_superuser_create


class Command(BaseCommand):
    help = "Create a break-glass superuser for the Django admin and print its generated password once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user, password = breakglass_superuser_create(username=options["username"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Break-glass superuser {user.username} created. Password (shown only now):")
        self.stdout.write(password)
        self.stdout.write("Store it in the municipality's safe. Every login with it is audit-logged.")
