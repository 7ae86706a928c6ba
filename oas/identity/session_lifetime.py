"""How long a login lasts: staff 12 hours from login; guardians and shared tablets 30 minutes without activity.

Django's default session lived 14 days and an idle session never ended. ``SessionLifetimeMiddleware`` (after
authentication) decides per kind of login:

* **staff** (Entra ID, Feide, break-glass accounts): at most ``SESSION_STAFF_MAX_SECONDS`` (12 h) after login,
  however active — a working day, not a fortnight;
* **guardians** (ID-porten), and a staff session on a **shared tablet** (a session that opened one of
  ``SESSION_SHARED_DEVICE_VIEWS``, the krysseliste): ended after ``SESSION_IDLE_SECONDS`` (30 min) without a
  request; each request moves the end (the cookie and the stored session) forward, at most once a minute.

The deadline is checked on the server on every request (not only by the cookie's expiry): an expired session
is flushed and the request continues as anonymous, so the access layer sends the user to log in. Times are the
wall clock's (``time.time()``, as the session backend's own expiry), not ``oas.clock``: a test that moves the
business date does not age a session.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest, HttpResponse

from oas.identity.login_session import login_info
from oas.identity.providers import GUARDIAN

SESSION_LOGIN_AT = "oas_login_at"
SESSION_LAST_SEEN = "oas_last_seen"
SESSION_SHARED_DEVICE = "oas_shared_device"
# Refresh the idle deadline at most this often (every request would rewrite the session).
REFRESH_EVERY_SECONDS = 60


def session_policy(request: HttpRequest) -> str:
    """``idle`` (guardians, shared tablets) or ``staff``."""
    if request.session.get(SESSION_SHARED_DEVICE) or login_info(request).get("kind") == GUARDIAN:
        return "idle"
    return "staff"


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._enforce(request)
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if (
            response.status_code == 200
            and match is not None
            and match.view_name in settings.SESSION_SHARED_DEVICE_VIEWS
            and user is not None
            and user.is_authenticated
            and not request.session.get(SESSION_SHARED_DEVICE)
        ):
            # A shared tablet from now on: the idle rule applies to this session.
            request.session[SESSION_SHARED_DEVICE] = True
            request.session[SESSION_LAST_SEEN] = time.time()
            request.session.set_expiry(settings.SESSION_IDLE_SECONDS)
        return response

    def _enforce(self, request: HttpRequest) -> None:
        session = request.session
        now = time.time()
        login_at = session.get(SESSION_LOGIN_AT)
        if not isinstance(login_at, int | float):
            session[SESSION_LOGIN_AT] = login_at = now
            session[SESSION_LAST_SEEN] = now
        last_seen = session.get(SESSION_LAST_SEEN)
        last_seen = last_seen if isinstance(last_seen, int | float) else now
        if session_policy(request) == "idle":
            if now - last_seen > settings.SESSION_IDLE_SECONDS:
                auth.logout(request)
                return
            if now - last_seen >= REFRESH_EVERY_SECONDS or session.get_expiry_age() > settings.SESSION_IDLE_SECONDS:
                session[SESSION_LAST_SEEN] = now
                session.set_expiry(settings.SESSION_IDLE_SECONDS)
            return
        ends = login_at + settings.SESSION_STAFF_MAX_SECONDS
        if now >= ends:
            auth.logout(request)
            return
        # The cookie's and the stored session's end follow the login's fixed end (seconds from now: the session
        # backend counts them from its own clock), brought forward at most every few minutes.
        if session.get_expiry_age() > ends - now + 5 * REFRESH_EVERY_SECONDS:
            session.set_expiry(int(ends - now))


def session_mark_login(sender: object, request: HttpRequest | None, **_kwargs: object) -> None:
    """``user_logged_in`` receiver: the login's clock starts now (also for a new login in an old session)."""
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now
