"""In-memory OIDC provider state and the oauthlib request validator for each emulated issuer.

Deliberately bad tokens (wrong key, expired, wrong audience, …) can be queued in test mode so that the
relying party's checks are exercised over real HTTP; see ``Flaw``.
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from oauthlib.oauth2 import AuthorizationEndpoint, BearerToken, RequestValidator, TokenEndpoint
from oauthlib.openid.connect.core.endpoints.userinfo import UserInfoEndpoint
from oauthlib.openid.connect.core.grant_types import AuthorizationCodeGrant

from devtools.devidp.issuers import FEIDE_USERID_SEC, ISSUERS, Subject

CODE_LIFETIME_SECONDS = 60


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Flaw:
    """A deliberate defect in the next ID token an issuer hands out (test mode only)."""

    foreign_key: bool = False  # sign with a key that is not in the JWKS (same kid)
    claims: dict[str, Any] = field(default_factory=dict)  # override claims, e.g. {"aud": "someone-else"}
    remove: list[str] = field(default_factory=list)  # drop claims, e.g. ["acr"]
    relative_times: dict[str, int] = field(default_factory=dict)  # {"exp": -3600}: now + offset


@dataclass
class CodeRecord:
    client_id: str
    redirect_uri: str
    scopes: list[str]
    nonce: str | None
    challenge: str | None
    challenge_method: str | None
    subject: Subject
    auth_time: int
    issued: float


@dataclass
class TokenRecord:
    subject: Subject
    expires: float


@dataclass
class IssuerState:
    key: str
    url: str
    private_key: rsa.RSAPrivateKey
    kid: str
    codes: dict[str, CodeRecord] = field(default_factory=dict)
    tokens: dict[str, TokenRecord] = field(default_factory=dict)
    flaws: deque[Flaw] = field(default_factory=deque)
    last_id_token: str = ""


class DevProvider:
    """Holds keys, clients, codes and tokens for all emulated issuers; thread-safe."""

    def __init__(
        self,
        *,
        base_url: str,
        clients: dict[str, str],
        redirect_hosts: set[str],
        test_mode: bool = False,
        token_lifetime: int = 600,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.clients = clients
        self.redirect_hosts = redirect_hosts
        self.test_mode = test_mode
        self.token_lifetime = token_lifetime
        self.lock = threading.Lock()
        self.issuers = {
            key: IssuerState(
                key=key, url=f"{self.base_url}/{key}", private_key=_new_key(), kid=f"{key}-{uuid.uuid4().hex[:8]}"
            )
            for key in ISSUERS
        }
        self._foreign_key = _new_key()
        self.endpoints: dict[str, tuple[AuthorizationEndpoint, TokenEndpoint, UserInfoEndpoint]] = {}
        for key, state in self.issuers.items():
            validator = IssuerValidator(self, state)
            bearer = BearerToken(validator, expires_in=token_lifetime)
            grant = AuthorizationCodeGrant(validator, refresh_token=False)
            self.endpoints[key] = (
                AuthorizationEndpoint(
                    default_response_type="code", default_token_type=bearer, response_types={"code": grant}
                ),
                TokenEndpoint(
                    default_grant_type="authorization_code",
                    default_token_type=bearer,
                    grant_types={"authorization_code": grant},
                ),
                UserInfoEndpoint(validator),
            )

    # --- metadata ---------------------------------------------------------------------------------
    def discovery(self, key: str) -> dict[str, Any]:
        url = self.issuers[key].url
        return {
            "issuer": url,
            "authorization_endpoint": f"{url}/authorize",
            "token_endpoint": f"{url}/token",
            "userinfo_endpoint": f"{url}/userinfo",
            "jwks_uri": f"{url}/jwks",
            "end_session_endpoint": f"{url}/endsession",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["pairwise" if key == "idporten" else "public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": list(ISSUERS[key].scopes),
            "acr_values_supported": ["idporten-loa-substantial", "idporten-loa-high"] if key == "idporten" else [],
            "ui_locales_supported": ["nb", "nn", "en", "se"],
        }

    def jwks(self, key: str) -> dict[str, Any]:
        state = self.issuers[key]
        jwk = RSAAlgorithm.to_jwk(state.private_key.public_key(), as_dict=True)
        jwk.update({"kid": state.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    # --- test mode --------------------------------------------------------------------------------
    def queue_flaw(self, key: str, flaw: Flaw) -> None:
        with self.lock:
            self.issuers[key].flaws.append(flaw)

    # --- tokens -----------------------------------------------------------------------------------
    def mint_id_token(self, state: IssuerState, record: CodeRecord) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": state.url,
            "sub": record.subject.sub,
            "aud": record.client_id,
            "iat": now,
            "exp": now + self.token_lifetime,
            "auth_time": record.auth_time,
            "jti": uuid.uuid4().hex,
            "sid": uuid.uuid4().hex,
        }
        if record.nonce:
            claims["nonce"] = record.nonce
        claims.update(record.subject.claims)
        key = state.private_key
        with self.lock:
            flaw = state.flaws.popleft() if state.flaws else None
        if flaw is not None:
            for name in flaw.remove:
                claims.pop(name, None)
            claims.update(flaw.claims)
            for name, offset in flaw.relative_times.items():
                claims[name] = now + offset
            if flaw.foreign_key:
                key = self._foreign_key
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": state.kid})
        state.last_id_token = token
        return token

    def verify_own_token(self, key: str, token: str) -> dict[str, Any] | None:
        """Decode an ID token this issuer signed (expiry ignored: used for id_token_hint at logout)."""
        state = self.issuers[key]
        try:
            return jwt.decode(
                token,
                state.private_key.public_key(),
                algorithms=["RS256"],
                options={"verify_exp": False, "verify_aud": False},
                issuer=state.url,
            )
        except jwt.PyJWTError:
            return None

    def redirect_allowed(self, uri: str) -> bool:
        parts = urlsplit(uri)
        return (
            parts.scheme in {"http", "https"} and (parts.hostname or "") in self.redirect_hosts and not parts.fragment
        )


class IssuerValidator(RequestValidator):
    """oauthlib's storage and policy hooks for one issuer, all in memory."""

    def __init__(self, provider: DevProvider, state: IssuerState) -> None:
        super().__init__()
        self.provider = provider
        self.state = state

    # --- clients ----------------------------------------------------------------------------------
    def validate_client_id(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> bool:
        return client_id in self.provider.clients

    def client_authentication_required(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        return True

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        client_id, secret = request.client_id, request.client_secret
        header = request.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return False
        expected = self.provider.clients.get(client_id or "")
        if expected is None or secret != expected:
            return False
        request.client_id = client_id
        request.client = type("DevClient", (), {"client_id": client_id})()
        return True

    def authenticate_client_id(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> bool:
        return False  # no public clients: every client authenticates with its secret

    # --- authorization request --------------------------------------------------------------------
    def validate_redirect_uri(self, client_id: str, redirect_uri: str, request: Any, *args: Any, **kwargs: Any) -> bool:
        return self.provider.redirect_allowed(redirect_uri)

    def get_default_redirect_uri(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> str | None:
        return None

    def validate_response_type(
        self, client_id: str, response_type: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        return response_type == "code"

    def get_default_scopes(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> list[str]:
        return ["openid"]

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        return "openid" in scopes

    def is_pkce_required(self, client_id: str, request: Any) -> bool:
        return True

    def validate_silent_login(self, request: Any) -> bool:
        return False

    def validate_silent_authorization(self, request: Any) -> bool:
        return False

    def validate_user_match(self, id_token_hint: str | None, scopes: list[str], claims: Any, request: Any) -> bool:
        return True

    def is_origin_allowed(self, client_id: str, origin: str, request: Any, *args: Any, **kwargs: Any) -> bool:
        return False

    def save_authorization_code(
        self, client_id: str, code: dict[str, str], request: Any, *args: Any, **kwargs: Any
    ) -> None:
        record = CodeRecord(
            client_id=client_id,
            redirect_uri=request.redirect_uri,
            scopes=list(request.scopes),
            nonce=request.nonce,
            challenge=request.code_challenge,
            challenge_method=request.code_challenge_method,
            subject=request.dev_subject,
            auth_time=int(time.time()),
            issued=time.monotonic(),
        )
        with self.provider.lock:
            self.state.codes[code["code"]] = record

    # --- token request ----------------------------------------------------------------------------
    def _code(self, code: str) -> CodeRecord | None:
        with self.provider.lock:
            record = self.state.codes.get(code)
        if record is None or time.monotonic() - record.issued > CODE_LIFETIME_SECONDS:
            return None
        return record

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        return grant_type == "authorization_code"

    def validate_code(self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any) -> bool:
        record = self._code(code)
        if record is None or record.client_id != client_id:
            return False
        request.scopes = record.scopes
        request.user = record.subject.sub
        request.dev_code = record
        return True

    def get_code_challenge(self, code: str, request: Any) -> str | None:
        record = self._code(code)
        return record.challenge if record else None

    def get_code_challenge_method(self, code: str, request: Any) -> str | None:
        record = self._code(code)
        return record.challenge_method if record else None

    def confirm_redirect_uri(
        self, client_id: str, code: str, redirect_uri: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        record = self._code(code)
        return record is not None and record.redirect_uri == redirect_uri

    def invalidate_authorization_code(self, client_id: str, code: str, request: Any, *args: Any, **kwargs: Any) -> None:
        with self.provider.lock:
            self.state.codes.pop(code, None)

    def get_authorization_code_nonce(self, client_id: str, code: str, redirect_uri: str, request: Any) -> str | None:
        record = self._code(code)
        return record.nonce if record else None

    def get_authorization_code_scopes(self, client_id: str, code: str, redirect_uri: str, request: Any) -> list[str]:
        record = self._code(code)
        return record.scopes if record else []

    def get_id_token(self, token: dict[str, Any], token_handler: Any, request: Any) -> str:
        return self.provider.mint_id_token(self.state, request.dev_code)

    def save_bearer_token(self, token: dict[str, Any], request: Any, *args: Any, **kwargs: Any) -> None:
        record = TokenRecord(subject=request.dev_code.subject, expires=time.monotonic() + self.provider.token_lifetime)
        with self.provider.lock:
            self.state.tokens[token["access_token"]] = record

    # --- userinfo ---------------------------------------------------------------------------------
    def validate_bearer_token(self, token: str, scopes: list[str], request: Any) -> bool:
        with self.provider.lock:
            record = self.state.tokens.get(token or "")
        if record is None or record.expires < time.monotonic():
            return False
        request.dev_subject = record.subject
        return True

    def get_userinfo_claims(self, request: Any) -> dict[str, Any]:
        subject: Subject = request.dev_subject
        claims = subject.claims
        if self.state.key == "idporten":
            # ID-porten's userinfo carries only sub, pid and locale (acr/amr are in the ID token).
            return {"sub": subject.sub, "pid": claims["pid"], "locale": claims.get("locale", "nb")}
        if self.state.key == "entra":
            keep = ("oid", "tid", "name", "preferred_username")
        else:
            keep = (FEIDE_USERID_SEC, "name", "email", "email_verified")
        return {"sub": subject.sub, **{k: claims[k] for k in keep if k in claims}}
