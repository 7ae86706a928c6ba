"""Guardian-side registry: what needs a guardian's attention ("trenger din oppmerksomhet").

Apps register providers in ``AppConfig.ready()``, like the staff arbeidsflate::

    from oas.portal.registry import AttentionItem, portal_registry
    portal_registry.register_attention_provider(MyProvider())

A provider gets the guardian's user and the children the portal shows (already access-checked) and returns
items (e.g. "Svar på tilbud om barnehageplass", "Faktura forfaller"). It must respect the same rules.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.db import transaction

if TYPE_CHECKING:
    from oas.access.principal import Actor

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AttentionItem:
    key: str
    title: str
    url: str
    module: str
    child_id: int | None = None
    severity: str = "info"  # info | warning | danger


class AttentionProvider(Protocol):
    key: str
    module: str

    def items_for(self, *, user: Actor, child_ids: list[int]) -> list[AttentionItem]:
        """Return what needs the guardian's attention for these children."""
        ...


class PortalRegistry:
    def __init__(self) -> None:
        self._providers: dict[str, AttentionProvider] = {}

    def register_attention_provider(self, provider: AttentionProvider) -> None:
        self._providers[provider.key] = provider

    def providers(self) -> list[AttentionProvider]:
        return list(self._providers.values())

    def items_for(self, *, user: Actor, child_ids: list[int]) -> list[AttentionItem]:
        """Collect every provider's items; a failing provider is logged and skipped."""
        items: list[AttentionItem] = []
        for provider in self.providers():
            try:
                # Inside a transaction a failing query would poison it: isolate each provider in a savepoint.
                guard = transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext()
                with guard:
                    items.extend(provider.items_for(user=user, child_ids=child_ids))
            except Exception:
                logger.exception("portal attention provider %s failed", provider.key)
        return items


portal_registry = PortalRegistry()
