"""A receiving system that deduplicates on ``Idempotency-Key`` and can be told to hold requests (slow receiver).

It counts every request it gets and every distinct delivery it stores, so tests can show that a
redelivery after a crash reached the receiver twice but was stored once.
"""

from __future__ import annotations

import threading
import time

from integrations.common.simulator import SimRequest, SimResponse, SimulatorServer


class ReceiverSimulator(SimulatorServer):
    name = "receiver"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0):
        super().__init__(host=host, port=port)
        self.deliveries: dict[str, object] = {}
        self.requests_received = 0
        self.hold_seconds = 0.0
        self.first_request = threading.Event()
        self._state = threading.Lock()

    def handle(self, request: SimRequest) -> SimResponse:
        if request.path != "/deliveries" or request.method != "POST":
            return SimResponse.json({"error": "not_found"}, status=404)
        key = request.header("idempotency-key")
        if not key:
            return SimResponse.json({"error": "Idempotency-Key header is required"}, status=400)
        try:
            body = request.json()
        except ValueError:
            return SimResponse.json({"error": "body is not JSON"}, status=400)
        with self._state:
            self.requests_received += 1
            duplicate = key in self.deliveries
            if not duplicate:
                self.deliveries[key] = body
            hold = self.hold_seconds
        self.first_request.set()
        if hold:
            time.sleep(hold)
        return SimResponse.json({"id": key, "duplicate": duplicate}, status=200 if duplicate else 201)

    def control(self, request: SimRequest) -> SimResponse:
        if request.path == "/__sim__/state":
            with self._state:
                return SimResponse.json(
                    {"requests_received": self.requests_received, "deliveries": sorted(self.deliveries)}
                )
        return super().control(request)
