"""oas.db.pipelined_fetchone: statements in one transaction and one round trip; all or nothing. And
idempotent_on_fresh_connection: no health check round trip, one retry on a broken reused connection."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import psycopg
import pytest
from django.db import IntegrityError, InterfaceError, OperationalError, connection, connections

from oas.db import idempotent_on_fresh_connection, pipelined_fetchone, prepared_cursor

CREATE = "CREATE TABLE IF NOT EXISTS pipeline_probe (id integer PRIMARY KEY)"
INSERT = "INSERT INTO pipeline_probe (id) VALUES (%(id)s::integer) RETURNING id"


@pytest.fixture
def probe_table() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute(CREATE)
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pipeline_probe")


def _ids() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM pipeline_probe ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_each_statement_s_first_row_and_both_committed(probe_table: None) -> None:
    rows = pipelined_fetchone(statements=[(INSERT, {"id": 1}), (INSERT, {"id": 2})])
    assert rows == [(1,), (2,)]
    assert connection.connection.info.transaction_status == 0  # IDLE: committed, no transaction left open
    assert _ids() == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_an_error_in_a_later_statement_rolls_back_the_earlier_one_and_the_connection_stays_usable(
    probe_table: None,
) -> None:
    with pytest.raises(IntegrityError):
        pipelined_fetchone(statements=[(INSERT, {"id": 3}), (INSERT, {"id": 3})])
    assert _ids() == []  # the first insert went with the second
    assert pipelined_fetchone(statements=[(INSERT, {"id": 4})]) == [(4,)]
    assert _ids() == [4]


@pytest.mark.django_db
def test_inside_a_caller_s_transaction_it_runs_in_a_savepoint(probe_table: None) -> None:
    with pytest.raises(IntegrityError):
        pipelined_fetchone(statements=[(INSERT, {"id": 5}), (INSERT, {"id": 5})])
    assert pipelined_fetchone(statements=[(INSERT, {"id": 6})]) == [(6,)]
    assert _ids() == [6]  # the failed pair was rolled back to its savepoint; the test's transaction goes on


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
