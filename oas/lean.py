"""A lean Django handler for a few hot API endpoints (the krysseliste's check-in tap), and the WSGI dispatcher.

The tablet taps all day, and on a small server every millisecond of CPU per request is queueing for the next
tap. ``oas/wsgi.py`` sends exactly the routes in ``LEAN_ROUTES`` (method and path) to ``LeanHandler`` and
everything else to Django's ordinary handler. The lean handler is Django's own ``WSGIHandler`` with:

- the project's middleware (``settings.MIDDLEWARE``, in order) minus ``LEAN_SKIPPED_MIDDLEWARE``: static files
  and flash messages, which these endpoints never use. Everything else stays, and a middleware added to the
  settings later is added here too: security headers, sessions, locale, ``CommonMiddleware`` (ALLOWED_HOSTS),
  CSRF, authentication (with the session auth hash check), the audit request context and deny-by-default
  access (``AccessMiddleware``);
- a tiny urlconf (``oas.lean_urls``) of plain Django views instead of DRF; each route is also in
  ``oas.urls`` (DRF views there document it in the OpenAPI schema and answer other methods).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest
from django.urls import ResolverMatch, get_resolver
from django.utils.module_loading import import_string

LEAN_URLCONF = "oas.lean_urls"
# (REQUEST_METHOD, PATH_INFO) served by the lean handler; each path must resolve in both urlconfs (tested).
LEAN_ROUTES: frozenset[tuple[str, str]] = frozenset({("POST", "/api/v1/attendance/check")})
LEAN_SKIPPED_MIDDLEWARE = frozenset(
    {
        "whitenoise.middleware.WhiteNoiseMiddleware",  # static files only
        "django.contrib.messages.middleware.MessageMiddleware",  # flash messages of pages
    }
)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def lean_middleware() -> list[str]:
    """The middleware of the lean handler: the project's, in order, minus the skipped ones."""
    return [path for path in settings.MIDDLEWARE if path not in LEAN_SKIPPED_MIDDLEWARE]


class LeanHandler(WSGIHandler):
    """Django's WSGI handler with ``lean_middleware()`` and the ``oas.lean_urls`` urlconf (sync only)."""

    urlconf = LEAN_URLCONF

    def load_middleware(self, is_async: bool = False) -> None:
        # As BaseHandler.load_middleware, for a sync handler and our list instead of settings.MIDDLEWARE.
        if is_async:
            raise NotImplementedError("the lean handler is WSGI only")
        self._view_middleware: list[Any] = []
        self._template_response_middleware: list[Any] = []
        self._exception_middleware: list[Any] = []
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        for middleware_path in reversed(lean_middleware()):
            middleware = import_string(middleware_path)
            try:
                instance = middleware(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler

    def resolve_request(self, request: HttpRequest) -> ResolverMatch:
        # The lean urlconf resolves the view; reverse() keeps using ROOT_URLCONF.
        match = get_resolver(self.urlconf).resolve(request.path_info)
        request.resolver_match = match
        return match


class Dispatcher:
    """WSGI application: ``routes`` to ``lean``, everything else to ``full``."""

    def __init__(self, *, full: WSGIApp, lean: WSGIApp, routes: frozenset[tuple[str, str]] = LEAN_ROUTES):
        self.full = full
        self.lean = lean
        self.routes = routes

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if (environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")) in self.routes:
            return self.lean(environ, start_response)
        return self.full(environ, start_response)
