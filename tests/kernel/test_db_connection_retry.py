"""oas.db.idempotent_on_fresh_connection: no health check round trip, one retry on a broken reused connection."""

from __future__ import annotations

from typing import Any
from unittest import mock

import psycopg
import pytest
from django.db import InterfaceError, OperationalError, connections

from oas.db import idempotent_on_fresh_connection, prepared_cursor


def _kill_backend(pid: int) -> None:
    params = connections["default"].get_connection_params()
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def _select_one(calls: list[int]) -> int:
    calls.append(1)
    with prepared_cursor() as cursor:
        cursor.execute("SELECT 1")
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.django_db(transaction=True)
def test_an_idempotent_call_skips_the_health_check_and_runs_again_on_a_new_connection_when_the_old_one_broke() -> None:
    db: Any = connections["default"]
    db.ensure_connection()
    assert db.health_check_enabled
    db.health_check_done = False  # as at the start of a request on a reused connection
    pid = db.connection.info.backend_pid
    _kill_backend(pid)  # PostgreSQL restarted, or a pooler dropped the connection
    calls: list[int] = []
    with mock.patch.object(db, "is_usable", wraps=db.is_usable) as health_check:
        assert idempotent_on_fresh_connection(lambda: _select_one(calls)) == 1
    assert health_check.call_count == 0  # no SELECT 1 round trip before the call
    assert len(calls) == 2  # the first try failed on the dead connection; the second ran on a new one
    assert db.connection.info.backend_pid != pid


@pytest.mark.django_db(transaction=True)
def test_an_error_on_a_connection_already_checked_is_not_retried() -> None:
    db: Any = connections["default"]
    db.ensure_connection()
    db.health_check_done = True  # checked in this request already: an error is the call's own
    _kill_backend(db.connection.info.backend_pid)
    calls: list[int] = []
    with pytest.raises((OperationalError, InterfaceError)):
        idempotent_on_fresh_connection(lambda: _select_one(calls))
    assert len(calls) == 1
    db.close()
