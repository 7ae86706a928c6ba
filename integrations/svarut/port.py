"""The port letter code depends on: send a forsendelse, search statuses, read its events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from integrations.svarut.mapping import Forsendelse, ForsendelseStatus, Hendelse


class SvarUtPort(Protocol):
    def send(self, forsendelse: Forsendelse) -> str:
        """Send ``forsendelse``; return SvarUt's forsendelse id. A repeated eksternReferanse is NOT de-duplicated."""

    def find_by_ekstern_referanse(self, ekstern_referanse: str) -> list[str]:
        """Ids of forsendelser already sent with this eksternReferanse (ask before resending)."""
        ...

    def status_search(self, forsendelse_ids: Sequence[str]) -> list[ForsendelseStatus]:
        """Return the current status of each known forsendelse."""
        ...

    def events(self, forsendelse_id: str) -> list[Hendelse]:
        """Return the forsendelse's history of events."""
        ...
