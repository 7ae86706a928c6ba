"""Which handler delivers which kind of outbox message."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Delivery:
    """What a handler gets: never the model, so handlers cannot change outbox state behind its back."""

    message_id: int
    kind: str
    payload: dict[str, Any]
    idempotency_key: str
    attempt: int


Handler = Callable[[Delivery], "dict[str, Any] | None"]

_handlers: dict[str, Handler] = {}


def register_handler(kind: str, handler: Handler) -> None:
    """Register ``handler`` for ``kind`` (from an AppConfig.ready); re-registering the same kind replaces it."""
    _handlers[kind] = handler


def get_handler(kind: str) -> Handler | None:
    return _handlers.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_handlers)
