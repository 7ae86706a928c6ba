"""Microsoft Graph (Office 365 calendars): a port, a live httpx client and a loopback simulator.

API (Graph v1.0): ``POST /users/{id}/calendar/events`` (``transactionId`` makes a retried create return the same
event), ``PATCH /users/{id}/events/{id}``, ``DELETE /users/{id}/events/{id}``,
``GET /users/{id}/events/{id}/instances?startDateTime=&endDateTime=`` (the occurrences of a series on a day, to
cancel or change one). Token: OAuth2 client credentials at
``https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`` with scope ``https://graph.microsoft.com/.default``.
``MSGRAPH_MODE=simulator|live``; live needs ``MSGRAPH_TENANT_ID``, ``MSGRAPH_CLIENT_ID`` and
``MSGRAPH_CLIENT_SECRET`` (or ``_FILE``). Outbox kinds and their handlers: ``services.py``.
"""

from integrations.msgraph.port import CalendarPort, GraphEventRef, get_calendar_port

__all__ = ["CalendarPort", "GraphEventRef", "get_calendar_port"]
