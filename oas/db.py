"""Cursors for a few fixed statements on hot paths: server-side binding, prepared once per connection.

Django's PostgreSQL cursors bind parameters on the client (psycopg's ``ClientCursor``: every parameter is
rendered into the SQL text) and never prepare, so PostgreSQL parses and plans each statement every time. For a
fixed statement run on every request (the session's user, the check-in tap) ``prepared_cursor`` returns a
Django cursor (query logging, error wrapping) over a psycopg cursor that binds on the server and prepares the
statement on first use on a connection (psycopg keeps up to 100 per connection, LRU). Parameters in a
``SELECT`` list need explicit casts (``%(x)s::bigint``): the server infers their types from the statement.

Django connects with psycopg's ``prepare_threshold=None`` unless ``OPTIONS`` say otherwise, and with it psycopg
prepares nothing, not even with ``prepare=True``: ``prepared_cursor`` sets the connection's threshold to
``PREPARE_THRESHOLD`` when it is None (Django's ORM cursors bind on the client and are never prepared anyway).
``tests/attendance/test_checkin_lean.py`` checks that the tap's statements are in ``pg_prepared_statements``.

Prepared statements need a direct connection to PostgreSQL or a pooler that supports them (PgBouncer >= 1.21
with ``max_prepared_statements``); docker-compose connects directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

# Only statements executed with prepare=True are prepared in practice: ours (see above); a threshold this high
# never prepares anything else automatically.
PREPARE_THRESHOLD = 2**31 - 1
T = TypeVar("T")


class _PreparingCursor(psycopg.Cursor[Any]):
    def execute(
        self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: bool | None = None
    ) -> Any:
        return super().execute(query, params, prepare=True if prepare is None else prepare, binary=binary)


class _PreparedDebugCursor(CursorDebugWrapper):
    """Query logging (DEBUG, ``CaptureQueriesContext``) of the statement's text: psycopg keeps no query on a cursor
    that ran an already prepared statement, where Django's logging would record None."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


def prepared_cursor() -> CursorWrapper:
    """A cursor on the default connection whose statements are bound on the server and prepared (see above)."""
    db = connections[DEFAULT_DB_ALIAS]  # once: every attribute of ``django.db.connection`` is a thread-local lookup
    db.close_if_health_check_failed()
    db.ensure_connection()
    raw_connection = db.connection
    if raw_connection.prepare_threshold is None:  # Django's default: psycopg would prepare nothing at all
        raw_connection.prepare_threshold = PREPARE_THRESHOLD
    with db.wrap_database_errors:
        raw = _PreparingCursor(raw_connection)
    if db.queries_logged:
        return _PreparedDebugCursor(raw, db)
    return db.make_cursor(raw)  # type: ignore[arg-type]


def idempotent_on_fresh_connection(call: Callable[[], T]) -> T:
    """Run ``call`` (an idempotent database operation) without the connection's health check round trip.

    With ``CONN_HEALTH_CHECKS`` Django sends ``SELECT 1`` before the first query of every request on a reused
    connection. For an operation that may simply run again (the check-in tap, idempotent by its key) that round
    trip is skipped: when the reused connection turns out to be broken (PostgreSQL restarted, a pooler dropped
    it), it is closed and ``call`` runs once more on a new connection, which is what the health check would have
    led to. Outside a caller's transaction only.
    """
    db: Any = connections[DEFAULT_DB_ALIAS]  # the health check attributes are not in django-stubs
    unchecked = (
        db.connection is not None and db.health_check_enabled and not db.health_check_done and not db.in_atomic_block
    )
    if unchecked:
        db.health_check_done = True
    try:
        return call()
    except (OperationalError, InterfaceError):
        if not unchecked:
            raise
        db.close()
        return call()
