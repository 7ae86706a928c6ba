"""A generic outbox kind: POST the payload's ``body`` as JSON to ``url`` with an ``Idempotency-Key`` header.

Used for simple receivers (and by the outbox's own tests against ``ReceiverSimulator``); national systems
have their own kinds and handlers.
"""

from __future__ import annotations

from typing import Any

from integrations.common.errors import PermanentError
from integrations.common.transport import Transport
from integrations.outbox.registry import Delivery

KIND = "integrations.http_post"


def deliver_http_post(delivery: Delivery) -> dict[str, Any]:
    """POST the body; the receiver deduplicates on the idempotency key."""
    url = str(delivery.payload.get("url", ""))
    if not url.startswith(("http://", "https://")):
        raise PermanentError(f"Ugyldig mottakeradresse: {url!r}", system="http_post")
    transport = Transport(base_url=url, timeout=float(delivery.payload.get("timeout", 30)))
    transport.system = "http_post"
    try:
        response = transport.request(
            "POST",
            "",
            json_body=delivery.payload.get("body", {}),
            headers={"Idempotency-Key": delivery.idempotency_key},
        )
        return {"status": response.status_code}
    finally:
        transport.close()
