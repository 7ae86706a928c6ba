"""Content-Security-Policy on every response (Django 5.2 has none built in).

Pages load scripts only from this origin (htmx and our own files under /static/; no template has an inline
script or an ``on…=`` handler, and none may get one). Styles allow inline ``style`` attributes and ``<style>``
blocks, which several pages and htmx's indicator styles use. No framing (as X-Frame-Options: DENY), no plugins,
no foreign ``<base>``. ``CONTENT_SECURITY_POLICY`` overrides the whole policy; empty turns the header off.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

DEFAULT_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
