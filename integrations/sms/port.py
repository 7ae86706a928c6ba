"""The port the domain calls to send an SMS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

from integrations.common.errors import ConfigurationMissing


@dataclass(frozen=True)
class SmsReceipt:
    id: str
    duplicate: bool


@dataclass(frozen=True)
class SmsOutgoing:
    recipient: str
    text: str
    reference: str


@dataclass(frozen=True)
class SmsItemResult:
    reference: str
    ok: bool
    error: str = ""


class SmsGateway(Protocol):
    def send(self, *, recipient: str, text: str, reference: str) -> SmsReceipt:
        """Send one SMS; ``reference`` is the idempotency key. Raise Transient/PermanentError."""
        ...

    def send_batch(self, *, messages: list[SmsOutgoing]) -> list[SmsItemResult]:
        """Send up to 500 SMS in one request; per-item results (a refused number fails only its item)."""
        ...

    def close(self) -> None: ...


def sms_simulator_url() -> str:
    host = getattr(settings, "SIMULATOR_HOST", "127.0.0.1")
    port = settings.SIMULATOR_PORTS.get("sms", 8204)
    return str(getattr(settings, "SMS_SIMULATOR_URL", "") or f"http://{host}:{port}")


def get_sms_gateway() -> SmsGateway:
    """Return the live client or the simulator's client, by ``SMS_MODE``."""
    from integrations.sms.client import SmsClient

    mode = settings.INTEGRATION_MODES.get("sms", "simulator")
    if mode == "live":
        base = getattr(settings, "SMS_BASE_URL", "")
        key = getattr(settings, "SMS_API_KEY", "")
        if not base or not key:
            raise ConfigurationMissing("SMS_MODE=live needs SMS_BASE_URL and SMS_API_KEY", system="sms")
        return SmsClient(base_url=base, api_key=key)
    return SmsClient(base_url=sms_simulator_url(), api_key="simulator-key")
