"""Maskinporten: system-to-system OAuth2 tokens (JWT-bearer grant) for FREG, SvarUt, Fiks and the archive.

Domain code and live clients ask ``get_token_provider()`` for a ``TokenProvider`` (see ``port.py``).
"""

from __future__ import annotations

import threading

from django.conf import settings

from integrations.common.errors import ConfigurationMissing
from integrations.maskinporten.port import TokenProvider

_lock = threading.Lock()
_providers: dict[tuple[object, ...], TokenProvider] = {}


def _live_config() -> tuple[object, ...]:
    from integrations.maskinporten.client import MaskinportenConfig

    missing = [
        name
        for name in (
            "MASKINPORTEN_TOKEN_URL",
            "MASKINPORTEN_AUDIENCE",
            "MASKINPORTEN_CLIENT_ID",
            "MASKINPORTEN_KID",
            "MASKINPORTEN_PRIVATE_KEY",
        )
        if not getattr(settings, name, "")
    ]
    if missing:
        raise ConfigurationMissing(
            "MASKINPORTEN_MODE=live needs " + ", ".join(missing) + " (secrets may be given as <NAME>_FILE).",
            system="maskinporten",
        )
    return (
        "live",
        MaskinportenConfig(
            token_url=settings.MASKINPORTEN_TOKEN_URL,
            audience=settings.MASKINPORTEN_AUDIENCE,
            client_id=settings.MASKINPORTEN_CLIENT_ID,
            kid=settings.MASKINPORTEN_KID,
            private_key_pem=settings.MASKINPORTEN_PRIVATE_KEY,
            consumer_org=getattr(settings, "MASKINPORTEN_CONSUMER_ORG", "") or "",
        ),
    )


def _simulator_config() -> tuple[object, ...]:
    from integrations.maskinporten.client import MaskinportenConfig
    from integrations.maskinporten.simulator import (
        SIMULATOR_CLIENT_ID,
        SIMULATOR_KID,
        simulator_client_private_key,
    )

    base = settings.MASKINPORTEN_SIMULATOR_URL.rstrip("/")
    return (
        "simulator",
        MaskinportenConfig(
            token_url=base + "/token",
            audience=base + "/",
            client_id=SIMULATOR_CLIENT_ID,
            kid=SIMULATOR_KID,
            private_key_pem=simulator_client_private_key(),
        ),
    )


def get_token_provider() -> TokenProvider:
    """Return the process-wide token provider for ``MASKINPORTEN_MODE`` (simulator|live); fail loudly if unset."""
    from integrations.maskinporten.client import MaskinportenClient, MaskinportenConfig

    mode = settings.INTEGRATION_MODES["maskinporten"]
    key = _live_config() if mode == "live" else _simulator_config()
    with _lock:
        provider = _providers.get(key)
        if provider is None:
            config = key[1]
            assert isinstance(config, MaskinportenConfig)
            provider = MaskinportenClient(config=config)
            _providers[key] = provider
        return provider
