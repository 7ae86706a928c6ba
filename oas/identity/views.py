"""Login entrances (staff, guardians), OIDC callbacks, step-up and logout. Thin: checks live in the backend
and the services."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.crypto import get_random_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import View
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.identity import errors
from oas.identity.backends import OIDCBackend, login_result
from oas.identity.login_session import flow_add, flow_pop, login_info, login_info_store
from oas.identity.models import AccountKind
from oas.identity.providers import (
    GUARDIAN,
    LOA_HIGH,
    LOA_SUBSTANTIAL,
    STAFF,
    DiscoveryError,
    Provider,
    provider_get,
    provider_metadata,
    providers_for,
)
from oas.identity.services import login_refusal

logger = logging.getLogger(__name__)

FAILURE_MESSAGES = {
    errors.UNKNOWN_PERSON: _(
        "Du er logget inn hos ID-porten, men fødselsnummeret ditt finnes ikke i kommunens register over barn og "
        "foresatte. Har du nylig flyttet hit, kan det ta noen dager før du kommer inn. Kontakt kommunen om du mener "
        "dette er feil."
    ),
    errors.UNKNOWN_EMPLOYEE: _(
        "Brukeren din er ikke koblet til en aktiv ansatt i kommunens personalsystem. Kontakt nærmeste leder eller "
        "IT-brukerstøtte."
    ),
    errors.WRONG_TENANT: _("Brukeren kommer fra en annen organisasjon enn kommunen."),
    errors.ACR_MISSING: _("ID-porten oppga ikke sikkerhetsnivået for innloggingen. Prøv igjen."),
    errors.ACR_TOO_LOW: _(
        "Innloggingen hadde for lavt sikkerhetsnivå. Logg inn med BankID, Buypass eller tilsvarende."
    ),
    errors.STEPUP_OTHER_PERSON: _("Den nye innloggingen var for en annen person enn den som var logget inn."),
    errors.INVALID_STATE: _("Innloggingen er utløpt eller allerede brukt. Start innloggingen på nytt."),
    errors.INVALID_TOKEN: _("Svaret fra innloggingstjenesten kunne ikke godkjennes. Start innloggingen på nytt."),
    errors.PROVIDER_ERROR: _("Innloggingen ble avbrutt eller avvist hos innloggingstjenesten."),
    errors.PROVIDER_UNAVAILABLE: _("Innloggingstjenesten er ikke tilgjengelig akkurat nå. Prøv igjen senere."),
}


def safe_next(request: HttpRequest, value: str | None) -> str | None:
    """Return ``value`` when it points back into this site, else None (no open redirects)."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


def landing_url(kind: str) -> str:
    """Staff land on the arbeidsflate, guardians in the portal."""
    name = "arbeidsflate:home" if kind == STAFF else "portal:home"
    try:
        return reverse(name)
    except NoReverseMatch:
        return "/"


def login_failed(request: HttpRequest, reason: str, *, status: int, provider: Provider | None = None) -> HttpResponse:
    context = {
        "reason": reason,
        "message": FAILURE_MESSAGES.get(reason, FAILURE_MESSAGES[errors.INVALID_TOKEN]),
        "retry_url": reverse("identity:guardian" if provider and provider.kind == GUARDIAN else "identity:login"),
    }
    return render(request, "identity/login_failed.html", context, status=status)


class ProviderLoginView(OIDCAuthenticationRequestView):
    """Start the code flow (state, nonce, PKCE S256) at one provider; the answer comes to its own callback."""

    provider_key = ""
    stepup = False

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the parent would read one provider from global settings
        self.provider: Provider | None = None

    def get_settings(self, attr: str, *args: Any) -> Any:
        overrides: dict[str, Any] = {
            "OIDC_USE_NONCE": True,
            "OIDC_USE_PKCE": True,
            "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
            "OIDC_PKCE_CODE_VERIFIER_SIZE": 64,
            "OIDC_STATE_SIZE": 32,
            "OIDC_NONCE_SIZE": 32,
            "OIDC_REDIRECT_FIELD_NAME": "next",
        }
        if self.provider is not None:
            overrides["OIDC_AUTHENTICATION_CALLBACK_URL"] = f"identity:callback-{self.provider.key}"
            overrides["OIDC_RP_SCOPES"] = self.provider.scopes
        if attr in overrides:
            return overrides[attr]
        return import_from_settings(attr, *args)

    def required_acr(self) -> str:
        return LOA_HIGH if self.stepup else LOA_SUBSTANTIAL

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        params = {"ui_locales": "nb"}
        if self.provider is not None and self.provider.kind == GUARDIAN:
            params["acr_values"] = self.required_acr()
        if self.stepup:
            params["prompt"] = "login"
        return params

    def get(self, request: HttpRequest) -> HttpResponse:
        provider = provider_get(self.provider_key)
        if provider is None:
            return login_failed(request, errors.PROVIDER_UNAVAILABLE, status=404)
        next_url = safe_next(request, request.GET.get("next"))
        stepup_user_id = None
        if self.stepup:
            account = getattr(request.user, "account", None) if request.user.is_authenticated else None
            if account is None or account.kind != AccountKind.GUARDIAN:
                target = reverse("identity:guardian") + (f"?{urlencode({'next': next_url})}" if next_url else "")
                return HttpResponseRedirect(target)
            stepup_user_id = request.user.pk
        try:
            metadata = provider_metadata(provider)
        except DiscoveryError:
            logger.exception("OIDC discovery failed")
            return login_failed(request, errors.PROVIDER_UNAVAILABLE, status=503, provider=provider)
        self.provider = provider
        self.OIDC_OP_AUTH_ENDPOINT = metadata["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = provider.client_id
        response = super().get(request)
        state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
        flow_add(
            request,
            state,
            {"provider": provider.key, "next": next_url, "acr": self.required_acr(), "stepup_user_id": stepup_user_id},
        )
        return response


class ProviderCallbackView(View):
    """The provider sends the browser back here with ``code`` and ``state``; one URL per provider."""

    http_method_names = ["get"]
    provider_key = ""

    def get(self, request: HttpRequest) -> HttpResponse:  # noqa: PLR0911 - each refusal has its own page
        provider = provider_get(self.provider_key)
        if provider is None:
            return login_failed(request, errors.PROVIDER_UNAVAILABLE, status=404)
        flow = flow_pop(request, request.GET.get("state", ""))
        if request.GET.get("error"):
            return login_failed(request, errors.PROVIDER_ERROR, status=400, provider=provider)
        if flow is None or flow.get("provider") != provider.key or not request.GET.get("code"):
            login_refusal(provider=provider, reason=errors.INVALID_STATE)
            return login_failed(request, errors.INVALID_STATE, status=400, provider=provider)
        try:
            user = OIDCBackend().authenticate(
                request, provider=provider, nonce=flow["nonce"], code_verifier=flow["code_verifier"], flow=flow
            )
        except errors.LoginRejected as exc:
            logger.info("login refused at %s: %s", provider.key, exc)
            return login_failed(request, exc.reason, status=exc.http_status, provider=provider)
        except (DiscoveryError, requests.RequestException, SuspiciousOperation, ValueError, KeyError) as exc:
            logger.warning("login failed at %s: %s", provider.key, exc)
            login_refusal(provider=provider, reason=errors.INVALID_TOKEN, detail=type(exc).__name__)
            return login_failed(request, errors.INVALID_TOKEN, status=400, provider=provider)
        result = login_result(request)
        if user is None or not user.is_active or result is None:
            return login_failed(request, errors.INVALID_TOKEN, status=400, provider=provider)
        auth.login(request, user, backend="oas.identity.backends.OIDCBackend")
        login_info_store(
            request,
            provider=result.provider,
            kind=result.kind,
            acr=result.acr,
            id_token=result.id_token,
            sid=result.sid,
        )
        if flow.get("stepup_user_id"):
            audit_record(
                action=AuditAction.LOGIN,
                event="login.stepup",
                user_id=user.pk,
                actor_display=user.get_full_name() or user.username,
                details={"provider": provider.key, "acr": result.acr},
            )
        return HttpResponseRedirect(flow.get("next") or landing_url(result.kind))


@never_cache
@require_GET
def login_choice(request: HttpRequest) -> HttpResponse:
    """The front door: choose staff or guardian login."""
    next_url = safe_next(request, request.GET.get("next"))
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    context = {
        "staff_url": reverse("identity:staff") + query,
        "guardian_url": reverse("identity:guardian") + query,
        "staff_available": bool(providers_for(STAFF)),
        "guardian_available": bool(providers_for(GUARDIAN)),
        "login": login_info(request),
    }
    return render(request, "identity/login_choice.html", context)


@never_cache
@require_GET
def staff_choice(request: HttpRequest) -> HttpResponse:
    """Staff: straight to the only active provider, or a choice between Entra ID and Feide."""
    providers = providers_for(STAFF)
    next_url = safe_next(request, request.GET.get("next"))
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    if len(providers) == 1:
        return HttpResponseRedirect(reverse(f"identity:start-{providers[0].key}") + query)
    choices = [(p.title, reverse(f"identity:start-{p.key}") + query) for p in providers]
    return render(request, "identity/staff_choice.html", {"choices": choices}, status=200 if choices else 503)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """End the local session, then the provider's (RP-initiated logout with id_token_hint)."""
    info = login_info(request)
    done = request.build_absolute_uri(reverse("identity:logged-out"))
    target = done
    provider = provider_get(str(info.get("provider", "")))
    if provider is not None and info.get("id_token"):
        try:
            endpoint = provider_metadata(provider).get("end_session_endpoint")
        except DiscoveryError:
            endpoint = None
        if endpoint:
            params = {
                "id_token_hint": info["id_token"],
                "post_logout_redirect_uri": done,
                "client_id": provider.client_id,
                "state": get_random_string(24),
            }
            target = f"{endpoint}?{urlencode(params)}"
    if request.user.is_authenticated:
        audit_record(action=AuditAction.LOGOUT, event="logout", details={"provider": str(info.get("provider", ""))})
    auth.logout(request)
    return HttpResponseRedirect(target)


@never_cache
@require_GET
def logged_out(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/logged_out.html")
