"""Authentication backends: OIDC for everyone (mozilla-django-oidc, several providers) and a password
backend that only break-glass accounts may pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from oas import clock
from oas.identity import errors, services
from oas.identity.models import Account, AccountKind
from oas.identity.providers import GUARDIAN, HTTP_TIMEOUT_SECONDS, LOA_SUBSTANTIAL, Provider, provider_metadata

LOGIN_RESULT_ATTR = "oas_login_result"
SIGNING_ALGORITHM = "RS256"  # all three providers sign ID tokens with RS256


@dataclass(frozen=True)
class LoginResult:
    """What the callback view needs after a successful OIDC authentication."""

    provider: str
    kind: str
    acr: str
    id_token: str
    sid: str


def login_result(request: HttpRequest) -> LoginResult | None:
    value = getattr(request, LOGIN_RESULT_ATTR, None)
    return value if isinstance(value, LoginResult) else None


class BreakGlassPasswordBackend(ModelBackend):
    """Django's password check, but only for break-glass accounts; each such login is audit-logged."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return None
        if not Account.objects.filter(user=user, kind=AccountKind.BREAK_GLASS).exists():
            services.breakglass_password_refused_record(user=user)
            return None
        services.breakglass_login_record(user=user)
        return user


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code flow, configured per provider at call time instead of from global settings.

    The ID token is checked here: RS256 signature against the provider's JWKS, ``iss``, ``aud``
    (and ``azp``), ``exp``/``iat``/``nbf`` with bounded clock skew, and ``nonce``. Who the claims
    identify is the services' business (``account_login_staff`` / ``account_login_guardian``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Deliberately not calling the parent: it reads one provider's endpoints from global settings.
        self.UserModel = get_user_model()
        self.provider: Provider | None = None
        self.flow: dict[str, Any] = {}

    def get_settings(self, attr: str, *args: Any) -> Any:
        provider = self.provider
        overrides: dict[str, Any] = {
            "OIDC_USE_NONCE": True,
            "OIDC_TOKEN_USE_BASIC_AUTH": True,
            "OIDC_STORE_ID_TOKEN": False,  # the view stores it after login (login() may flush the session)
            "OIDC_STORE_ACCESS_TOKEN": False,
            "OIDC_TIMEOUT": HTTP_TIMEOUT_SECONDS,
            "OIDC_VERIFY_SSL": True,
            "OIDC_PROXY": None,
            "OIDC_VERIFY_KID": True,
            "OIDC_ALLOW_UNSECURED_JWT": False,
            "OIDC_CREATE_USER": False,
        }
        if provider is not None:
            overrides["OIDC_AUTHENTICATION_CALLBACK_URL"] = f"identity:callback-{provider.key}"
            overrides["OIDC_RP_SCOPES"] = provider.scopes
        if attr in overrides:
            return overrides[attr]
        return import_from_settings(attr, *args)

    def authenticate(
        self,
        request: HttpRequest | None,
        provider: Provider | None = None,
        nonce: str | None = None,
        code_verifier: str | None = None,
        flow: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None or provider is None:
            return None
        metadata = provider_metadata(provider)
        self.provider = provider
        self.flow = flow or {}
        self.OIDC_OP_TOKEN_ENDPOINT = metadata["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = metadata.get("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = metadata["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        self.OIDC_RP_SIGN_ALGO = SIGNING_ALGORITHM
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)

    def _reject(self, reason: str, detail: str) -> errors.LoginRejected:
        assert self.provider is not None
        return services.login_refusal(provider=self.provider, reason=reason, detail=detail)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        provider = self.provider
        assert provider is not None
        nonce = kwargs.get("nonce")
        if not token:
            raise self._reject(errors.INVALID_TOKEN, "no id_token in the token response")
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != SIGNING_ALGORITHM:
                raise self._reject(errors.INVALID_TOKEN, f"alg {header.get('alg')!r}")
            key = self.retrieve_matching_jwk(token)
            payload: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[SIGNING_ALGORITHM],
                audience=provider.client_id,
                issuer=provider.issuer,
                # Times are checked below against oas.clock, with the configured skew.
                options={
                    "require": ["iss", "aud", "sub", "exp", "iat"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except (jwt.PyJWTError, SuspiciousOperation) as exc:
            raise self._reject(errors.INVALID_TOKEN, str(exc)) from exc
        now, skew = clock.now().timestamp(), settings.OIDC_CLOCK_SKEW_SECONDS
        try:
            exp, iat, nbf = float(payload["exp"]), float(payload["iat"]), float(payload.get("nbf", 0))
        except (TypeError, ValueError) as exc:
            raise self._reject(errors.INVALID_TOKEN, "malformed time claims") from exc
        if exp + skew < now:
            raise self._reject(errors.INVALID_TOKEN, "expired")
        if iat - skew > now or nbf - skew > now:
            raise self._reject(errors.INVALID_TOKEN, "issued in the future")
        audience = payload["aud"]
        if isinstance(audience, list) and len(audience) > 1 and payload.get("azp") != provider.client_id:
            raise self._reject(errors.INVALID_TOKEN, "azp")
        if not nonce or payload.get("nonce") != nonce:
            raise self._reject(errors.INVALID_TOKEN, "nonce")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {}
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            if info.get("sub") != payload.get("sub"):
                raise self._reject(errors.INVALID_TOKEN, "userinfo sub differs from the ID token")
        # The signed ID token wins over userinfo for every claim both carry.
        return {**info, **payload}

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        provider = self.provider
        assert provider is not None
        claims = self.get_userinfo(access_token, id_token, payload)
        if provider.kind == GUARDIAN:
            user = services.account_login_guardian(
                provider=provider, claims=claims, required_acr=str(self.flow.get("acr") or LOA_SUBSTANTIAL)
            )
            stepup_user_id = self.flow.get("stepup_user_id")
            if stepup_user_id and stepup_user_id != user.pk:
                raise self._reject(errors.STEPUP_OTHER_PERSON, "step-up by another person")
        else:
            user = services.account_login_staff(provider=provider, claims=claims)
        setattr(
            self.request,
            LOGIN_RESULT_ATTR,
            LoginResult(
                provider=provider.key,
                kind=provider.kind,
                acr=str(claims.get("acr") or ""),
                id_token=id_token,
                sid=str(claims.get("sid") or ""),
            ),
        )
        return user
