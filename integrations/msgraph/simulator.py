"""A loopback Microsoft Graph: the client-credentials token endpoint and the calendar events API (v1.0).

Real JSON shapes and errors: ``{"error": {"code": ..., "message": ...}}``; 401 ``InvalidAuthenticationToken``
without a valid bearer token, 404 ``ErrorItemNotFound``, 400 ``ErrorInvalidRequest``; faults (500, 429 with
Retry-After, …) through the base class. ``transactionId`` deduplicates creates: a POST with the transactionId of an
existing event answers 201 with that event, as Graph does. Weekly series are expanded by ``/instances``; deleting
an occurrence cancels it, patching one makes it an exception.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import threading
import uuid
from typing import Any
from urllib.parse import parse_qs, unquote

from integrations.common.simulator import SimRequest, SimResponse, SimulatorServer

SIMULATOR_TENANT = "oas-simulator-tenant"
SIMULATOR_CLIENT_ID = "oas-timeplan"
SIMULATOR_CLIENT_SECRET = "simulator-secret"  # noqa: S105 - the simulator's fixed development secret

TOKEN_PATH = re.compile(r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/token$")
CREATE_PATH = re.compile(r"^/v1\.0/users/(?P<user>[^/]+)/calendar/events$")
EVENT_PATH = re.compile(r"^/v1\.0/users/(?P<user>[^/]+)/events/(?P<event>[^/]+)$")
INSTANCES_PATH = re.compile(r"^/v1\.0/users/(?P<user>[^/]+)/events/(?P<event>[^/]+)/instances$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
REQUIRED = ("subject", "start", "end")


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> SimResponse:
    return SimResponse.json({"error": {"code": code, "message": message}}, status=status, headers=headers)


def _parse_dt(value: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(str(value["dateTime"]).split(".")[0])


class GraphSimulator(SimulatorServer):
    name = "msgraph"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port)
        self._state_lock = threading.RLock()
        self._tokens: set[str] = set()
        # (user, event id) -> event JSON; series carry "_cancelled" dates and "_exceptions" {date: changes}.
        self._events: dict[tuple[str, str], dict[str, Any]] = {}
        self.creates = 0

    # --- inspection for tests and the demo ----------------------------------------------------------------
    def events(self, user: str | None = None) -> list[dict[str, Any]]:
        with self._state_lock:
            return [dict(e) for (u, _), e in self._events.items() if user is None or u == user.lower()]

    def event(self, user: str, event_id: str) -> dict[str, Any] | None:
        with self._state_lock:
            found = self._events.get((user.lower(), event_id))
            return dict(found) if found else None

    def control(self, request: SimRequest) -> SimResponse:
        if request.path == "/__sim__/events" and request.method == "GET":
            return SimResponse.json({"value": self.events(request.query_one("user"))})
        return super().control(request)

    # --- protocol ----------------------------------------------------------------------------------------
    def handle(self, request: SimRequest) -> SimResponse:  # noqa: PLR0911 - one answer per route
        match = TOKEN_PATH.match(request.path)
        if match and request.method == "POST":
            return self._token(request, match.group("tenant"))
        if not request.path.startswith("/v1.0/"):
            return _error(404, "NotFound", "Resource not found.")
        authorization = request.header("authorization")
        if not authorization.startswith("Bearer ") or authorization[7:] not in self._tokens:
            return _error(
                401,
                "InvalidAuthenticationToken",
                "Access token is empty." if not authorization else "Access token validation failure.",
            )
        if (match := CREATE_PATH.match(request.path)) and request.method == "POST":
            return self._create(request, unquote(match.group("user")).lower())
        if match := INSTANCES_PATH.match(request.path):
            if request.method != "GET":
                return _error(405, "ErrorInvalidRequest", "Method not allowed.")
            return self._instances(request, unquote(match.group("user")).lower(), unquote(match.group("event")))
        if match := EVENT_PATH.match(request.path):
            user, event_id = unquote(match.group("user")).lower(), unquote(match.group("event"))
            if request.method == "GET":
                found = self._lookup(user, event_id)
                return SimResponse.json(self._public(found)) if found else self._not_found()
            if request.method == "PATCH":
                return self._patch(request, user, event_id)
            if request.method == "DELETE":
                return self._delete(user, event_id)
        return _error(404, "NotFound", "Resource not found.")

    def _token(self, request: SimRequest, tenant: str) -> SimResponse:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if tenant != SIMULATOR_TENANT:
            return SimResponse.json(
                {"error": "invalid_tenant", "error_description": f"AADSTS90002: Tenant '{tenant}' not found."},
                status=400,
            )
        if form.get("grant_type") != "client_credentials":
            return SimResponse.json({"error": "unsupported_grant_type"}, status=400)
        if form.get("client_id") != SIMULATOR_CLIENT_ID or form.get("client_secret") != SIMULATOR_CLIENT_SECRET:
            return SimResponse.json(
                {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."},
                status=401,
            )
        if form.get("scope") != "https://graph.microsoft.com/.default":
            return SimResponse.json({"error": "invalid_scope"}, status=400)
        token = secrets.token_urlsafe(24)
        with self._state_lock:
            self._tokens.add(token)
        return SimResponse.json(
            {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token}
        )

    def expire_tokens(self) -> None:
        """Forget every issued token (the next request answers 401; the client fetches a fresh one)."""
        with self._state_lock:
            self._tokens.clear()

    @staticmethod
    def _not_found() -> SimResponse:
        return _error(404, "ErrorItemNotFound", "The specified object was not found in the store.")

    @staticmethod
    def _public(event: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in event.items() if not k.startswith("_")}

    def _lookup(self, user: str, event_id: str) -> dict[str, Any] | None:
        with self._state_lock:
            return self._events.get((user, event_id))

    def _create(self, request: SimRequest, user: str) -> SimResponse:
        try:
            body = request.json()
            assert isinstance(body, dict)
            missing = [k for k in REQUIRED if k not in body]
            if missing:
                return _error(400, "ErrorInvalidRequest", f"Missing property: {missing[0]}.")
            start, end = _parse_dt(body["start"]), _parse_dt(body["end"])
        except (ValueError, AssertionError, KeyError, TypeError):
            return _error(400, "ErrorInvalidRequest", "Your request is invalid.")
        if end <= start:
            return _error(400, "ErrorInvalidRequest", "The end of the event must be after its start.")
        transaction_id = str(body.get("transactionId") or "")
        with self._state_lock:
            if transaction_id:
                for (owner, _), existing in self._events.items():
                    if owner == user and existing.get("transactionId") == transaction_id:
                        return SimResponse.json(self._public(existing), status=201)
            now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
            event_id = "AAMkAG" + uuid.uuid4().hex
            event = {
                "@odata.etag": f'W/"{uuid.uuid4().hex[:16]}"',
                "id": event_id,
                "createdDateTime": now,
                "lastModifiedDateTime": now,
                "changeKey": uuid.uuid4().hex[:16],
                "iCalUId": "040000008200E00074C5B7101A82E008" + uuid.uuid4().hex,
                "type": "seriesMaster" if body.get("recurrence") else "singleInstance",
                "isCancelled": False,
                "showAs": "busy",
                "location": {"displayName": ""},
                "body": {"contentType": "text", "content": ""},
                **{k: v for k, v in body.items() if not k.startswith("_")},
                "_cancelled": [],
                "_exceptions": {},
            }
            self._events[(user, event_id)] = event
            self.creates += 1
        return SimResponse.json(self._public(event), status=201)

    def _occurrence_key(self, event_id: str) -> tuple[str, str] | None:
        if "_occ_" not in event_id:
            return None
        series, day = event_id.rsplit("_occ_", 1)
        return series, day

    def _patch(self, request: SimRequest, user: str, event_id: str) -> SimResponse:
        try:
            changes = request.json()
            assert isinstance(changes, dict)
        except (ValueError, AssertionError):
            return _error(400, "ErrorInvalidRequest", "Your request is invalid.")
        with self._state_lock:
            occurrence = self._occurrence_key(event_id)
            if occurrence:
                series = self._events.get((user, occurrence[0]))
                if series is None or occurrence[1] in series["_cancelled"]:
                    return self._not_found()
                series["_exceptions"].setdefault(occurrence[1], {}).update(changes)
                return SimResponse.json(self._occurrence(series, dt.date.fromisoformat(occurrence[1])))
            event = self._events.get((user, event_id))
            if event is None:
                return self._not_found()
            event.update({k: v for k, v in changes.items() if k not in ("id", "transactionId")})
            event["lastModifiedDateTime"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
            event["changeKey"] = uuid.uuid4().hex[:16]
            return SimResponse.json(self._public(event))

    def _delete(self, user: str, event_id: str) -> SimResponse:
        with self._state_lock:
            occurrence = self._occurrence_key(event_id)
            if occurrence:
                series = self._events.get((user, occurrence[0]))
                if series is None or occurrence[1] in series["_cancelled"]:
                    return self._not_found()
                series["_cancelled"].append(occurrence[1])
                return SimResponse(status=204, body=b"")
            if self._events.pop((user, event_id), None) is None:
                return self._not_found()
        return SimResponse(status=204, body=b"")

    def _occurrence(self, series: dict[str, Any], day: dt.date) -> dict[str, Any]:
        start, end = _parse_dt(series["start"]), _parse_dt(series["end"])
        begin = dt.datetime.combine(day, start.time())
        occurrence = {
            **self._public(series),
            "id": f"{series['id']}_occ_{day.isoformat()}",
            "type": "occurrence",
            "seriesMasterId": series["id"],
            "recurrence": None,
            "start": {"dateTime": begin.isoformat(), "timeZone": series["start"].get("timeZone", "UTC")},
            "end": {"dateTime": (begin + (end - start)).isoformat(), "timeZone": series["end"].get("timeZone", "UTC")},
        }
        changes = series["_exceptions"].get(day.isoformat())
        if changes:
            occurrence.update(changes)
            occurrence["type"] = "exception"
        return occurrence

    def _instances(self, request: SimRequest, user: str, event_id: str) -> SimResponse:
        try:
            start = dt.datetime.fromisoformat(request.query_one("startDateTime") or "")
            end = dt.datetime.fromisoformat(request.query_one("endDateTime") or "")
        except ValueError:
            return _error(
                400,
                "ErrorInvalidParameter",
                "This request requires a time window specified by the query string "
                "parameters StartDateTime and EndDateTime.",
            )
        with self._state_lock:
            series = self._events.get((user, event_id))
            if series is None:
                return self._not_found()
            recurrence = series.get("recurrence") or {}
            if not recurrence:
                return SimResponse.json(
                    {"value": [self._public(series)] if start <= _parse_dt(series["start"]) < end else []}
                )
            days = {WEEKDAYS.index(d) for d in recurrence.get("pattern", {}).get("daysOfWeek", [])}
            rng = recurrence.get("range", {})
            first = dt.date.fromisoformat(rng.get("startDate", _parse_dt(series["start"]).date().isoformat()))
            last = dt.date.fromisoformat(rng["endDate"]) if rng.get("endDate") else end.date()
            values = []
            day = start.date()
            while day <= end.date():
                moment = dt.datetime.combine(day, _parse_dt(series["start"]).time())
                if (
                    first <= day <= last
                    and day.weekday() in days
                    and start <= moment < end
                    and day.isoformat() not in series["_cancelled"]
                ):
                    values.append(self._occurrence(series, day))
                day += dt.timedelta(days=1)
        return SimResponse.json({"value": values})


def make_msgraph_simulator(*, host: str, port: int, **_: Any) -> SimulatorServer:
    return GraphSimulator(host=host, port=port)
