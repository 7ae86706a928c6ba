"""Checks for user-entered text and numbers: refuse what cannot be stored faithfully, never alter it silently."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from oas.errors import ValidationError

# NUL (PostgreSQL text cannot hold it), lone UTF-16 surrogates (not encodable as UTF-8), and U+FFFD: the
# replacement character Django puts where a form post held bytes that were not UTF-8 (a surrogate sent as
# CESU-8, for example), so the text the user sent is no longer the text we have.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff\ufffd]")


def text_check(*, value: str, field: str, label: str) -> str:
    """Return ``value`` unchanged, or raise ValidationError when it holds characters that cannot be stored."""
    if _UNSTORABLE.search(value):
        message = _(
            "%(label)s inneholder tegn som ikke kan lagres (nulltegn eller ugyldig Unicode). "
            "Fjern dem og prøv igjen; teksten er ikke lagret."
        ) % {"label": label}
        raise ValidationError(message, code="invalid_characters", fields={field: [message]})
    return value


def amount_parse(*, value: str, field: str, maximum: Decimal, label: str) -> Decimal:
    """Parse a Norwegian-written amount ("350 000", "350000,50"); refuse NaN, infinity, and too large values."""
    text = (value or "").replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    return amount_check(amount=amount, field=field, maximum=maximum, label=label)


def amount_check(*, amount: Decimal | None, field: str, maximum: Decimal, label: str) -> Decimal:
    """Return ``amount`` if it is a finite number from 0 to ``maximum`` with at most two decimals, else raise."""
    if amount is None or not amount.is_finite():
        message = _("%(label)s må være et tall i kroner, for eksempel 350 000.") % {"label": label}
        raise ValidationError(message, code="invalid_amount", fields={field: [message]})
    if amount < 0:
        message = _("%(label)s kan ikke være negativ.") % {"label": label}
        raise ValidationError(message, code="invalid_amount", fields={field: [message]})
    if amount > maximum:
        message = _("%(label)s kan høyst være %(max)s kroner.") % {
            "label": label,
            "max": f"{maximum:,.0f}".replace(",", " "),
        }
        raise ValidationError(message, code="invalid_amount", fields={field: [message]})
    if amount != amount.quantize(Decimal("0.01")):
        message = _("%(label)s kan ha høyst to desimaler.") % {"label": label}
        raise ValidationError(message, code="invalid_amount", fields={field: [message]})
    return amount
