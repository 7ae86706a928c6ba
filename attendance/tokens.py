"""Tap tokens: the krysseliste's short-lived, signed grant to tap in one unit (a shared tablet carries no session).

The krysseliste page, which a staff member opens with their session and which the access layer has authorised
for ``attendance.checkin`` on that unit, carries a *tap token*:

- it is signed with the project's ``SECRET_KEY`` (``django.core.signing``, its own salt) and names the user, the
  unit, the access epoch and the day it was issued for, and the audit context of the page (who, acting role,
  the session's reference, language);
- it lets its holder do one thing: check children in and out of that unit (``POST /api/v1/attendance/check``
  with ``Authorization: Bearer <token>``, ``attendance.authentication.TapTokenAuthentication``). Nothing else
  accepts it, and it is sent in a header, never as a cookie, so another site cannot make a browser use it
  (no CSRF);
- it expires after ``TAP_TOKEN_SECONDS``, and at once when the access epoch changes (any change to accounts,
  role assignments, grants or org units: ``oas/access/migrations/0002``), when the account is deactivated, or
  when the day changes. The page then fetches a new token with its session (``GET /oppmote/<unit>/tap-token``),
  which the access layer authorises again, and resends the tap: a tap is never lost for an expired token.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core import signing
from django.utils.translation import gettext as _

from oas import clock
from oas.access.principal import access_epoch
from oas.audit import context
from oas.errors import DomainError

if TYPE_CHECKING:
    from oas.access.principal import Actor

TAP_TOKEN_SALT = "oas.attendance.tap-token"  # noqa: S105 - a signing salt, not a secret
TAP_TOKEN_SECONDS = 15 * 60
TAP_TOKEN_PREFIX = "Bearer "  # noqa: S105 - the header scheme


class TapTokenRejected(DomainError):
    """The token is missing, forged, expired or no longer valid: fetch a new one with the session."""

    code = "token_invalid"
    http_status = 401


@dataclass(frozen=True)
class TapGrant:
    """What a valid tap token lets its holder do, and the audit context it was issued in."""

    user_id: int
    unit_id: int
    epoch: int | None
    day: dt.date
    actor_display: str
    acting_role: str
    session_ref: str
    language: str


def tap_token_issue(*, user: Actor, unit_id: int, language: str) -> str:
    """Return a tap token for ``unit_id``, for a user the caller has authorised for ``attendance.checkin`` there.

    The audit context of the current request (who, acting role, session reference) goes into the token, so the
    taps' audit rows are the same as a session's would be.
    """
    ctx = context.current() or context.RequestContext()
    payload = {
        "u": int(user.pk),
        "n": int(unit_id),
        "e": access_epoch(),
        "d": clock.today().isoformat(),
        "a": ctx.actor_display or str(user),
        "r": ctx.acting_role,
        "s": ctx.session_ref,
        "l": language,
    }
    return signing.dumps(payload, salt=TAP_TOKEN_SALT, compress=False)


def tap_token_verify(*, token: str, today: dt.date) -> TapGrant:
    """Return the grant of a valid, unexpired token issued today; ``TapTokenRejected`` otherwise.

    The epoch and the account are checked by ``TapTokenAuthentication``.
    """
    try:
        payload = signing.loads(token, salt=TAP_TOKEN_SALT, max_age=TAP_TOKEN_SECONDS)
        grant = TapGrant(
            user_id=int(payload["u"]),
            unit_id=int(payload["n"]),
            epoch=None if payload["e"] is None else int(payload["e"]),
            day=dt.date.fromisoformat(payload["d"]),
            actor_display=str(payload["a"]),
            acting_role=str(payload["r"]),
            session_ref=str(payload["s"]),
            language=str(payload["l"]),
        )
    except signing.SignatureExpired as exc:
        raise TapTokenRejected(_("Tilgangen til krysselisten er utløpt."), code="token_expired") from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise TapTokenRejected(_("Ugyldig tilgang til krysselisten.")) from exc
    if grant.day != today:
        raise TapTokenRejected(_("Tilgangen til krysselisten er utløpt."), code="token_expired")
    return grant
