"""Transactional outbox. Public API (stable, used by every integration):

* ``outbox_enqueue(kind=..., payload=..., idempotency_key=..., deliver_after=None)`` — call inside the business
  transaction; a second call with the same key returns the existing row.
* ``register_handler(kind, handler)`` — ``handler(delivery: Delivery) -> dict | None``; raise
  ``TransientError`` (retried with backoff) or ``PermanentError`` (dead letter). Pass
  ``delivery.idempotency_key`` to the receiver.
"""

from integrations.outbox.registry import Delivery, Handler, get_handler, register_handler, registered_kinds
from integrations.outbox.services import outbox_enqueue, outbox_retry

__all__ = [
    "Delivery",
    "Handler",
    "get_handler",
    "outbox_enqueue",
    "outbox_retry",
    "register_handler",
    "registered_kinds",
]
