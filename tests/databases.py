"""Helpers for the test databases."""

from __future__ import annotations


def other_sessions_end() -> None:
    """End the default database's other sessions (live-server and worker threads' pooled connections) so that
    it can be dropped."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")  # the app's role may not signal the owner's sessions
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
