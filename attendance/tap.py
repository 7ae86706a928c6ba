"""The krysseliste's tap with a tap token: ``POST /api/v1/attendance/check`` with ``Authorization: Bearer <token>``.

``respond`` answers the route when the request carries a bearer token (``oas.lean.TOKEN_ROUTES``): in production
the WSGI dispatcher of ``oas/wsgi.py`` calls it outside Django's request cycle (with Django's request signals, so
database connections are checked and recycled as for any request); behind Django's handler (the test client, a
live test server) ``oas.lean.TokenRouteMiddleware``, first in the middleware, does. A tap with a session instead
goes through Django's handlers as before. ``respond`` does what the middleware does for a request, but only what
a tap needs, and nothing that needs a session:

- the host is checked against ``ALLOWED_HOSTS``, and ``SecurityMiddleware`` redirects plain HTTP and sets its
  headers, as on every page;
- deny by default: without a valid tap token (``attendance.tokens``) the answer is 401 with
  ``WWW-Authenticate: Bearer``; the token's grant covers one unit, whose access the access layer decided when
  it issued the token, and the tap statement checks that the grant still holds;
- the audit context is the grant's (the staff member, acting role and session of the page that got the token)
  with this request's address and path, so the tap's audit row is the same as with the session;
- messages in the language of the page that got the token.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.middleware.security import SecurityMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from attendance import api, services
from attendance.tokens import TAP_TOKEN_PREFIX, TapTokenRejected, tap_token_verify
from oas import clock
from oas.audit import context
from oas.db import idempotent_on_fresh_connection
from oas.errors import DomainError, ValidationError

logger = logging.getLogger("django.request")

_security = SecurityMiddleware(lambda request: HttpResponse())


def _error(exc: DomainError) -> HttpResponse:
    response = HttpResponse(
        json.dumps(exc.as_dict(), separators=(",", ":")), content_type="application/json", status=exc.http_status
    )
    if isinstance(exc, TapTokenRejected):
        response["WWW-Authenticate"] = f'Bearer error="invalid_token", error_description="{exc.code}"'
    return response


def _tap(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _error(ValidationError(_("Bruk POST."), code="method_not_allowed"))
    header = request.META.get("HTTP_AUTHORIZATION", "")
    try:
        grant = tap_token_verify(token=header[len(TAP_TOKEN_PREFIX) :].strip(), today=clock.today())
    except TapTokenRejected as exc:
        return _error(exc)
    with translation.override(grant.language or settings.LANGUAGE_CODE):
        audit = context.set_current(
            context.RequestContext(
                user_id=grant.user_id,
                actor_display=grant.actor_display,
                acting_role=grant.acting_role,
                ip=str(request.META.get("REMOTE_ADDR", "")),
                session_ref=grant.session_ref,
                path=request.path[:500],
                method="POST",
            )
        )
        try:
            data = json.loads(request.body)
            fields = api.check_input(data)
            # Idempotent by its key: no health check round trip first, one retry on a broken connection instead.
            result = idempotent_on_fresh_connection(lambda: services.attendance_check_granted(grant=grant, **fields))
        except ValueError:
            return _error(ValidationError(_("Ugyldig JSON i forespørselen."), code="parse_error"))
        except DomainError as exc:
            return _error(exc)
        finally:
            context.reset(audit)
        status, body = api.check_output(result)
        return HttpResponse(json.dumps(body, separators=(",", ":")), content_type="application/json", status=status)


def respond(request: HttpRequest) -> HttpResponse:
    """Answer a tap with a bearer token (``oas.lean.TOKEN_ROUTES``: the WSGI dispatcher, or the middleware)."""
    try:
        request.get_host()  # ALLOWED_HOSTS
        redirect = _security.process_request(request)
        if redirect is not None:
            return redirect
        response = _tap(request)
    except (DisallowedHost, RequestDataTooBig) as exc:
        response = _error(ValidationError(str(exc), code="bad_request"))
    except Exception:
        logger.exception("Internal Server Error: %s", request.path)
        error = {"message": _("Noe gikk galt. Registreringen er ikke lagret."), "code": "server_error", "fields": {}}
        response = HttpResponse(json.dumps(error), content_type="application/json", status=500)
    response["Cache-Control"] = "no-store"
    return _security.process_response(request, response)
