"""The client's address: ``X-Forwarded-For`` counts only when the direct peer is a configured proxy.

Anyone can send ``X-Forwarded-For``; believing it from any peer let a client rotate the header to escape a
per-address rate limit. ``TRUSTED_PROXIES`` (addresses or networks, e.g. ``10.0.0.5,10.1.0.0/16``) lists the
reverse proxies in front of OAS. When the peer (``REMOTE_ADDR``) is one of them, the header is read from the
right, skipping further trusted proxies, and the first address that is not a trusted proxy is the client;
otherwise ``REMOTE_ADDR`` is the client and the header is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(meta: Any) -> str:
    """The client's address from a request's ``META`` (or a WSGI environ)."""
    remote = str(meta.get("REMOTE_ADDR", "") or "")
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if not networks or not _trusted(_address(remote), networks):
        return remote
    forwarded = [part for part in str(meta.get("HTTP_X_FORWARDED_FOR", "") or "").split(",") if part.strip()]
    for hop in reversed(forwarded):
        address = _address(hop)
        if address is None:
            return remote  # a malformed hop: do not guess past it
        if not _trusted(address, networks):
            return str(address)
    return remote
