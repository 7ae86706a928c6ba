"""``DATABASE_URL`` -> Django's ``DATABASES`` entry (production and development alike)."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

from oas.env import ConfigurationError


def database_config(url: str) -> dict[str, Any]:
    """Turn a ``postgres://`` / ``postgresql://`` URL (TCP or ``?host=/socket/dir``) into DATABASES."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ConfigurationError(
            f"DATABASE_URL must be a postgresql:// URL (got scheme {parsed.scheme!r}); SQLite is not supported."
        )
    query = parse_qs(parsed.query)
    host = query.get("host", [parsed.hostname or ""])[0]
    options: dict[str, Any] = {}
    if "sslmode" in query:
        options["sslmode"] = query["sslmode"][0]
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "postgres",
        "USER": unquote(parsed.username or "postgres"),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": host,
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
        "TEST": {"NAME": os.environ.get("OAS_TEST_DATABASE_NAME") or None},
    }
