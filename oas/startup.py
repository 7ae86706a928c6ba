"""Preflight: one clear line naming the service and the setting when PostgreSQL or Redis is down."""

from __future__ import annotations

import sys


def preflight() -> None:
    """Stop with a one-line message when the database or Redis cannot be reached."""
    import psycopg
    from django.conf import settings
    from django.db import connection

    try:
        # One direct connection, not through the pool: the pool would retry quietly until its timeout.
        params = connection.get_connection_params()
        params.pop("pool", None)
        psycopg.connect(**params, connect_timeout=5).close()
    except Exception as exc:
        db = settings.DATABASES["default"]
        where = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.stderr.write(f"OAS: cannot reach PostgreSQL at {where} (setting DATABASE_URL): {reason}\n")
        raise SystemExit(2) from None
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.stderr.write(f"OAS: cannot reach Redis at {settings.REDIS_URL} (setting REDIS_URL): {reason}\n")
        raise SystemExit(2) from None
