"""The development identity provider speaks OIDC strictly enough to catch a sloppy client."""

from __future__ import annotations

import base64
import hashlib
from io import BytesIO
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
import requests

from devtools.devidp.provider import DevProvider
from devtools.devidp.server import DevIdpApp
from oas.demo_personas import PERSONAS_BY_KEY

CLIENT = ("oas-dev", "oas-dev-secret-not-for-production")
REDIRECT = "http://testserver/login/idporten/callback/"
VERIFIER = "v" * 64
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


def _authorize(idp: str, issuer: str = "idporten", **overrides: str) -> str:
    params = {
        "response_type": "code",
        "client_id": CLIENT[0],
        "redirect_uri": REDIRECT,
        "scope": "openid",
        "state": "s1",
        "nonce": "n1",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        "acr_values": "idporten-loa-substantial",
    } | overrides
    return f"{idp}/{issuer}/authorize?{urlencode({k: v for k, v in params.items() if v})}"


def _code(idp: str, persona: str = "foresatt", issuer: str = "idporten") -> str:
    answer = requests.post(_authorize(idp, issuer), data={"persona": persona}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    return answer.headers["Location"].split("code=")[1].split("&")[0]


def _token(
    idp: str, code: str, *, secret: str = CLIENT[1], verifier: str = VERIFIER, issuer: str = "idporten"
) -> requests.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier}
    return requests.post(f"{idp}/{issuer}/token", data=data, auth=(CLIENT[0], secret), timeout=5)


def test_idporten_issues_pid_acr_and_amr_and_userinfo_only_sub_pid_locale(dev_idp: str) -> None:
    response = _token(dev_idp, _code(dev_idp))
    assert response.status_code == 200
    body = response.json()
    claims = jwt.decode(body["id_token"], options={"verify_signature": False})
    assert claims["pid"] == PERSONAS_BY_KEY["foresatt"].national_id
    assert claims["acr"] == "idporten-loa-substantial"
    assert claims["amr"] and claims["nonce"] == "n1"
    userinfo = requests.get(
        f"{dev_idp}/idporten/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}, timeout=5
    )
    assert set(userinfo.json()) == {"sub", "pid", "locale"}


def test_entra_and_feide_issue_their_own_identifiers(dev_idp: str) -> None:
    entra = jwt.decode(
        _token(dev_idp, _code(dev_idp, "rektor", "entra"), issuer="entra").json()["id_token"],
        options={"verify_signature": False},
    )
    feide = jwt.decode(
        _token(dev_idp, _code(dev_idp, "laerer", "feide"), issuer="feide").json()["id_token"],
        options={"verify_signature": False},
    )
    assert entra["oid"] == PERSONAS_BY_KEY["rektor"].entra_oid
    assert {"tid", "roles", "preferred_username", "name"} <= set(entra)
    assert feide["https://n.feide.no/claims/userid_sec"] == [PERSONAS_BY_KEY["laerer"].feide_id]


def test_token_request_with_the_wrong_pkce_verifier_is_refused(dev_idp: str) -> None:
    assert _token(dev_idp, _code(dev_idp), verifier="w" * 64).status_code == 400


def test_token_request_with_the_wrong_client_secret_is_refused(dev_idp: str) -> None:
    assert _token(dev_idp, _code(dev_idp), secret="wrong").status_code == 401


def test_a_code_is_accepted_only_once(dev_idp: str) -> None:
    code = _code(dev_idp)
    assert _token(dev_idp, code).status_code == 200
    assert _token(dev_idp, code).json()["error"] == "invalid_grant"


def test_authorize_without_pkce_s256_is_answered_with_an_error(dev_idp: str) -> None:
    for overrides in ({"code_challenge": "", "code_challenge_method": ""}, {"code_challenge_method": "plain"}):
        answer = requests.get(_authorize(dev_idp, **overrides), allow_redirects=False, timeout=5)
        assert answer.status_code == 302
        assert "error=invalid_request" in answer.headers["Location"]


def test_authorize_refuses_redirects_off_loopback(dev_idp: str) -> None:
    answer = requests.get(_authorize(dev_idp, redirect_uri="https://evil.example/cb"), allow_redirects=False, timeout=5)
    assert answer.status_code == 400
    assert "Location" not in answer.headers


def test_login_page_lists_the_personas_of_the_issuer(dev_idp: str) -> None:
    page = requests.get(_authorize(dev_idp), timeout=5).text
    assert "Hanne Hansen" in page and "idporten-loa-high" in page
    assert "Randi Rektorsen" not in page


def _call(app: DevIdpApp, method: str, path: str, body: bytes = b"") -> tuple[str, bytes]:
    status: list[str] = []
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": BytesIO(body),
    }
    chunks = app(environ, lambda s, h: status.append(s))
    return status[0], b"".join(chunks)


def test_defect_endpoints_exist_only_in_test_mode() -> None:
    provider = DevProvider(base_url="http://127.0.0.1:1", clients=dict([CLIENT]), redirect_hosts={"127.0.0.1"})
    status, _ = _call(DevIdpApp(provider), "POST", "/_test/flaws", b'{"issuer": "idporten", "foreign_key": true}')
    assert status.startswith("404")
    assert not provider.issuers["idporten"].flaws


def test_end_session_redirects_only_with_a_valid_id_token_hint(dev_idp: str) -> None:
    id_token = _token(dev_idp, _code(dev_idp)).json()["id_token"]
    target = "http://testserver/logout/done/"
    good = requests.get(
        f"{dev_idp}/idporten/endsession",
        params={"id_token_hint": id_token, "post_logout_redirect_uri": target},
        allow_redirects=False,
        timeout=5,
    )
    bad = requests.get(
        f"{dev_idp}/idporten/endsession",
        params={"id_token_hint": "x.y.z", "post_logout_redirect_uri": target},
        allow_redirects=False,
        timeout=5,
    )
    assert urlsplit(good.headers["Location"]).path == "/logout/done/"
    assert bad.status_code == 200
