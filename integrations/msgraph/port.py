"""The port the calendar outbox handlers call (Microsoft Graph calendar events)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings

from integrations.common.errors import ConfigurationMissing

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
LOGIN_BASE_URL = "https://login.microsoftonline.com"
GRAPH_BASE_URL = "https://graph.microsoft.com/v1.0"


@dataclass(frozen=True)
class GraphEventRef:
    id: str
    transaction_id: str = ""


class CalendarPort(Protocol):
    def event_create(self, *, user: str, event: dict[str, Any], transaction_id: str) -> GraphEventRef:
        """Create an event in the user's default calendar; the same ``transaction_id`` returns the same event."""
        ...

    def event_update(self, *, user: str, event_id: str, changes: dict[str, Any]) -> GraphEventRef:
        """PATCH an event (or one occurrence of a series); PermanentError with status 404 when it is gone."""
        ...

    def event_delete(self, *, user: str, event_id: str) -> bool:
        """Delete an event or occurrence; False when it was already gone (404)."""
        ...

    def occurrences(self, *, user: str, series_id: str, day: dt.date) -> list[dict[str, Any]]:
        """Return the series' occurrences on ``day`` (empty when cancelled)."""
        ...

    def close(self) -> None: ...


def msgraph_simulator_url() -> str:
    host = getattr(settings, "SIMULATOR_HOST", "127.0.0.1")
    port = settings.SIMULATOR_PORTS.get("msgraph", 8206)
    return str(getattr(settings, "MSGRAPH_SIMULATOR_URL", "") or f"http://{host}:{port}")


def get_calendar_port() -> CalendarPort:
    """Return the live client or the simulator's client, by ``MSGRAPH_MODE`` (the token is shared per process)."""
    from integrations.msgraph.client import GraphClient
    from integrations.msgraph.simulator import SIMULATOR_CLIENT_ID, SIMULATOR_CLIENT_SECRET, SIMULATOR_TENANT

    mode = settings.INTEGRATION_MODES.get("msgraph", "simulator")
    if mode == "live":
        tenant = getattr(settings, "MSGRAPH_TENANT_ID", "")
        client_id = getattr(settings, "MSGRAPH_CLIENT_ID", "")
        secret = getattr(settings, "MSGRAPH_CLIENT_SECRET", "")
        if not tenant or not client_id or not secret:
            raise ConfigurationMissing(
                "MSGRAPH_MODE=live needs MSGRAPH_TENANT_ID, MSGRAPH_CLIENT_ID and MSGRAPH_CLIENT_SECRET",
                system="msgraph",
            )
        return GraphClient(
            graph_url=str(getattr(settings, "MSGRAPH_BASE_URL", "") or GRAPH_BASE_URL),
            token_url=f"{getattr(settings, 'MSGRAPH_LOGIN_URL', '') or LOGIN_BASE_URL}/{tenant}/oauth2/v2.0/token",
            client_id=client_id,
            client_secret=secret,
        )
    base = msgraph_simulator_url()
    return GraphClient(
        graph_url=f"{base}/v1.0",
        token_url=f"{base}/{SIMULATOR_TENANT}/oauth2/v2.0/token",
        client_id=SIMULATOR_CLIENT_ID,
        client_secret=SIMULATOR_CLIENT_SECRET,
    )
