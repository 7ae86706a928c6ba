"""The admission lottery: a recorded seed turns into a fixed draw, so anyone can re-run it."""

from __future__ import annotations

import hashlib


def lottery_number(*, seed: str, key: str | int) -> int:
    """Return the lottery number of ``key`` (an application id) under ``seed``: same seed, same draw."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{key}".encode()).digest()[:8], "big")
