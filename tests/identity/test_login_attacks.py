"""Bad input and attacks on the login: forged, expired or misaddressed tokens, replays, open redirects."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from oas.audit.models import AuditEvent
from oas.identity.login_session import SESSION_AUTH
from oas.identity.models import Account
from oas.identity.views import landing_url
from tests.identity.conftest import (
    guardian_from_persona,
    last_id_token,
    login_flow,
    provider_answer,
    queue_flaw,
    staff_from_persona,
    start,
)

pytestmark = pytest.mark.django_db

User = get_user_model()

TOKEN_DEFECTS: dict[str, dict[str, Any]] = {
    "signed with a key not in the JWKS": {"foreign_key": True},
    "expired": {"relative_times": {"exp": -3600, "iat": -7200}},
    "expired beyond the allowed clock skew": {"relative_times": {"exp": -120}},
    "issued in the future": {"relative_times": {"iat": 3600}},
    "for another audience": {"claims": {"aud": "another-client"}},
    "from another issuer": {"claims": {"iss": "http://127.0.0.1:1/idporten"}},
    "without a subject": {"remove": ["sub"]},
    "without a nonce": {"remove": ["nonce"]},
    "with another nonce": {"claims": {"nonce": "not-the-nonce-we-sent"}},
}


@pytest.mark.parametrize("defect", TOKEN_DEFECTS.values(), ids=TOKEN_DEFECTS.keys())
def test_defective_id_token_is_refused_and_creates_no_account(
    oidc: str, client: Client, defect: dict[str, Any]
) -> None:
    guardian_from_persona("foresatt")
    queue_flaw(oidc, "idporten", **defect)
    flow = login_flow(client, "/login/guardian/", persona="foresatt")
    assert flow.response.status_code == 400
    assert "kunne ikke godkjennes" in flow.response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()
    assert AuditEvent.objects.filter(event="login.refused", details__reason="invalid_token").exists()


def test_forged_staff_token_is_refused(oidc: str, client: Client) -> None:
    staff_from_persona("rektor")
    queue_flaw(oidc, "entra", foreign_key=True)
    flow = login_flow(client, "/login/staff/entra/", persona="rektor")
    assert flow.response.status_code == 400
    assert not Account.objects.exists()


def test_token_expired_within_the_allowed_clock_skew_is_accepted(oidc: str, client: Client) -> None:
    guardian_from_persona("foresatt")
    queue_flaw(oidc, "idporten", relative_times={"exp": -20})
    flow = login_flow(client, "/login/guardian/", persona="foresatt")
    assert flow.response.status_code == 302


def test_missing_acr_is_refused(oidc: str, client: Client) -> None:
    guardian_from_persona("foresatt")
    queue_flaw(oidc, "idporten", remove=["acr"])
    flow = login_flow(client, "/login/guardian/", persona="foresatt")
    assert flow.response.status_code == 400
    assert "sikkerhetsnivået" in flow.response.content.decode()
    assert not Account.objects.exists()


def test_too_low_acr_is_refused(oidc: str, client: Client) -> None:
    guardian_from_persona("foresatt")
    queue_flaw(oidc, "idporten", claims={"acr": "idporten-loa-low"})
    flow = login_flow(client, "/login/guardian/", persona="foresatt")
    assert flow.response.status_code == 403
    assert "for lavt sikkerhetsnivå" in flow.response.content.decode()
    assert not Account.objects.exists()


def test_replayed_nonce_from_an_earlier_login_is_refused(oidc: str, client: Client) -> None:
    import jwt

    guardian_from_persona("foresatt")
    login_flow(Client(), "/login/guardian/", persona="foresatt")
    old_nonce = jwt.decode(last_id_token(oidc, "idporten"), options={"verify_signature": False})["nonce"]
    queue_flaw(oidc, "idporten", claims={"nonce": old_nonce})
    flow = login_flow(client, "/login/guardian/", persona="foresatt")
    assert flow.response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_replayed_state_is_refused(oidc: str, client: Client) -> None:
    guardian_from_persona("foresatt")
    flow = login_flow(client, "/login/guardian/", persona="foresatt")
    assert flow.response.status_code == 302
    replay = client.get(flow.callback_url)
    assert replay.status_code == 400
    assert "allerede brukt" in replay.content.decode()


def test_callback_pasted_into_another_browser_does_not_log_it_in(oidc: str, client: Client) -> None:
    """Login CSRF: an attacker's code and state are worthless in a session that did not start the flow."""
    guardian_from_persona("foresatt")
    authorize_url = start(client, "/login/guardian/")
    callback = provider_answer(authorize_url, persona="foresatt")
    victim = Client()
    response = victim.get(callback)
    assert response.status_code == 400
    assert "_auth_user_id" not in victim.session


def test_replayed_code_is_refused_by_the_provider(oidc: str, client: Client) -> None:
    guardian_from_persona("foresatt")
    first = login_flow(client, "/login/guardian/", persona="foresatt")
    used_code = first.callback_url.split("code=")[1].split("&")[0]
    attacker = Client()
    authorize_url = start(attacker, "/login/guardian/")
    fresh_callback = provider_answer(authorize_url, persona="foresatt")
    state = fresh_callback.split("state=")[1].split("&")[0]
    response = attacker.get(f"/login/idporten/callback/?code={used_code}&state={state}")
    assert response.status_code == 400
    assert "_auth_user_id" not in attacker.session


def test_callback_of_another_provider_is_refused(oidc: str, client: Client) -> None:
    guardian_from_persona("foresatt")
    authorize_url = start(client, "/login/guardian/")
    callback = provider_answer(authorize_url, persona="foresatt")
    response = client.get(callback.replace("/login/idporten/callback/", "/login/entra/callback/"))
    assert response.status_code == 400


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
    ],
)
def test_next_pointing_off_site_is_ignored_after_login(oidc: str, client: Client, next_url: str) -> None:
    guardian_from_persona("foresatt")
    authorize_url = start(client, f"/login/guardian/?next={next_url}")
    response = client.get(provider_answer(authorize_url, persona="foresatt"))
    assert response.status_code == 302
    assert response["Location"] == landing_url("guardian")


def test_next_on_this_site_is_followed_after_login(oidc: str, client: Client) -> None:
    guardian_from_persona("foresatt")
    authorize_url = start(client, "/login/guardian/?next=/portal/barn/7/")
    response = client.get(provider_answer(authorize_url, persona="foresatt"))
    assert response["Location"] == "/portal/barn/7/"
    assert client.session[SESSION_AUTH]["provider"] == "idporten"
