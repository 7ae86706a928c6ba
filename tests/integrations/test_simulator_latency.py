"""Simulators answer keep-alive requests at once (TCP_NODELAY), so benchmarks through them measure our code."""

from __future__ import annotations

import ssl
import time

import httpx

from integrations.common.simulator import SimulatorServer
from integrations.common.transport import tls_context


def test_keep_alive_requests_are_not_held_back_by_nagles_algorithm() -> None:
    # Headers and body are two writes; with Nagle the body waits for the client's delayed ACK (~40 ms each).
    with SimulatorServer() as sim, httpx.Client(base_url=sim.url, timeout=5) as client:
        client.get("/__sim__/health")  # open the connection
        started = time.perf_counter()
        for _ in range(20):
            assert client.get("/__sim__/health").status_code == 200
        elapsed = time.perf_counter() - started
    assert elapsed < 0.4, f"20 keep-alive requests took {elapsed * 1000:.0f} ms"


def test_live_clients_share_one_verifying_tls_context() -> None:
    # Building a TLS context costs tens of ms; a batch task makes a client per batch.
    context = tls_context()
    assert context is tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
