"""A loopback SMS gateway: validates numbers, deduplicates on ``reference``, remembers what it sent."""

from __future__ import annotations

import re
import threading

from integrations.common.simulator import SimRequest, SimResponse, SimulatorServer

NUMBER = re.compile(r"^(\+?47)?[49]\d{7}$")
API_KEY = "simulator-key"


class SmsSimulator(SimulatorServer):
    name = "sms"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port)
        self._sent: dict[str, dict[str, str]] = {}
        self._sent_lock = threading.Lock()
        self.duplicates = 0

    def start(self) -> SmsSimulator:
        super().start()
        # Headers and body leave in separate writes; with Nagle on, every keep-alive request then waits ~40 ms
        # for the client's delayed ACK. (The base class could set this for every simulator.)
        assert self._httpd is not None
        self._httpd.RequestHandlerClass.disable_nagle_algorithm = True  # type: ignore[attr-defined]
        return self

    @property
    def sent(self) -> dict[str, dict[str, str]]:
        with self._sent_lock:
            return dict(self._sent)

    def handle(self, request: SimRequest) -> SimResponse:  # noqa: PLR0911 - one answer per protocol error
        if request.path == "/sms/v1/messages/batch" and request.method == "POST":
            if request.header("authorization") != f"Bearer {API_KEY}":
                return SimResponse.json({"error": "unauthorized"}, status=401)
            try:
                items = list(request.json()["messages"])
            except (ValueError, KeyError, TypeError):
                return SimResponse.json({"error": "invalid_body"}, status=400)
            if len(items) > 500:
                return SimResponse.json({"error": "too_many_messages"}, status=400)
            results = []
            for item in items:
                status, row = self._accept(item)
                reference = str(item.get("reference", "")) if isinstance(item, dict) else ""
                results.append({**row, "reference": reference, "result": status})
            return SimResponse.json({"results": results})
        if request.path != "/sms/v1/messages":
            return SimResponse.json({"error": "not_found"}, status=404)
        if request.header("authorization") != f"Bearer {API_KEY}":
            return SimResponse.json({"error": "unauthorized"}, status=401)
        if request.method == "GET":
            ref = request.query_one("reference") or ""
            with self._sent_lock:
                found = self._sent.get(ref)
            return SimResponse.json(found or {"error": "not_found"}, status=200 if found else 404)
        if request.method != "POST":
            return SimResponse.json({"error": "method_not_allowed"}, status=405)
        try:
            data = request.json()
        except ValueError:
            return SimResponse.json({"error": "invalid_body"}, status=400)
        status, row = self._accept(data)
        return SimResponse.json(row, status=status)

    def _accept(self, data: object) -> tuple[int, dict[str, str]]:
        """Validate and store one message; the same reference again answers 200 with the first message."""
        try:
            assert isinstance(data, dict)
            recipient = str(data["recipient"]).replace(" ", "")
            text = str(data["text"])
            reference = str(data["reference"])
        except (AssertionError, KeyError, TypeError):
            return 400, {"error": "invalid_body"}
        if not NUMBER.match(recipient):
            return 400, {"error": "invalid_recipient"}
        if not text or len(text) > 1600 or not reference:
            return 400, {"error": "invalid_text"}
        with self._sent_lock:
            existing = self._sent.get(reference)
            if existing is not None:
                self.duplicates += 1
                return 200, existing
            row = {
                "id": f"sms-{len(self._sent) + 1}",
                "status": "queued",
                "reference": reference,
                "recipient": recipient,
                "text": text,
            }
            self._sent[reference] = row
        return 201, row

    def control(self, request: SimRequest) -> SimResponse:
        if request.path == "/__sim__/stats":
            with self._sent_lock:
                return SimResponse.json({"unique": len(self._sent), "duplicates": self.duplicates})
        if request.path == "/__sim__/clear" and request.method == "POST":
            with self._sent_lock:
                self._sent.clear()
                self.duplicates = 0
            return SimResponse.json({"ok": True})
        return super().control(request)


def make_sms_simulator(*, host: str, port: int, running: dict[str, SimulatorServer]) -> SmsSimulator:
    return SmsSimulator(host=host, port=port)
