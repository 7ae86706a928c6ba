"""Reuse the one-persona-per-role municipality from tests/access."""

from tests.access.conftest import World, world

__all__ = ["World", "world"]
