"""Login entrances, one callback per provider, step-up and logout."""

from __future__ import annotations

from django.urls import path
from django.views.decorators.cache import never_cache

from oas.access.markers import public
from oas.identity import views

app_name = "identity"


def _start(provider: str, *, stepup: bool = False):  # type: ignore[no-untyped-def]
    return public(never_cache(views.ProviderLoginView.as_view(provider_key=provider, stepup=stepup)))


def _callback(provider: str):  # type: ignore[no-untyped-def]
    return public(never_cache(views.ProviderCallbackView.as_view(provider_key=provider)))


urlpatterns = [
    path("login/", public(views.login_choice), name="login"),
    path("login/staff/", public(views.staff_choice), name="staff"),
    path("login/staff/entra/", _start("entra"), name="start-entra"),
    path("login/staff/feide/", _start("feide"), name="start-feide"),
    path("login/guardian/", _start("idporten"), name="guardian"),
    path("login/guardian/stepup/", _start("idporten", stepup=True), name="stepup"),
    path("login/entra/callback/", _callback("entra"), name="callback-entra"),
    path("login/feide/callback/", _callback("feide"), name="callback-feide"),
    path("login/idporten/callback/", _callback("idporten"), name="callback-idporten"),
    path("logout/", public(views.logout), name="logout"),
    path("logout/done/", public(views.logged_out), name="logged-out"),
]
