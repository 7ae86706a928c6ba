"""The application's database role (``DATABASE_APP_ROLE``, see ``oas/db_roles.py``).

Created if missing (NOLOGIN: the application's login switches to it with SET ROLE; in production a DBA may
give it LOGIN and a password and use it in DATABASE_URL). It may read and write every table, now and those
that later migrations create (default privileges of the owner that runs migrations), but it owns none, so it
cannot ALTER, DROP or disable a trigger; and on the audit log it may only SELECT and INSERT.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import migrations

AUDIT_TABLE = "audit_auditevent"


def _role() -> str:
    return str(getattr(settings, "DATABASE_APP_ROLE", "") or "")


def grant(apps: Any, schema_editor: Any) -> None:
    role = _role()
    if not role:
        return
    quoted = schema_editor.quote_name(role)
    literal = role.replace("'", "''")
    statements = [
        # Roles are per cluster: several databases (and concurrent test runs) may create it at once.
        f"""DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{literal}') THEN
                  CREATE ROLE {quoted} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
              END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$""",
        # A non-superuser owner must be a member to SET ROLE to it (a superuser may anyway).
        f"""DO $$ BEGIN
              IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                 AND NOT pg_has_role(current_user, '{literal}', 'MEMBER') THEN
                  EXECUTE 'GRANT {quoted} TO ' || quote_ident(current_user);
              END IF;
            END $$""",
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {quoted}",
        # The audit log: read and append only, for the application role and anyone else but its owner.
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {AUDIT_TABLE} FROM PUBLIC",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {AUDIT_TABLE} FROM {quoted}",
    ]
    for statement in statements:
        schema_editor.execute(statement)


def revoke(apps: Any, schema_editor: Any) -> None:
    role = _role()
    if not role:
        return
    quoted = schema_editor.quote_name(role)
    for statement in (
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM {quoted}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {quoted}",
        f"REVOKE USAGE ON SCHEMA public FROM {quoted}",
    ):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_auditevent_logout_action")]

    operations = [migrations.RunPython(grant, revoke, elidable=False)]
