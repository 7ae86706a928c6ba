"""System checks: a configured login provider must be complete, so a broken setup fails at start, not at login."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from oas.identity.providers import PROVIDER_KINDS


@register()
def oidc_providers_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Every entry in OIDC_PROVIDERS names a known provider and has an issuer, a client id and a secret."""
    problems: list[CheckMessage] = []
    for key, config in settings.OIDC_PROVIDERS.items():
        if key not in PROVIDER_KINDS:
            problems.append(
                Error(f"Unknown OIDC provider {key!r}; use one of {sorted(PROVIDER_KINDS)}.", id="identity.E001")
            )
            continue
        for field in ("issuer", "client_id", "client_secret"):
            if not config.get(field):
                name = f"OIDC_{key.upper()}_{field.upper()}"
                problems.append(
                    Error(f"{name} (or {name}_FILE) is required when {key} is enabled.", id="identity.E002")
                )
    return problems
