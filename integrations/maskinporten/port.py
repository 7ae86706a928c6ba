"""The port domain code and live clients depend on: something that hands out Maskinporten access tokens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class TokenProvider(Protocol):
    def token(self, *, scopes: Sequence[str]) -> str:
        """Return a valid access token for ``scopes`` (cached until shortly before it expires)."""
        ...

    def invalidate(self, *, scopes: Sequence[str]) -> None:
        """Forget the cached token for ``scopes`` (the resource server said 401)."""
        ...
