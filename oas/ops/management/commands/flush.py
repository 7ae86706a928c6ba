"""``flush`` (tests between transactional cases) as the tables' owner: the application role may not TRUNCATE
the audit log (``oas.db_roles``)."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush

from oas.db_roles import owner_connection


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        with owner_connection(options.get("database") or "default"):
            super().handle(**options)
