"""The application runs as a database role that neither owns a table nor may rewrite the audit log.

The tables belong to the role that runs the migrations (the owner). Every connection of the running
application switches to ``DATABASE_APP_ROLE`` (``SET ROLE``, once per physical connection) unless the URL's
user already is that role. That role may read and write the tables, but not own them: ``ALTER TABLE``
(dropping or disabling the audit log's append-only trigger) is refused, and on ``audit_auditevent`` it has
neither ``UPDATE``, ``DELETE`` nor ``TRUNCATE`` (``oas/audit/migrations/0004_application_role.py``).

Schema changes run as the owner: ``migrate`` and ``flush`` (which tests use) run inside ``owner_connection()``
(``oas/ops/management/commands``), with the credentials of ``DATABASE_MIGRATE_URL`` when the application's
``DATABASE_URL`` logs in as the application role itself (production), or else on the same login without the
role switch (development, where ``make up`` connects as ``postgres``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created

_owner = threading.local()
_MARK = "_oas_role"


def app_role() -> str:
    return str(getattr(settings, "DATABASE_APP_ROLE", "") or "")


def in_owner_mode() -> bool:
    return bool(getattr(_owner, "depth", 0))


def _switch_role(sender: Any, connection: Any, **_kwargs: Any) -> None:
    """``connection_created`` receiver: the application's connections act as the application role."""
    role = app_role()
    if connection.alias != DEFAULT_DB_ALIAS or not role or in_owner_mode():
        return
    raw = connection.connection
    if getattr(raw, _MARK, None) == role:  # a pooled connection switched before
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {connection.ops.quote_name(role)}")
    setattr(raw, _MARK, role)


def install() -> None:
    connection_created.connect(_switch_role, dispatch_uid="oas.db_roles.switch_role")


def _drop_connections(alias: str) -> None:
    db: Any = connections[alias]
    db.close()
    if getattr(db, "pool", None) is not None:
        db.close_pool()


@contextlib.contextmanager
def owner_connection(alias: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Run the block on connections as the tables' owner (migrations, flush); the application role after it."""
    from oas.database_url import database_config

    if in_owner_mode():
        _owner.depth += 1
        try:
            yield
        finally:
            _owner.depth -= 1
        return
    db: Any = connections[alias]
    saved = {key: db.settings_dict.get(key) for key in ("USER", "PASSWORD", "HOST", "PORT")}
    migrate_url = str(getattr(settings, "DATABASE_MIGRATE_URL", "") or "")
    _drop_connections(alias)
    _owner.depth = 1
    try:
        if migrate_url:
            owner = database_config(migrate_url)
            db.settings_dict.update({key: owner[key] for key in saved})
        yield
    finally:
        _drop_connections(alias)  # nothing opened as the owner is lent to the application afterwards
        db.settings_dict.update(saved)
        _owner.depth = 0
