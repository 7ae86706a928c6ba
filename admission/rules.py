"""What a service that admits children plugs into the shared admission workflow (``admission.services``).

Kindergarten admission ranks programmes per age group over several choices; SFO admission has one programme
per SFO at the child's school and ranks by age. Both are the same workflow with different rules: each domain
app provides one object satisfying :class:`AdmissionRules` and passes it to the shared steps.
"""

from __future__ import annotations

from typing import Protocol


class AdmissionRules(Protocol):
    """A service's admission rules, as the shared workflow needs them."""

    @property
    def service(self) -> str:
        """Prefix of audit events ("kindergarten", "sfo")."""

    @property
    def letter_kind(self) -> str:
        """Outbox kind whose handler sends and archives one decision letter."""

    @property
    def letter_payload_key(self) -> str:
        """The payload key naming the letter's row for that handler ("letter_id", "application_id")."""

    @property
    def letter_key_prefix(self) -> str:
        """Idempotency-key prefix of the letter deliveries ("kg-vedtak-send", "sfo-vedtak-send")."""

    @property
    def duplicate_message(self) -> str:
        """What a guardian is told when the child already has an application in the round."""
