"""Maskinporten: the live client against the simulator's token endpoint."""

from __future__ import annotations

import time
import uuid

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import override_settings

from integrations.common.errors import ConfigurationMissing, PermanentError, TransientError
from integrations.maskinporten import get_token_provider
from integrations.maskinporten.client import GRANT_TYPE, MaskinportenClient
from integrations.maskinporten.simulator import SIMULATOR_CLIENT_ID, SIMULATOR_KID, simulator_client_private_key

from .conftest import make_token_client

FREG = ["folkeregister:deling/offentligmedhjemmel"]


def _post_grant(sim, claims: dict, *, key: str | None = None, kid: str = SIMULATOR_KID) -> httpx.Response:
    assertion = jwt.encode(claims, key or simulator_client_private_key(), algorithm="RS256", headers={"kid": kid})
    return httpx.post(sim.token_url, data={"grant_type": GRANT_TYPE, "assertion": assertion})


def _claims(sim, **extra: object) -> dict:
    now = int(time.time())
    claims: dict[str, object] = {
        "aud": sim.issuer,
        "iss": SIMULATOR_CLIENT_ID,
        "scope": FREG[0],
        "iat": now,
        "exp": now + 60,
        "jti": str(uuid.uuid4()),
    }
    claims.update(extra)
    return claims


def test_client_gets_a_token_the_simulator_accepts_for_the_scope(maskinporten_sim, token_client):
    token = token_client.token(scopes=FREG)
    claims = maskinporten_sim.verify_access_token(f"Bearer {token}", scope=FREG[0])
    assert claims["client_id"] == SIMULATOR_CLIENT_ID


def test_grant_has_kid_short_expiry_unique_jti_and_no_resource(maskinporten_sim, token_client):
    first = jwt.decode(token_client.build_grant(scopes=FREG), options={"verify_signature": False})
    second = jwt.decode(token_client.build_grant(scopes=FREG), options={"verify_signature": False})
    header = jwt.get_unverified_header(token_client.build_grant(scopes=FREG))
    assert header == {"alg": "RS256", "kid": SIMULATOR_KID, "typ": "JWT"}
    assert first["exp"] - first["iat"] <= 120
    assert first["aud"] == maskinporten_sim.issuer
    assert first["scope"] == FREG[0]
    assert first["jti"] != second["jti"]
    assert "resource" not in first
    assert "consumer_org" not in first


def test_consumer_org_is_sent_when_acting_for_a_municipality(maskinporten_sim):
    client = make_token_client(maskinporten_sim, consumer_org="944117784")
    client.token(scopes=FREG)
    assert maskinporten_sim.last_grant_claims["consumer_org"] == "944117784"


def test_token_is_cached_until_shortly_before_expiry(maskinporten_sim):
    now = [time.time()]
    client = make_token_client(maskinporten_sim)
    client._clock = lambda: now[0]
    first = client.token(scopes=FREG)
    assert client.token(scopes=FREG) == first
    assert maskinporten_sim.tokens_issued == 1
    now[0] += 110  # 120 s lifetime minus the refresh margin has passed
    client._clock = time.time  # the simulator checks iat against real time
    client._cache = {k: type(v)(v.value, v.expires_at - 110) for k, v in client._cache.items()}
    assert client.token(scopes=FREG) != first
    assert maskinporten_sim.tokens_issued == 2


def test_invalidate_forces_a_fresh_token(maskinporten_sim, token_client):
    token_client.token(scopes=FREG)
    token_client.invalidate(scopes=FREG)
    token_client.token(scopes=FREG)
    assert maskinporten_sim.tokens_issued == 2


def test_unknown_claim_is_refused_as_invalid_assertion(maskinporten_sim):
    response = _post_grant(maskinporten_sim, _claims(maskinporten_sim, favourite_colour="blue"))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"
    assert "Invalid assertion" in response.json()["error_description"]


def test_grant_signed_with_an_unregistered_key_is_refused(maskinporten_sim):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    response = _post_grant(maskinporten_sim, _claims(maskinporten_sim), key=pem)
    assert response.status_code == 400
    assert "Invalid assertion" in response.json()["error_description"]


@pytest.mark.parametrize(
    ("claims_change", "reason"),
    [
        ({"exp_offset": 300}, "120 seconds"),
        ({"aud": "https://maskinporten.no/"}, "Invalid assertion"),
        ({"iat_offset": -600}, "Invalid assertion"),
        ({"scope": "skatteetaten:secret"}, "Invalid scope"),
    ],
)
def test_grant_with_bad_claims_is_refused(maskinporten_sim, claims_change, reason):
    claims = _claims(maskinporten_sim)
    if "exp_offset" in claims_change:
        claims["exp"] = claims["iat"] + claims_change["exp_offset"]
    elif "iat_offset" in claims_change:
        claims["iat"] = claims["iat"] + claims_change["iat_offset"]
        claims["exp"] = claims["iat"] + 60
    else:
        claims.update(claims_change)
    response = _post_grant(maskinporten_sim, claims)
    assert response.status_code == 400
    assert reason in response.json()["error_description"]


def test_replayed_jti_is_refused(maskinporten_sim):
    claims = _claims(maskinporten_sim)
    assert _post_grant(maskinporten_sim, claims).status_code == 200
    response = _post_grant(maskinporten_sim, claims)
    assert response.status_code == 400
    assert "jti" in response.json()["error_description"]


def test_unknown_kid_makes_the_client_raise_a_permanent_error(maskinporten_sim):
    client = make_token_client(maskinporten_sim, kid="not-registered")
    with pytest.raises(PermanentError, match="invalid_grant"):
        client.token(scopes=FREG)


@pytest.mark.parametrize("mode", ["500", "429", "malformed"])
def test_server_faults_are_transient(maskinporten_sim, token_client, mode):
    maskinporten_sim.fail(mode, retry_after="7")
    with pytest.raises(TransientError) as excinfo:
        token_client.token(scopes=FREG)
    if mode == "429":
        assert excinfo.value.retry_after == 7.0
    assert token_client.token(scopes=FREG)  # the next call succeeds


def test_timeout_is_transient(maskinporten_sim):
    client = make_token_client(maskinporten_sim)
    client._http = httpx.Client(timeout=0.3)
    maskinporten_sim.fail("timeout", delay=3.0)
    with pytest.raises(TransientError, match="tidsavbrudd"):
        client.token(scopes=FREG)


def test_faults_can_be_ordered_over_the_control_endpoint(maskinporten_sim, token_client):
    assert httpx.post(maskinporten_sim.url + "/__sim__/fault", json={"mode": "500"}).status_code == 200
    with pytest.raises(TransientError):
        token_client.token(scopes=FREG)
    assert httpx.post(maskinporten_sim.url + "/__sim__/fault", json={"mode": "nonsense"}).status_code == 400


def test_live_mode_without_configuration_fails_loudly(settings):
    settings.INTEGRATION_MODES = {**settings.INTEGRATION_MODES, "maskinporten": "live"}
    settings.MASKINPORTEN_CLIENT_ID = ""
    with pytest.raises(ConfigurationMissing, match="MASKINPORTEN_CLIENT_ID"):
        get_token_provider()


def test_simulator_mode_provider_talks_to_the_configured_simulator(maskinporten_sim):
    with override_settings(MASKINPORTEN_SIMULATOR_URL=maskinporten_sim.url):
        provider = get_token_provider()
        assert isinstance(provider, MaskinportenClient)
        token = provider.token(scopes=FREG)
    assert maskinporten_sim.verify_access_token(f"Bearer {token}", scope=FREG[0])
