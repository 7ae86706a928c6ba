"""One error shape for the API: ``{"message", "code", "fields"}`` (house style rule 7)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure as django_csrf_failure
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from oas.errors import DomainError, from_django_validation_error


def _flatten(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, msgs in _flatten(value).items():
                    out[f"{key}.{sub}"] = msgs
            elif isinstance(value, list):
                out[str(key)] = [str(v) for v in value]
            else:
                out[str(key)] = [str(value)]
        return out
    return {}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render domain, Django and DRF errors in the one shape."""
    if isinstance(exc, DjangoValidationError):
        exc = from_django_validation_error(exc)
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, Http404):
        return Response({"message": _("Ikke funnet."), "code": "not_found", "fields": {}}, status=404)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        fields = (
            _flatten(exc.detail) if isinstance(exc.detail, dict) else {"non_field_errors": [str(d) for d in exc.detail]}
        )
        first = next(iter(fields.values()), [_("Ugyldige data.")])[0]
        response.data = {"message": first, "code": "invalid", "fields": fields}
    else:
        detail = getattr(exc, "detail", str(exc))
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = {"message": str(detail), "code": str(code), "fields": {}}
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: under ``/api/`` the one error shape (403), elsewhere Django's page."""
    if request.path.startswith("/api/"):
        message = _("CSRF-kontrollen feilet (%(reason)s) Last siden på nytt.") % {"reason": reason}
        return JsonResponse({"message": message, "code": "csrf_failed", "fields": {}}, status=403)
    return django_csrf_failure(request, reason=reason)
