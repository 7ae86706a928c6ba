"""The access epoch: a number that changes whenever data a staff principal is built from changes.

``oas.access.principal`` reuses a staff member's principal (account, roles, grants) across requests while the
epoch is unchanged. Statement-level triggers (so bulk updates, cascades and raw SQL count too) set it to the
next value of a sequence in the same transaction as the change: a rolled-back change never leaves a value that
could be reused, and a principal loaded after reading the epoch is never older than that epoch.
"""

from django.db import migrations

TABLES = ["identity_account", "access_roleassignment", "access_accessgrant", "organisation_orgunit"]

FORWARD = [
    "CREATE SEQUENCE access_epoch_seq",
    "CREATE TABLE access_epoch (id smallint PRIMARY KEY CHECK (id = 1), value bigint NOT NULL)",
    "INSERT INTO access_epoch (id, value) VALUES (1, nextval('access_epoch_seq'))",
    """
    CREATE FUNCTION access_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE access_epoch SET value = nextval('access_epoch_seq') WHERE id = 1;
        RETURN NULL;
    END
    $$
    """,
    *(
        f"CREATE TRIGGER access_epoch_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION access_epoch_bump()"
        for table in TABLES
    ),
]
BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS access_epoch_bump ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS access_epoch_bump()",
    "DROP TABLE IF EXISTS access_epoch",
    "DROP SEQUENCE IF EXISTS access_epoch_seq",
]


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_roles_grants"),
        ("identity", "0002_initial"),
        ("organisation", "0002_orgunit_former_municipality"),
    ]

    operations = [migrations.RunSQL(sql=FORWARD, reverse_sql=BACKWARD)]
