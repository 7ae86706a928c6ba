"""DRF authentication by the krysseliste's tap token (``attendance.tokens``), for the check-in tap only.

A shared tablet must not carry a staff member's session all day, so the krysseliste page (opened with the
session) hands the tablet a short-lived, unit-scoped tap token, and ``krysseliste.js`` sends each tap with
``Authorization: Bearer <token>`` and no cookies. Only ``AttendanceCheckApi`` lists this class; every other
view keeps the project's default (the session), so the token opens nothing else. The declared action
(``attendance.checkin``) is checked by the default permission class as for every API view, and the unit by the
access layer in the service, for the user the token names, with the user's rights of now.

The token ends when the access epoch has moved since it was issued (any change to accounts, role assignments,
grants or org units), when the account is deactivated, after ``TAP_TOKEN_SECONDS`` and when the day changes:
then the answer is 401 and the page fetches a new token with its session and sends the tap again.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from attendance.tokens import TAP_TOKEN_PREFIX, TapGrant, TapTokenRejected, tap_token_verify
from oas import clock
from oas.access.principal import ACCESS_EPOCH_ATTR, ACCESS_EPOCH_SUBQUERY
from oas.audit import context
from oas.errors import PermissionDenied


def _expired() -> AuthenticationFailed:
    return AuthenticationFailed(_("Tilgangen til krysselisten er utløpt."), code="token_expired")


class TapTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <tap token>``: the user the token names, with the token's grant as ``request.auth``.

    No header: not this class's business (the next one, the session, may answer). A header that does not hold:
    401 with ``WWW-Authenticate: Bearer``.
    """

    def authenticate(self, request: Request) -> tuple[Any, TapGrant] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith(TAP_TOKEN_PREFIX):
            return None
        try:
            grant = tap_token_verify(token=header[len(TAP_TOKEN_PREFIX) :].strip(), today=clock.today())
        except TapTokenRejected as exc:
            raise AuthenticationFailed(exc.message, code=exc.code) from exc
        # The account and the access epoch in one round trip (the epoch as a subquery of the user's row).
        user = (
            get_user_model()
            .objects.filter(pk=grant.user_id, is_active=True)
            .annotate(access_epoch_now=RawSQL(ACCESS_EPOCH_SUBQUERY, ()))  # noqa: S611 - a fixed statement, no input
            .first()
        )
        if user is None:
            raise _expired()
        epoch = user.access_epoch_now
        if epoch != grant.epoch:
            raise _expired()
        setattr(user, ACCESS_EPOCH_ATTR, epoch)  # the principal is reused under the epoch just read
        self._enter(user=user, grant=grant)
        return user, grant

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="oas", error="invalid_token"'

    @staticmethod
    def _enter(*, user: Any, grant: TapGrant) -> None:
        """The request's audit context becomes that of the page that got the token."""
        ctx = context.current()
        if ctx is not None:
            ctx.user_id = user.pk
            ctx.actor_display = grant.actor_display
            ctx.acting_role = grant.acting_role
            ctx.session_ref = grant.session_ref


def tap_language(grant: Any) -> str | None:
    """The language of the page that got the token (None for a session tap: the request's own)."""
    return grant.language or None if isinstance(grant, TapGrant) else None


def tap_grant_covers(*, grant: Any, unit_id: int) -> None:
    """Refuse a tap with a tap token in another unit than the token's (403); a session tap has no grant."""
    if isinstance(grant, TapGrant) and unit_id != grant.unit_id:
        raise PermissionDenied(
            _("Tilgangen gjelder krysselisten til en annen enhet."),
            code="wrong_unit",
            fields={"unit_id": [_("Ikke enheten til denne krysselisten.")]},
        )


class TapTokenScheme(OpenApiAuthenticationExtension):
    """The tap token in the OpenAPI description (/api/schema/): a bearer token."""

    target_class = "attendance.authentication.TapTokenAuthentication"
    name = "tapToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The krysseliste's tap token (GET /oppmote/<unit>/tap-token): one unit, 15 minutes.",
        }
