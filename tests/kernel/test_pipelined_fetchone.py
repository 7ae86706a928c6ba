"""oas.db.pipelined_fetchone: statements in one transaction and one round trip; all or nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import IntegrityError, connection

from oas.db import pipelined_fetchone

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
