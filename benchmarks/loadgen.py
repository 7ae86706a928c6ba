"""A small HTTP/1.1 load generator for the latency benchmarks (asyncio, keep-alive, no client library).

Benchmarks run the server and the load generator on the same small machine, so a heavy client (a thread per
user with an HTTP library) steals CPU from the server it measures and adds its own queueing to every latency.
This one pre-builds each request's bytes and reads the answers with a minimal HTTP/1.1 parser (Content-Length
or chunked), so it costs a few tens of microseconds of CPU per request; ``run`` reports that cost.

``concurrency`` connections are opened first, then all start at once and each sends its next request as soon as
the previous answer is complete (a closed loop with no think time): at any moment ``concurrency`` requests are
in flight, as with that many busy tablets or users. The latency of a request is the time from writing it to
having read its whole answer.

``run_open`` is an open loop instead: requests arrive at random (a Poisson process at ``rate`` per second, as
taps from many tablets do), each on a free keep-alive connection (a new one when all are busy), whatever the
server's pace. A request's latency counts from its arrival, so time spent waiting for a connection or behind a
slow server is in it (no coordinated omission).
"""

from __future__ import annotations

import asyncio
import random
import resource
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Job:
    """One request: method, path, extra headers and body (bytes)."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


@dataclass
class Result:
    """Latencies (seconds) in completion order, status codes, wall time and the generator's own CPU time."""

    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    wall: float = 0.0
    cpu: float = 0.0


def _encode(job: Job, host: str) -> bytes:
    lines = [f"{job.method} {job.path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in job.headers]
    if job.body or job.method in {"POST", "PUT", "PATCH"}:
        lines.append(f"Content-Length: {len(job.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + job.body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Return (status, body, keep_alive) of one response."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(parts)
    else:
        body = await reader.read()
        return status, body, False
    return status, body, headers.get("connection", "").lower() != "close"


async def _run(host: str, port: int, jobs: Sequence[Job], concurrency: int, keep_bodies: bool) -> Result:
    result = Result()
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(_encode(job, f"{host}:{port}"))
    start = asyncio.Event()
    ready = 0
    all_ready = asyncio.Event()
    workers = min(concurrency, len(jobs))

    async def connection() -> None:
        nonlocal ready
        reader, writer = await asyncio.open_connection(host, port)
        ready += 1
        if ready == workers:
            all_ready.set()
        await start.wait()
        try:
            while not queue.empty():
                payload = queue.get_nowait()
                began = time.perf_counter()
                writer.write(payload)
                status, body, keep_alive = await _read_response(reader)
                result.latencies.append(time.perf_counter() - began)
                result.statuses.append(status)
                if keep_bodies:
                    result.bodies.append(body)
                if not keep_alive:
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
        finally:
            writer.close()

    tasks = [asyncio.create_task(connection()) for _ in range(workers)]
    await all_ready.wait()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    result.wall = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.cpu = usage.ru_utime + usage.ru_stime - cpu_before
    return result


async def _run_bursts(host: str, port: int, jobs: Sequence[Job], size: int, pause: float) -> Result:
    result = Result()
    payloads = [_encode(job, f"{host}:{port}") for job in jobs]
    streams = [await asyncio.open_connection(host, port) for _ in range(min(size, len(payloads)))]

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, payload: bytes) -> None:
        began = time.perf_counter()
        writer.write(payload)
        status, _body, _keep_alive = await _read_response(reader)
        result.latencies.append(time.perf_counter() - began)
        result.statuses.append(status)

    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    began = time.perf_counter()
    idle = 0.0
    try:
        for first in range(0, len(payloads), size):
            burst = payloads[first : first + size]
            await asyncio.gather(*(one(r, w, p) for (r, w), p in zip(streams, burst, strict=False)))
            await asyncio.sleep(pause)
            idle += pause
    finally:
        for _reader, writer in streams:
            writer.close()
    result.wall = time.perf_counter() - began - idle
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.cpu = usage.ru_utime + usage.ru_stime - cpu_before
    return result


def run_bursts(host: str, port: int, jobs: Iterable[Job], *, size: int, pause: float = 0.1) -> Result:
    """Send ``jobs`` in bursts of ``size`` simultaneous requests over as many keep-alive connections: all of a
    burst are written at once, the next burst starts ``pause`` seconds after the last answer of the previous one
    (tablets tapping at the same moment, not a queue that never drains). ``wall`` leaves the pauses out."""
    return asyncio.run(_run_bursts(host, port, list(jobs), size, pause))


def run(host: str, port: int, jobs: Iterable[Job], *, concurrency: int, keep_bodies: bool = False) -> Result:
    """Send ``jobs`` over ``concurrency`` keep-alive connections in a closed loop; return what was measured."""
    return asyncio.run(_run(host, port, list(jobs), concurrency, keep_bodies))


async def _run_open(host: str, port: int, jobs: Sequence[Job], rate: float, seed: int, max_connections: int) -> Result:
    result = Result()
    payloads = [_encode(job, f"{host}:{port}") for job in jobs]
    rng = random.Random(seed)
    idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    opened: list[asyncio.StreamWriter] = []
    slots = asyncio.Semaphore(max_connections)

    async def one(arrived: float, payload: bytes) -> None:
        async with slots:
            if idle:
                reader, writer = idle.pop()
            else:
                reader, writer = await asyncio.open_connection(host, port)
                opened.append(writer)
            writer.write(payload)
            status, _body, keep_alive = await _read_response(reader)
            result.latencies.append(time.perf_counter() - arrived)
            result.statuses.append(status)
            if keep_alive:
                idle.append((reader, writer))
            else:
                writer.close()

    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = usage.ru_utime + usage.ru_stime
    began = time.perf_counter()
    due = began
    tasks = []
    try:
        for payload in payloads:
            due += rng.expovariate(rate)
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(due, payload)))
        await asyncio.gather(*tasks)
    finally:
        for writer in opened:
            writer.close()
    result.wall = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.cpu = usage.ru_utime + usage.ru_stime - cpu_before
    return result


def run_open(
    host: str, port: int, jobs: Iterable[Job], *, rate: float, seed: int = 1, max_connections: int = 512
) -> Result:
    """Send ``jobs`` arriving at random at ``rate`` per second (Poisson), each on a free keep-alive connection
    (at most ``max_connections``); latencies count from each request's arrival."""
    return asyncio.run(_run_open(host, port, list(jobs), rate, seed, max_connections))


def percentiles(latencies: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max of ``latencies`` in milliseconds (nearest-rank)."""
    ms = sorted(x * 1000 for x in latencies)
    if not ms:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}

    def rank(q: float) -> float:
        return ms[min(len(ms) - 1, max(0, round(q * len(ms)) - 1))]

    return {"p50": rank(0.50), "p95": rank(0.95), "p99": rank(0.99), "max": ms[-1]}
