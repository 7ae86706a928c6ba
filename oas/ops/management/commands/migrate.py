"""``migrate`` as the tables' owner (``oas.db_roles.owner_connection``); the application runs as its role."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate

from oas.db_roles import owner_connection


class Command(DjangoMigrate):
    def handle(self, *args: Any, **options: Any) -> None:
        with owner_connection(options.get("database") or "default"):
            super().handle(*args, **options)
