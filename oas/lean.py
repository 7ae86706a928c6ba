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

A lean route whose clients send a route-specific bearer token (``TOKEN_ROUTES``: the krysseliste's tap token)
goes to that route's own WSGI application instead, outside Django's request cycle (``attendance/tap.py``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.core.signals import request_finished, request_started
from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch, get_resolver
from django.utils.module_loading import import_string

LEAN_URLCONF = "oas.lean_urls"
# (REQUEST_METHOD, PATH_INFO) served by the lean handler; each path must resolve in both urlconfs (tested).
LEAN_ROUTES: frozenset[tuple[str, str]] = frozenset({("POST", "/api/v1/attendance/check")})
# (REQUEST_METHOD, PATH_INFO) -> the function (dotted path; request -> response) that answers requests with
# ``Authorization: Bearer …`` there: a hot route whose clients hold a route-specific token (the krysseliste's
# tap token, ``attendance.tokens``) is served without Django's request cycle (``TokenRouteApplication``) or, behind
# Django's handler, before the rest of the middleware (``TokenRouteMiddleware``). Without a bearer token the
# route goes to the lean handler as before. The function checks the token itself: deny by default.
TOKEN_ROUTES: dict[tuple[str, str], str] = {("POST", "/api/v1/attendance/check"): "attendance.tap.respond"}
BEARER = "Bearer "
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


Responder = Callable[[HttpRequest], HttpResponse]


@functools.cache
def token_responders() -> dict[tuple[str, str], Responder]:
    """The functions of ``TOKEN_ROUTES``, imported."""
    return {route: import_string(dotted) for route, dotted in TOKEN_ROUTES.items()}


class TokenRouteApplication:
    """WSGI application of a token route's function: Django's request signals around it, and nothing else."""

    def __init__(self, respond: Responder):
        self.respond = respond

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request_started.send(sender=self.__class__, environ=environ)
        try:
            response = self.respond(WSGIRequest(environ))
            content = response.content
            response["Content-Length"] = str(len(content))
            start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
            return [content]
        finally:
            request_finished.send(sender=self.__class__)


def token_applications() -> dict[tuple[str, str], WSGIApp]:
    """The WSGI applications of ``TOKEN_ROUTES`` (for ``Dispatcher``)."""
    return {route: TokenRouteApplication(respond) for route, respond in token_responders().items()}


class TokenRouteMiddleware:
    """Behind Django's handler: a request with a bearer token on a ``TOKEN_ROUTES`` route goes to its function."""

    def __init__(self, get_response: Responder):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.headers.get("Authorization", "").startswith(BEARER):
            respond = token_responders().get((request.method or "", request.path_info))
            if respond is not None:
                return respond(request)
        return self.get_response(request)


class Dispatcher:
    """WSGI application: ``routes`` to ``lean``, a bearer token on a ``token_routes`` route to its application,
    everything else to ``full``."""

    def __init__(
        self,
        *,
        full: WSGIApp,
        lean: WSGIApp,
        routes: frozenset[tuple[str, str]] = LEAN_ROUTES,
        token_routes: dict[tuple[str, str], WSGIApp] | None = None,
    ):
        self.full = full
        self.lean = lean
        self.routes = routes
        self.token_routes = token_routes or {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        route = (environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
        if route in self.routes:
            if route in self.token_routes and environ.get("HTTP_AUTHORIZATION", "").startswith(BEARER):
                return self.token_routes[route](environ, start_response)  # type: ignore[index]
            return self.lean(environ, start_response)
        return self.full(environ, start_response)
