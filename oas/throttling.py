"""DRF throttles keyed on ``oas.client_ip`` (DRF's own reads X-Forwarded-For from anyone)."""

from __future__ import annotations

from typing import Any

from rest_framework.throttling import AnonRateThrottle

from oas.client_ip import client_ip


class ClientAddressRateThrottle(AnonRateThrottle):
    """Like ``AnonRateThrottle``, but a client cannot pick its own key with X-Forwarded-For."""

    def get_ident(self, request: Any) -> str:
        return client_ip(request.META)
