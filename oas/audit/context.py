"""Per-request context (who, from where, which page) picked up by every audit row."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass, field


@dataclass
class RequestContext:
    user_id: int | None = None
    actor_display: str = ""
    acting_role: str = ""
    ip: str = ""
    session_ref: str = ""
    path: str = ""
    method: str = ""
    extra: dict[str, str] = field(default_factory=dict)


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("oas_request_context", default=None)


def current() -> RequestContext | None:
    return _current.get()


def set_current(ctx: RequestContext | None) -> contextvars.Token[RequestContext | None]:
    return _current.set(ctx)


def reset(token: contextvars.Token[RequestContext | None]) -> None:
    _current.reset(token)
