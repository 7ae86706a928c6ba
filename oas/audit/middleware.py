"""Sets the audit request context for the duration of a request."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from oas.audit import context
from oas.client_ip import client_ip


def _client_ip(request: HttpRequest) -> str:
    # X-Forwarded-For counts only from a configured proxy (TRUSTED_PROXIES, oas/client_ip.py).
    return client_ip(request.META)


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session_key = getattr(getattr(request, "session", None), "session_key", None) or ""
        ctx = context.RequestContext(
            user_id=user.pk if user is not None and user.is_authenticated else None,
            actor_display=str(user) if user is not None and user.is_authenticated else "",
            acting_role=str(getattr(request, "acting_role", "") or ""),
            ip=_client_ip(request),
            # Never store the session key itself: a hash is enough to correlate one session's rows.
            session_ref=hashlib.sha256(session_key.encode()).hexdigest()[:16] if session_key else "",
            path=request.path[:500],
            method=request.method or "",
        )
        token = context.set_current(ctx)
        try:
            return self.get_response(request)
        finally:
            context.reset(token)
