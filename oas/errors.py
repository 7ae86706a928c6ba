"""Domain errors. Services raise these; one DRF exception handler and one view helper turn them into
the shape ``{"message", "code", "fields"}`` (house style rule 7)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _


class DomainError(Exception):
    """Base class: a business rule refused the request."""

    code = "invalid"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, fields: Mapping[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.fields: dict[str, list[str]] = {k: list(v) for k, v in (fields or {}).items()}

    def as_dict(self) -> dict[str, object]:
        return {"message": self.message, "code": self.code, "fields": self.fields}


class ValidationError(DomainError):
    code = "invalid"
    http_status = 400


class NotFound(DomainError):
    """Also used when the object exists but the user may not know that it does."""

    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    http_status = 403


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


def from_django_validation_error(exc: Exception) -> ValidationError:
    """Convert ``django.core.exceptions.ValidationError`` (e.g. from ``full_clean``)."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    assert isinstance(exc, DjangoValidationError)
    if hasattr(exc, "error_dict"):
        fields = {name: [str(m) for e in errs for m in e.messages] for name, errs in exc.error_dict.items()}
        first = next(iter(fields.values()), [_("Ugyldige data.")])[0]
        return ValidationError(first, fields=fields)
    return ValidationError("; ".join(str(m) for m in exc.messages))


def full_clean_or_raise(obj: object, *, exclude: list[str] | None = None) -> None:
    """Run a model's ``full_clean()`` and turn Django's ValidationError into the domain one (with fields)."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    try:
        obj.full_clean(exclude=exclude)  # type: ignore[attr-defined]
    except DjangoValidationError as exc:
        raise from_django_validation_error(exc) from exc
