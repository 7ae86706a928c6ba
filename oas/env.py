"""Typed helpers for reading settings from the environment.

Every secret may also be given as ``<NAME>_FILE`` pointing at a file that holds it (Docker/Kubernetes
secrets); the file wins over the plain variable so that secrets never have to sit in the process
environment.
"""

from __future__ import annotations

import os
from pathlib import Path


class ConfigurationError(RuntimeError):
    """A required setting is missing or malformed."""


def env_str(name: str, default: str | None = None) -> str | None:
    """Return the variable, or the content of the file named by ``<name>_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigurationError(f"{name}_FILE={file_name} cannot be read: {exc.strerror}") from exc
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value


def env_required(name: str) -> str:
    """Return the variable or stop with a message naming it."""
    value = env_str(name)
    if value is None:
        raise ConfigurationError(f"The setting {name} (or {name}_FILE) is required but not set.")
    return value


def env_bool(name: str, *, default: bool) -> bool:
    """Parse yes/no style booleans; anything unknown is an error, not a silent default."""
    raw = env_str(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={raw!r} is not a boolean (use true/false).")


def env_int(name: str, *, default: int) -> int:
    raw = env_str(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name}={raw!r} is not an integer.") from exc


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = env_str(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_mode(name: str, *, default: str = "simulator") -> str:
    """Return ``simulator`` or ``live`` for an integration's ``<SYSTEM>_MODE``."""
    value = (env_str(name, default) or default).lower()
    if value not in {"simulator", "live"}:
        raise ConfigurationError(f"{name}={value!r}: use 'simulator' or 'live'.")
    return value
