"""What the session remembers about how the user logged in (provider, level of assurance and when)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from oas import clock

SESSION_FLOWS = "oas_oidc_flows"  # state -> {provider, next, acr, stepup_user_id} for logins in progress
SESSION_AUTH = "oas_auth"  # {provider, kind, acr, acr_at, id_token, sid} for the current login
MAX_PENDING_FLOWS = 10


def login_info(request: HttpRequest) -> dict[str, Any]:
    """Return the current login's record (empty when not logged in through OIDC)."""
    value = request.session.get(SESSION_AUTH)
    return value if isinstance(value, dict) else {}


def login_info_store(request: HttpRequest, *, provider: str, kind: str, acr: str, id_token: str, sid: str) -> None:
    """Remember how this session logged in; ``acr_at`` dates the level of assurance for step-up."""
    request.session[SESSION_AUTH] = {
        "provider": provider,
        "kind": kind,
        "acr": acr,
        "acr_at": clock.now().timestamp(),
        "id_token": id_token,
        "sid": sid,
    }


def flow_add(request: HttpRequest, state: str, flow: dict[str, Any]) -> None:
    flows = dict(request.session.get(SESSION_FLOWS) or {})
    flows[state] = flow
    # Keep only the newest few: each tab may have one login in progress, nothing more is needed.
    request.session[SESSION_FLOWS] = dict(list(flows.items())[-MAX_PENDING_FLOWS:])


def flow_pop(request: HttpRequest, state: str) -> dict[str, Any] | None:
    """Take the flow for ``state`` out of the session (one use only: a replayed state finds nothing)."""
    flows = dict(request.session.get(SESSION_FLOWS) or {})
    flow = flows.pop(state, None) if state else None
    request.session[SESSION_FLOWS] = flows
    oidc_states = dict(request.session.get("oidc_states") or {})
    verifier = oidc_states.pop(state, None) if state else None
    request.session["oidc_states"] = oidc_states
    if flow is None or verifier is None:
        return None
    return {**flow, "nonce": verifier.get("nonce"), "code_verifier": verifier.get("code_verifier")}
