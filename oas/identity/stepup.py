"""Step-up: sensitive guardian actions need a recent ID-porten login at level high (idporten-loa-high)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from oas import clock
from oas.identity.login_session import login_info
from oas.identity.models import AccountKind
from oas.identity.providers import LOA_HIGH

V = TypeVar("V", bound=Callable[..., HttpResponse])


def has_recent_high(request: HttpRequest) -> bool:
    """True when this session logged in at level high within OIDC_STEPUP_MAX_AGE_SECONDS."""
    info = login_info(request)
    if info.get("acr") != LOA_HIGH:
        return False
    age = clock.now().timestamp() - float(info.get("acr_at") or 0)
    return 0 <= age <= settings.OIDC_STEPUP_MAX_AGE_SECONDS


def stepup_url(next_url: str) -> str:
    return f"{reverse('identity:stepup')}?{urlencode({'next': next_url})}"


def require_loa_high(view: V) -> V:
    """Send a guardian without a recent level-high login through ID-porten again, then back to this page.

    Staff and break-glass users pass: they never log in through ID-porten, and what they may do is the
    access-control layer's decision. Anonymous users go to the guardian login first.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return HttpResponseRedirect(
                f"{reverse('identity:guardian')}?{urlencode({'next': request.get_full_path()})}"
            )
        account = getattr(request.user, "account", None)
        if account is not None and account.kind == AccountKind.GUARDIAN and not has_recent_high(request):
            return HttpResponseRedirect(stepup_url(request.get_full_path()))
        return view(request, *args, **kwargs)

    wrapper.oas_requires_loa_high = True  # type: ignore[attr-defined]
    return cast(V, wrapper)
