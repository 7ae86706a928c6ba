"""The check-in tap is lean (a few queries, no session write) yet still authorised and audit-logged."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from attendance.models import AttendanceEvent, MissingArrival
from oas import clock
from oas.audit.models import AuditEvent

from .conftest import Town

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/attendance/check"


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _tap(client: Client, unit: int, child: int, kind: str, key: str) -> object:
    return client.post(
        CHECK, {"unit_id": unit, "child_id": child, "kind": kind, "key": key}, content_type="application/json"
    )


def test_a_check_in_costs_at_most_seven_queries_and_writes_its_audit_row(
    town: Town, django_assert_max_num_queries: object
) -> None:
    client = _client(town.users["dept_staff"])
    d1, small = town.units["D1"].pk, town.children["small"].pk
    # user, principal (account + roles + grants), BEGIN, decision, insert, audit row, COMMIT
    with django_assert_max_num_queries(7):  # type: ignore[operator]
        response = _tap(client, d1, small, "in", "lean-1")
    assert response.status_code == 201  # type: ignore[attr-defined]
    event = AttendanceEvent.objects.get(key="lean-1")
    audit = AuditEvent.objects.get(event="attendance.check_in")
    assert audit.person_ids == [small]
    assert audit.object_id == str(event.pk)


def test_a_check_in_does_not_write_the_session(town: Town) -> None:
    client = _client(town.users["dept_staff"])
    d1, small = town.units["D1"].pk, town.children["small"].pk
    with CaptureQueriesContext(connection) as queries:
        response = _tap(client, d1, small, "in", "lean-2")
    assert response.status_code == 201  # type: ignore[attr-defined]
    assert not any("django_session" in q["sql"] for q in queries.captured_queries)
    assert "sessionid" not in response.cookies  # type: ignore[attr-defined]


def test_arrival_resolves_the_missing_arrival_alert_in_the_same_statement(town: Town) -> None:
    client = _client(town.users["dept_staff"])
    d1, small = town.units["D1"].pk, town.children["small"].pk
    MissingArrival.objects.create(child_id=small, unit=town.units["K1"], day=clock.today(), created_at=clock.now())
    assert _tap(client, d1, small, "in", "lean-3").status_code == 201  # type: ignore[attr-defined]
    assert MissingArrival.objects.get().resolved_at is not None


def test_check_out_leaves_the_missing_arrival_alert_alone(town: Town) -> None:
    client = _client(town.users["dept_staff"])
    d1, small = town.units["D1"].pk, town.children["small"].pk
    _tap(client, d1, small, "in", "lean-4")
    MissingArrival.objects.create(child_id=small, unit=town.units["K1"], day=clock.today(), created_at=clock.now())
    assert _tap(client, d1, small, "out", "lean-5").status_code == 201  # type: ignore[attr-defined]
    assert MissingArrival.objects.get().resolved_at is None


def test_a_replayed_key_returns_the_first_tap_without_a_new_audit_row(town: Town) -> None:
    client = _client(town.users["dept_staff"])
    d1, small = town.units["D1"].pk, town.children["small"].pk
    first = _tap(client, d1, small, "in", "lean-6").json()  # type: ignore[attr-defined]
    _tap(client, d1, small, "out", "lean-7")
    replay = _tap(client, d1, small, "in", "lean-6")
    assert replay.status_code == 200  # type: ignore[attr-defined]
    assert replay.json()["at"] == first["at"]  # type: ignore[attr-defined]
    assert replay.json()["kind"] == "in"  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(event__startswith="attendance.check_").count() == 2


def test_staff_of_another_unit_replaying_someone_elses_key_is_refused_and_logged(town: Town) -> None:
    _tap(_client(town.users["dept_staff"]), town.units["D1"].pk, town.children["small"].pk, "in", "lean-8")
    response = _tap(
        _client(town.users["other_unit_staff"]), town.units["D1"].pk, town.children["small"].pk, "in", "lean-8"
    )
    assert response.status_code == 404  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(event="attendance.checkin.denied").exists()


def test_the_tap_statement_is_prepared_on_the_server_and_reused(town: Town) -> None:
    # Django connects with prepare_threshold=None, under which psycopg prepares nothing (oas/db.py sets it).
    client = _client(town.users["dept_staff"])
    d1, small = town.units["D1"].pk, town.children["small"].pk
    for i, kind in enumerate(["in", "out"]):
        assert _tap(client, d1, small, kind, f"prep-{i}").status_code == 201  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared = [row[0] for row in cursor.fetchall()]
    # The tap is one statement (the database function of attendance migration 0004), prepared once.
    assert sum("attendance_check_tap(" in statement for statement in prepared) == 1, prepared
