"""Live HTTP client for Microsoft Graph calendar events (httpx through the shared Transport)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any
from urllib.parse import quote

import httpx

from integrations.common.errors import PermanentError, TransientError
from integrations.common.transport import Transport, tls_context
from integrations.msgraph.port import GRAPH_SCOPE, GraphEventRef

TIMEZONE = "W. Europe Standard Time"  # Windows' name for Europe/Oslo, which Graph understands


class GraphTransport(Transport):
    system = "msgraph"


class ClientCredentialsToken:
    """OAuth2 client-credentials token from the Microsoft identity platform, cached until a minute before expiry."""

    def __init__(self, *, token_url: str, client_id: str, client_secret: str, timeout: float = 10.0) -> None:
        self._url, self._client_id, self._secret = token_url, client_id, client_secret
        self._timeout = timeout
        self._token = ""
        self._expires = 0.0
        self._lock = threading.Lock()

    def __call__(self, force: bool = False) -> str:
        with self._lock:
            if force or not self._token or time.monotonic() >= self._expires:
                self._fetch()
            return self._token

    def _fetch(self) -> None:
        try:
            response = httpx.post(
                self._url,
                data={
                    "client_id": self._client_id,
                    "client_secret": self._secret,
                    "scope": GRAPH_SCOPE,
                    "grant_type": "client_credentials",
                },
                timeout=self._timeout,
                verify=tls_context(),
            )
        except httpx.HTTPError as exc:
            raise TransientError(f"msgraph: token: nettverksfeil ({exc})", system="msgraph") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise TransientError(
                f"msgraph: token: {response.status_code}", system="msgraph", status=response.status_code
            )
        if response.status_code != 200:
            raise PermanentError(
                f"msgraph: token avvist ({response.status_code}): {response.text[:200]}",
                system="msgraph",
                status=response.status_code,
            )
        data = response.json()
        self._token = str(data["access_token"])
        self._expires = time.monotonic() + max(int(data.get("expires_in", 3599)) - 60, 0)


_tokens: dict[tuple[str, str], ClientCredentialsToken] = {}
_tokens_lock = threading.Lock()


def shared_token(*, token_url: str, client_id: str, client_secret: str) -> ClientCredentialsToken:
    """One cached token per token endpoint and client in this process (a 401 fetches a fresh one)."""
    with _tokens_lock:
        key = (token_url, client_id)
        if key not in _tokens:
            _tokens[key] = ClientCredentialsToken(token_url=token_url, client_id=client_id, client_secret=client_secret)
        return _tokens[key]


class GraphClient:
    def __init__(
        self, *, graph_url: str, token_url: str, client_id: str, client_secret: str, timeout: float = 15.0
    ) -> None:
        self._token = shared_token(token_url=token_url, client_id=client_id, client_secret=client_secret)
        self._transport = GraphTransport(base_url=graph_url, token_source=self._token, timeout=timeout)

    @staticmethod
    def _user(user: str) -> str:
        return quote(user, safe="@.")

    def event_create(self, *, user: str, event: dict[str, Any], transaction_id: str) -> GraphEventRef:
        response = self._transport.request(
            "POST",
            f"/users/{self._user(user)}/calendar/events",
            json_body={**event, "transactionId": transaction_id},
            headers={"Prefer": f'outlook.timezone="{TIMEZONE}"'},
            ok=(200, 201),
        )
        data = self._transport.json(response)
        return GraphEventRef(id=str(data["id"]), transaction_id=str(data.get("transactionId") or ""))

    def event_update(self, *, user: str, event_id: str, changes: dict[str, Any]) -> GraphEventRef:
        response = self._transport.request(
            "PATCH", f"/users/{self._user(user)}/events/{quote(event_id, safe='')}", json_body=changes, ok=(200,)
        )
        data = self._transport.json(response)
        return GraphEventRef(id=str(data["id"]))

    def event_delete(self, *, user: str, event_id: str) -> bool:
        response = self._transport.request(
            "DELETE", f"/users/{self._user(user)}/events/{quote(event_id, safe='')}", ok=(204, 404)
        )
        return response.status_code == 204

    def occurrences(self, *, user: str, series_id: str, day: dt.date) -> list[dict[str, Any]]:
        response = self._transport.request(
            "GET",
            f"/users/{self._user(user)}/events/{quote(series_id, safe='')}/instances",
            params={
                "startDateTime": f"{day.isoformat()}T00:00:00",
                "endDateTime": f"{(day + dt.timedelta(days=1)).isoformat()}T00:00:00",
            },
            headers={"Prefer": f'outlook.timezone="{TIMEZONE}"'},
            ok=(200,),
        )
        return list(self._transport.json(response).get("value", []))

    def close(self) -> None:
        self._transport.close()
