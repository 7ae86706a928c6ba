"""Base for loopback simulators: a real HTTP server in a background thread, with scripted faults.

A subclass implements ``handle(request) -> SimResponse``. Faults are queued either in-process with
``server.fail(...)`` or over HTTP with ``POST /__sim__/fault`` ``{"mode": "500"|"timeout"|"429"|"malformed"|"401",
"count": 1, "retry_after": "2", "delay": 3.0}``; ``POST /__sim__/reset`` clears them. Each fault is
consumed by one request to the simulated API (control paths never consume faults).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

logger = logging.getLogger(__name__)

FAULT_MODES = ("500", "timeout", "429", "malformed", "401")


@dataclass
class SimRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def query_one(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class SimResponse:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> SimResponse:
        return cls(status=status, body=json.dumps(data, ensure_ascii=False).encode(), headers=headers or {})


@dataclass
class Fault:
    mode: str
    retry_after: str = "1"
    delay: float = 5.0


class SimulatorServer:
    """Start/stop a ThreadingHTTPServer on 127.0.0.1; ``port=0`` picks a free port."""

    name = "simulator"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0):
        self._host = host
        self._requested_port = port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._faults: deque[Fault] = deque()
        self._lock = threading.RLock()
        self.request_log: list[tuple[str, str]] = []

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> SimulatorServer:
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # TCP_NODELAY: with keep-alive, Nagle's algorithm holds a response's last segment until the
            # client's delayed ACK (~40 ms per request on Linux loopback).
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                logger.debug("%s: " + format, simulator.name, *args)

            def _serve(self) -> None:
                simulator._dispatch(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve  # noqa: N815

        self._httpd = ThreadingHTTPServer((self._host, self._requested_port), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False  # keep-alive connections of clients must not delay stop()
        httpd = self._httpd
        self._thread = threading.Thread(
            target=lambda: httpd.serve_forever(poll_interval=0.05), name=f"sim-{self.name}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "simulator not started"
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    # --- faults ---------------------------------------------------------------------------------
    def fail(self, mode: str, *, count: int = 1, retry_after: str = "1", delay: float = 5.0) -> None:
        """Make the next ``count`` API requests fail with ``mode``."""
        if mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {mode!r}; use one of {FAULT_MODES}")
        with self._lock:
            self._faults.extend(Fault(mode=mode, retry_after=retry_after, delay=delay) for _ in range(count))

    def reset_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _next_fault(self) -> Fault | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    # --- dispatch -------------------------------------------------------------------------------
    def _dispatch(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        request = SimRequest(
            method=handler.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
        )
        response: SimResponse | None
        try:
            if request.path.startswith("/__sim__/"):
                response = self._control(request)
            else:
                with self._lock:
                    self.request_log.append((request.method, request.path))
                response = self._apply_fault(self._next_fault()) or self.handle(request)
        except Exception:  # a simulator bug must answer 500, not hang the client
            logger.exception("%s: unhandled error for %s %s", self.name, request.method, request.path)
            response = SimResponse.json({"error": "simulator_error"}, status=500)
        if response is None:  # timeout fault: never answer; the client's timeout fires
            return
        try:
            handler.send_response(response.status)
            handler.send_header("Content-Type", response.content_type)
            handler.send_header("Content-Length", str(len(response.body)))
            for key, value in response.headers.items():
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            logger.debug("%s: client went away", self.name)

    def _apply_fault(self, fault: Fault | None) -> SimResponse | None:
        if fault is None:
            return None
        if fault.mode == "500":
            return SimResponse.json({"error": "simulated server error"}, status=500)
        if fault.mode == "429":
            return SimResponse.json(
                {"error": "too many requests"}, status=429, headers={"Retry-After": fault.retry_after}
            )
        if fault.mode == "malformed":
            return SimResponse(status=200, body=b'{"this is": not json', content_type="application/json")
        if fault.mode == "401":
            return SimResponse.json({"error": "invalid_token"}, status=401)
        # timeout: hold the request, then answer 504 (the client has normally given up by then)
        time.sleep(fault.delay)
        return SimResponse.json({"error": "simulated timeout"}, status=504)

    def _control(self, request: SimRequest) -> SimResponse:
        if request.path == "/__sim__/health":
            return SimResponse.json({"name": self.name, "ok": True})
        if request.path == "/__sim__/reset" and request.method == "POST":
            self.reset_faults()
            return SimResponse.json({"ok": True})
        if request.path == "/__sim__/fault" and request.method == "POST":
            data = request.json() or {}
            try:
                self.fail(
                    str(data.get("mode")),
                    count=int(data.get("count", 1)),
                    retry_after=str(data.get("retry_after", "1")),
                    delay=float(data.get("delay", 5.0)),
                )
            except (TypeError, ValueError) as exc:
                return SimResponse.json({"error": str(exc)}, status=400)
            return SimResponse.json({"ok": True})
        return self.control(request)

    # --- for subclasses -------------------------------------------------------------------------
    def control(self, request: SimRequest) -> SimResponse:
        """Extra control endpoints of a simulator (``/__sim__/...``)."""
        return SimResponse.json({"error": "unknown control path"}, status=404)

    def handle(self, request: SimRequest) -> SimResponse | None:
        raise NotImplementedError
