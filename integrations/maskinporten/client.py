"""Live Maskinporten client: JWT-bearer grant (RFC 7523) signed with RS256 and a registered ``kid``."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx
import jwt

from integrations.common.errors import PermanentError, TransientError
from integrations.common.transport import TokenSource, parse_retry_after
from integrations.maskinporten.port import TokenProvider

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GRANT_LIFETIME_SECONDS = 110  # Maskinporten refuses exp more than 120 s after iat
REFRESH_MARGIN_SECONDS = 20


@dataclass(frozen=True)
class MaskinportenConfig:
    token_url: str
    audience: str
    client_id: str
    kid: str
    private_key_pem: str
    consumer_org: str = ""


@dataclass
class _CachedToken:
    value: str
    expires_at: float


class MaskinportenClient:
    """Implements ``TokenProvider`` against a Maskinporten token endpoint (real or the simulator)."""

    system = "maskinporten"

    def __init__(
        self,
        *,
        config: MaskinportenConfig,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
        client: httpx.Client | None = None,
    ):
        self.config = config
        self._clock = clock
        self._http = client or httpx.Client(timeout=timeout)
        self._cache: dict[tuple[str, ...], _CachedToken] = {}
        self._lock = threading.Lock()
        self.grants_issued = 0

    def build_grant(self, *, scopes: Sequence[str]) -> str:
        """Return a signed JWT grant: aud, iss, scope, iat, exp (≤ 120 s), a fresh jti, optional consumer_org."""
        issued_at = int(self._clock())
        claims: dict[str, object] = {
            "aud": self.config.audience,
            "iss": self.config.client_id,
            "scope": " ".join(scopes),
            "iat": issued_at,
            "exp": issued_at + GRANT_LIFETIME_SECONDS,
            "jti": str(uuid.uuid4()),
        }
        if self.config.consumer_org:
            claims["consumer_org"] = self.config.consumer_org
        # No ``resource`` claim: FREG expects an unspecified audience.
        return jwt.encode(claims, self.config.private_key_pem, algorithm="RS256", headers={"kid": self.config.kid})

    def token(self, *, scopes: Sequence[str]) -> str:
        key = tuple(sorted(scopes))
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached.expires_at - REFRESH_MARGIN_SECONDS > self._clock():
                return cached.value
            fresh = self._fetch(scopes=key)
            self._cache[key] = fresh
            return fresh.value

    def invalidate(self, *, scopes: Sequence[str]) -> None:
        with self._lock:
            self._cache.pop(tuple(sorted(scopes)), None)

    def _fetch(self, *, scopes: Sequence[str]) -> _CachedToken:
        grant = self.build_grant(scopes=scopes)
        self.grants_issued += 1
        try:
            response = self._http.post(
                self.config.token_url,
                data={"grant_type": GRANT_TYPE, "assertion": grant},
                headers={"Accept": "application/json"},
            )
        except httpx.TimeoutException as exc:
            raise TransientError("maskinporten: tidsavbrudd", system=self.system) from exc
        except httpx.TransportError as exc:
            raise TransientError(f"maskinporten: nettverksfeil ({exc})", system=self.system) from exc
        if response.status_code == 429:
            raise TransientError(
                "maskinporten: for mange forespørsler",
                system=self.system,
                status=429,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if response.status_code >= 500:
            raise TransientError(f"maskinporten: serverfeil {response.status_code}", system=self.system)
        try:
            body = response.json()
        except ValueError as exc:
            raise TransientError("maskinporten: ugyldig JSON i svaret", system=self.system) from exc
        if response.status_code != 200:
            raise PermanentError(
                f"maskinporten: {body.get('error')}: {body.get('error_description')}",
                system=self.system,
                status=response.status_code,
            )
        try:
            return _CachedToken(value=str(body["access_token"]), expires_at=self._clock() + float(body["expires_in"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise TransientError("maskinporten: svaret mangler access_token/expires_in", system=self.system) from exc


def bearer_token_source(provider: TokenProvider, *, scopes: Sequence[str]) -> TokenSource:
    """Adapt a TokenProvider to ``Transport(token_source=...)``: a forced call drops the cached token first."""

    def source(force: bool) -> str:
        if force:
            provider.invalidate(scopes=scopes)
        return provider.token(scopes=scopes)

    return source
