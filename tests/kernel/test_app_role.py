"""The application runs as a role that neither owns nor may truncate the audit log; migrations run as the owner."""

from __future__ import annotations

import io

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from oas.audit.models import AuditEvent
from oas.audit.services import audit_record
from oas.db_roles import owner_connection

AUDIT = "audit_auditevent"


def _scalar(sql: str, params: list[str] | None = None) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        row = cursor.fetchone()
    assert row is not None
    return row[0]


def _refused(sql: str, match: str) -> None:
    with pytest.raises(Exception, match=match), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


@pytest.mark.django_db
def test_the_application_role_owns_nothing_and_may_only_read_and_append_the_audit_log(demo_municipality) -> None:
    role = settings.DATABASE_APP_ROLE
    assert role
    assert _scalar("SELECT current_user") == role
    assert _scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user") is False
    assert _scalar("SELECT tableowner FROM pg_tables WHERE tablename = %s", [AUDIT]) != role
    assert _scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user") == 0
    event = audit_record(action="read", event="child.read", person_ids=[1])  # INSERT and SELECT work
    before = AuditEvent.objects.count()
    assert before > 1  # the demo data's own audit rows are there too

    _refused(f"TRUNCATE {AUDIT}", "permission denied")
    _refused(f"ALTER TABLE {AUDIT} DISABLE TRIGGER ALL", "must be owner")
    _refused(f"ALTER TABLE {AUDIT} DISABLE TRIGGER audit_auditevent_no_update_delete", "must be owner")
    _refused(f"DROP TRIGGER audit_auditevent_no_update_delete ON {AUDIT}", "must be owner")
    _refused(f"UPDATE {AUDIT} SET event = 'x' WHERE id = {int(event.pk)}", "permission denied")  # noqa: S608
    _refused(f"DELETE FROM {AUDIT} WHERE id = {int(event.pk)}", "permission denied")  # noqa: S608
    _refused(f"TRUNCATE {AUDIT} CASCADE", "permission denied")
    assert AuditEvent.objects.count() == before
    assert AuditEvent.objects.get(pk=event.pk).event == "child.read"
    # Other tables stay writable for the application (the ORM's ordinary UPDATE/DELETE).
    assert _scalar("SELECT has_table_privilege(current_user, 'people_person', 'UPDATE, DELETE')") is True


@pytest.mark.django_db(transaction=True)
def test_migrations_run_as_the_owner_and_the_application_role_comes_back_after_them() -> None:
    role = settings.DATABASE_APP_ROLE
    owner = _scalar("SELECT tableowner FROM pg_tables WHERE tablename = %s", [AUDIT])
    with owner_connection():
        assert _scalar("SELECT current_user") == owner
    assert _scalar("SELECT current_user") == role

    # Unapply and reapply the role's own migration, then another app's: migrate works although the app can't DDL.
    call_command("migrate", "audit", "0003_auditevent_logout_action", stdout=io.StringIO(), verbosity=0)
    call_command("migrate", "audit", stdout=io.StringIO(), verbosity=0)
    assert _scalar("SELECT current_user") == role
    _refused(f"TRUNCATE {AUDIT}", "permission denied")
    assert _scalar("SELECT has_table_privilege(current_user, 'people_person', 'INSERT')") is True

    # The owner itself still meets the append-only trigger (defence in depth).
    audit_record(action="read", event="child.read", person_ids=[1])
    params = connection.get_connection_params()
    params.pop("pool", None)
    with psycopg.connect(**params, autocommit=True) as as_owner, pytest.raises(psycopg.Error, match="append-only"):
        as_owner.execute(f"UPDATE {AUDIT} SET event = 'x'")  # noqa: S608 - a fixed table name
