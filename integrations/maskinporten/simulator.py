"""Maskinporten simulator: ``POST /token`` verifies a JWT-bearer grant like Maskinporten does.

Checks: form encoding and grant_type; header ``alg`` RS256/384/512 with a registered ``kid``; signature;
``aud`` = this issuer; ``iss`` = a registered client; ``scope`` allowed for the client; ``iat`` within
±10 s; ``exp`` after now and at most 120 s after ``iat``; ``jti`` never seen before; no claims beyond
those Maskinporten knows (unknown claims → 400 ``invalid_grant`` "Invalid assertion").
Issued access tokens are RS256 JWTs signed by the simulator; resource-server simulators check them with
``verify_access_token`` (in-process) or against ``/jwk``.
"""

from __future__ import annotations

import functools
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from integrations.common.simulator import SimRequest, SimResponse, SimulatorServer

ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512")
KNOWN_CLAIMS = {"aud", "iss", "scope", "iat", "exp", "jti", "resource", "consumer_org", "iss_onbehalfof"}
MAX_GRANT_LIFETIME = 120
CLOCK_SKEW = 10

SIMULATOR_CLIENT_ID = "oas-simulator-client"
SIMULATOR_KID = "oas-simulator-key-1"
SIMULATOR_CLIENT_KEY_PATH = Path(__file__).with_name("simulator_client_key.pem")
DEFAULT_SCOPES = (
    "folkeregister:deling/offentligmedhjemmel",
    "ks:fiks",
    "svarut:forsendelse",
    "noark5:arkiv",
)


@functools.cache
def _signing_key() -> rsa.RSAPrivateKey:
    """The simulator's own token-signing key: one per process (generating RSA keys is slow)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def simulator_client_private_key() -> str:
    """The private key of the simulator's pre-registered client (a development key, never used live)."""
    return SIMULATOR_CLIENT_KEY_PATH.read_text(encoding="utf-8")


@dataclass
class RegisteredClient:
    client_id: str
    kid: str
    public_key_pem: str
    scopes: set[str] = field(default_factory=lambda: set(DEFAULT_SCOPES))


class InvalidAccessToken(Exception):
    pass


class MaskinportenSimulator(SimulatorServer):
    name = "maskinporten"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, token_lifetime: int = 120):
        super().__init__(host=host, port=port)
        self.token_lifetime = token_lifetime
        self._signing_key = _signing_key()
        self._signing_kid = f"sim-{uuid.uuid4().hex[:8]}"
        self._clients: dict[tuple[str, str], RegisteredClient] = {}
        self._seen_jti: set[str] = set()
        self._state_lock = threading.Lock()
        self.tokens_issued = 0
        self.last_grant_claims: dict[str, object] = {}
        private = serialization.load_pem_private_key(simulator_client_private_key().encode(), password=None)
        public_pem = (
            private.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        self.register_client(client_id=SIMULATOR_CLIENT_ID, kid=SIMULATOR_KID, public_key_pem=public_pem)

    @property
    def issuer(self) -> str:
        return self.url + "/"

    @property
    def token_url(self) -> str:
        return self.url + "/token"

    def register_client(self, *, client_id: str, kid: str, public_key_pem: str, scopes: set[str] | None = None) -> None:
        with self._state_lock:
            self._clients[(client_id, kid)] = RegisteredClient(
                client_id=client_id, kid=kid, public_key_pem=public_key_pem, scopes=set(scopes or DEFAULT_SCOPES)
            )

    def handle(self, request: SimRequest) -> SimResponse:
        if request.path == "/token" and request.method == "POST":
            return self._token(request)
        if request.path == "/jwk" and request.method == "GET":
            jwk = RSAAlgorithm.to_jwk(self._signing_key.public_key(), as_dict=True)
            jwk.update({"kid": self._signing_kid, "alg": "RS256", "use": "sig"})
            return SimResponse.json({"keys": [jwk]})
        if request.path == "/.well-known/oauth-authorization-server":
            return SimResponse.json(
                {"issuer": self.issuer, "token_endpoint": self.token_url, "jwks_uri": self.url + "/jwk"}
            )
        return SimResponse.json({"error": "not_found"}, status=404)

    @staticmethod
    def _error(description: str, *, code: str = "invalid_grant") -> SimResponse:
        return SimResponse.json({"error": code, "error_description": description}, status=400)

    def _token(self, request: SimRequest) -> SimResponse:  # noqa: PLR0911 - one answer per refusal reason
        if not request.header("content-type").startswith("application/x-www-form-urlencoded"):
            return self._error("Content-Type must be application/x-www-form-urlencoded", code="invalid_request")
        form = {k: v[0] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return self._error("Invalid grant_type", code="unsupported_grant_type")
        assertion = form.get("assertion", "")
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            return self._error("Invalid assertion. Could not parse JWT")
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            return self._error("Invalid assertion. Unsupported alg")
        client = self._clients.get((str(unverified.get("iss")), str(header.get("kid"))))
        if client is None:
            return self._error("Invalid assertion. Unknown client or kid")
        try:
            claims = jwt.decode(
                assertion,
                client.public_key_pem,
                algorithms=list(ALLOWED_ALGORITHMS),
                audience=self.issuer,
                issuer=client.client_id,
                leeway=CLOCK_SKEW,
                options={"require": ["aud", "iss", "iat", "exp", "jti", "scope"]},
            )
        except jwt.PyJWTError as exc:
            return self._error(f"Invalid assertion. {exc}")
        unknown = set(claims) - KNOWN_CLAIMS
        if unknown:
            return self._error(f"Invalid assertion. Unknown claims: {', '.join(sorted(unknown))}")
        now = time.time()
        iat, exp = int(claims["iat"]), int(claims["exp"])
        if abs(iat - now) > CLOCK_SKEW:
            return self._error("Invalid assertion. iat outside the allowed clock skew")
        if exp - iat > MAX_GRANT_LIFETIME:
            return self._error("Invalid assertion. exp must be at most 120 seconds after iat")
        scopes = [s for s in str(claims["scope"]).split(" ") if s]
        if not scopes or not set(scopes) <= client.scopes:
            return self._error("Invalid scope", code="invalid_scope")
        with self._state_lock:
            if claims["jti"] in self._seen_jti:
                return self._error("Invalid assertion. jti has been used before")
            self._seen_jti.add(str(claims["jti"]))
            self.tokens_issued += 1
            self.last_grant_claims = dict(claims)
        access_claims: dict[str, object] = {
            "iss": self.issuer,
            "client_id": client.client_id,
            "scope": " ".join(scopes),
            "iat": int(now),
            "exp": int(now) + self.token_lifetime,
            "jti": str(uuid.uuid4()),
            "token_type": "Bearer",
        }
        if "consumer_org" in claims:
            access_claims["consumer"] = {"authority": "iso6523-actorid-upis", "ID": f"0192:{claims['consumer_org']}"}
        token = jwt.encode(access_claims, self._signing_key, algorithm="RS256", headers={"kid": self._signing_kid})
        return SimResponse.json(
            {
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.token_lifetime,
                "scope": " ".join(scopes),
            }
        )

    def verify_access_token(self, authorization: str, *, scope: str) -> dict[str, object]:
        """Check an ``Authorization: Bearer …`` header: signature, expiry, issuer and scope."""
        if not authorization.startswith("Bearer "):
            raise InvalidAccessToken("missing bearer token")
        try:
            claims: dict[str, object] = jwt.decode(
                authorization[len("Bearer ") :],
                self._signing_key.public_key(),
                algorithms=["RS256"],
                issuer=self.issuer,
                options={"require": ["exp", "iat", "scope"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidAccessToken(str(exc)) from exc
        if scope not in str(claims.get("scope", "")).split(" "):
            raise InvalidAccessToken(f"token lacks scope {scope}")
        return claims
