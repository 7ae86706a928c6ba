"""The OIDC providers this site trusts, read from settings.OIDC_PROVIDERS, and their discovery metadata."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

STAFF = "staff"
GUARDIAN = "guardian"
PROVIDER_KINDS = {"idporten": GUARDIAN, "entra": STAFF, "feide": STAFF}
PROVIDER_TITLES = {"idporten": "ID-porten", "entra": "Microsoft Entra ID", "feide": "Feide"}

FEIDE_USERID_SEC = "https://n.feide.no/claims/userid_sec"
DEFAULT_MATCH_CLAIMS = {"entra": "oid", "feide": FEIDE_USERID_SEC}
DEFAULT_SCOPES = {
    "idporten": "openid profile",
    "entra": "openid profile email",
    "feide": "openid profile email userid userid-feide",
}

LOA_LOW = "idporten-loa-low"
LOA_SUBSTANTIAL = "idporten-loa-substantial"
LOA_HIGH = "idporten-loa-high"
ACR_RANK = {LOA_LOW: 1, LOA_SUBSTANTIAL: 2, LOA_HIGH: 3}

DISCOVERY_TTL_SECONDS = 24 * 3600  # ID-porten asks clients to cache metadata for 24 hours
HTTP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Provider:
    key: str
    kind: str  # STAFF | GUARDIAN
    issuer: str
    client_id: str
    client_secret: str
    match_claim: str
    tenant_id: str
    scopes: str

    @property
    def title(self) -> str:
        return PROVIDER_TITLES[self.key]


def provider_get(key: str) -> Provider | None:
    """Return the configured provider ``key``, or None when it is not active."""
    config = settings.OIDC_PROVIDERS.get(key)
    if key not in PROVIDER_KINDS or not config:
        return None
    return Provider(
        key=key,
        kind=PROVIDER_KINDS[key],
        issuer=str(config["issuer"]).rstrip("/"),
        client_id=str(config.get("client_id", "")),
        client_secret=str(config.get("client_secret", "")),
        match_claim=str(config.get("match_claim") or DEFAULT_MATCH_CLAIMS.get(key, "")),
        tenant_id=str(config.get("tenant_id") or ""),
        scopes=DEFAULT_SCOPES[key],
    )


def providers_for(kind: str) -> list[Provider]:
    """Active providers for staff or for guardians, in a stable order."""
    found = (provider_get(key) for key, k in PROVIDER_KINDS.items() if k == kind)
    return [p for p in found if p is not None]


class DiscoveryError(RuntimeError):
    """The provider's metadata could not be fetched or does not match its issuer."""


_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_cache_lock = threading.Lock()


def provider_metadata(provider: Provider) -> dict[str, Any]:
    """Fetch (and cache) ``/.well-known/openid-configuration``; its ``issuer`` must equal the configured one."""
    with _cache_lock:
        cached = _cache.get(provider.issuer)
    if cached and time.monotonic() - cached[0] < DISCOVERY_TTL_SECONDS:
        return cached[1]
    try:
        response = requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=HTTP_TIMEOUT_SECONDS)
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise DiscoveryError(f"{provider.key}: cannot read metadata from {provider.issuer}: {exc}") from exc
    if metadata.get("issuer", "").rstrip("/") != provider.issuer:
        raise DiscoveryError(f"{provider.key}: metadata issuer {metadata.get('issuer')!r} != {provider.issuer!r}")
    with _cache_lock:
        _cache[provider.issuer] = (time.monotonic(), metadata)
    return metadata
