"""Benchmark of the krysseliste's check-in API against a real server process on loopback.

Builds a kindergarten with 10 departments and 1,000 placed children in a throwaway database, starts gunicorn
(``oas.wsgi``, gthread workers) on a free loopback port against it, logs a department's staff member in
(session cookie + CSRF token as the tablet has them) and then fires check-ins from 50 concurrent clients:
every request is a distinct child's first tap ("in"), followed by a round of replays of the same keys (the
offline queue being replayed). Prints p50/p95/p99 latency for both rounds and the throughput, the CPU time per
request of the server (gunicorn master + workers, from psutil) and of this load generator (getrusage), and the
arithmetic of what that CPU cost means for 50 simultaneous requests on this machine's cores. PostgreSQL's own
CPU per request comes on top and is not counted. The load generator (threads of this process) and the server
(gunicorn, a separate process group) share the same cores.

Run: ``.venv/bin/python benchmarks/checkin.py [--workers 2 --threads 8 --requests 1000]``
(uses DATABASE_URL/REDIS_URL like the rest of the project; the target is p95 under 50 ms).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oas.settings.base")

CONCURRENCY = 50


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _build(children: int) -> tuple[Any, list[tuple[int, int]]]:
    """Return (staff user, [(department id, child id)])."""
    from oas.access.services import role_mapping_seed
    from oas.identity.models import Account, AccountKind
    from oas.organisation.models import Municipality, OrgUnitKind
    from oas.organisation.services import orgunit_create
    from oas.people.models import Employee, Employment, Person, Placement, Service
    from oas.people.national_id import make_national_id

    role_mapping_seed()
    mun, _ = Municipality.objects.get_or_create(
        number="3030", valid_from=dt.date(2020, 1, 1), defaults={"name": "Lillestrøm"}
    )
    start = dt.date(2020, 1, 1)
    office = orgunit_create(
        municipality=mun, kind=OrgUnitKind.SECTOR_OFFICE, code="C-OFF", name="Kontor", valid_from=start
    )
    kg = orgunit_create(
        municipality=mun,
        parent=office,
        kind=OrgUnitKind.KINDERGARTEN,
        code="C-K",
        name="Bhg",
        valid_from=start,
        min_age=0,
        max_age=5,
    )
    departments = [
        orgunit_create(
            municipality=mun, parent=kg, kind=OrgUnitKind.DEPARTMENT, code=f"C-D{i}", name=f"Avd {i}", valid_from=start
        )
        for i in range(10)
    ]
    people = []
    for i in range(children):
        birth = dt.date(2022, 1 + i % 12, 1 + i % 28)
        people.append(
            Person(
                first_name="Barn",
                last_name=str(i),
                birth_date=birth,
                national_id=make_national_id(birth, 100 + i // 336) or None,
            )
        )
    # National ids may collide for the same birth date and individual number: keep them unique.
    seen: set[str | None] = set()
    for person in people:
        if person.national_id in seen:
            person.national_id = None
        seen.add(person.national_id)
    Person.objects.bulk_create(people, batch_size=2000)
    placements = [
        Placement(
            child=p,
            service=Service.KINDERGARTEN,
            unit=kg,
            group=departments[i % 10],
            start_date=dt.date(2025, 8, 1),
        )
        for i, p in enumerate(people)
    ]
    Placement.objects.bulk_create(placements, batch_size=2000)
    staff_person = Person.objects.create(first_name="Styrer", last_name="Bench")
    employee = Employee.objects.create(person=staff_person, employee_number="BENCH-1")
    Employment.objects.create(
        employee=employee, unit=kg, position_code="STYRER", percentage=100, valid_from=dt.date(2020, 1, 1)
    )
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create(username="bench-styrer")
    Account.objects.create(user=user, kind=AccountKind.STAFF, employee=employee, person=staff_person, provider="entra")
    return user, [(p.group_id or 0, p.child_id) for p in placements]


def _session_cookie(user: Any) -> tuple[str, str]:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value


def _fire(
    base: str, cookies: dict[str, str], csrf: str, jobs: list[dict[str, Any]], concurrency: int = CONCURRENCY
) -> tuple[list[float], int]:
    """Send ``jobs`` from ``concurrency`` threads; return latencies (s) and the number of unexpected answers."""
    import httpx

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    chunks = [jobs[i::concurrency] for i in range(concurrency)]
    barrier = threading.Barrier(concurrency)

    def worker(chunk: list[dict[str, Any]]) -> None:
        nonlocal errors
        with httpx.Client(base_url=base, cookies=cookies, headers={"X-CSRFToken": csrf}, timeout=30) as client:
            barrier.wait()
            for job in chunk:
                started = time.perf_counter()
                response = client.post("/api/v1/attendance/check", json=job)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if response.status_code not in (200, 201):
                        errors += 1

    threads = [threading.Thread(target=worker, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children (the gunicorn master and its workers)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
        return sum(p.cpu_times().user + p.cpu_times().system for p in procs)
    except psutil.Error:
        return 0.0


def _own_cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _report(
    label: str, latencies: list[float], errors: int, wall: float, cpu: tuple[float, float] | None = None
) -> None:
    ms = sorted(x * 1000 for x in latencies)
    q = statistics.quantiles(ms, n=100)
    print(
        f"{label:<34} n={len(ms):5d}  p50 {q[49]:6.1f} ms  p95 {q[94]:6.1f} ms  p99 {q[98]:6.1f} ms  "
        f"max {ms[-1]:6.1f} ms  {len(ms) / wall:6.0f} req/s  errors {errors}"
    )
    if cpu is not None:
        server_ms, client_ms = (x * 1000 / len(ms) for x in cpu)
        print(f"{'':<34} CPU per request: server {server_ms:.1f} ms (gunicorn), load generator {client_ms:.1f} ms")


def _arithmetic(server_cpu_ms: float, client_cpu_ms: float, concurrency: int) -> None:
    """Print what the CPU cost per request means for a burst of ``concurrency`` requests on this machine."""
    cores = os.cpu_count() or 1
    per_request = server_cpu_ms + client_cpu_ms  # both run on the same cores
    last = concurrency * per_request / cores
    print(
        f"arithmetic: {concurrency} simultaneous requests x {per_request:.1f} ms CPU each (server "
        f"{server_cpu_ms:.1f} + load generator {client_cpu_ms:.1f}) / {cores} cores = {last:.0f} ms until the last "
        f"answer, even with no other load; p95 of such a burst is about {0.95 * last:.0f} ms. "
        f"A p95 under 50 ms needs at most {50 * cores / (0.95 * concurrency):.1f} ms CPU per request in total."
    )


def main() -> None:  # noqa: PLR0915 - one linear benchmark script
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()

    import logging

    import django

    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"oas_bench_checkin_{os.getpid()}"
    db_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    server: subprocess.Popen[bytes] | None = None
    try:
        user, pairs = _build(args.requests)
        cookie_name, session = _session_cookie(user)
        csrf = secrets.token_hex(16)
        url = os.environ.get("DATABASE_URL", "")
        env = dict(os.environ)
        if url:
            env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + db_name
        else:
            env["DATABASE_URL"] = str(connection.settings_dict.get("NAME"))
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603 - fixed argument list, our own venv
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "oas.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
                "--worker-class",
                "gthread",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        import httpx

        for _ in range(100):
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        cookies = {cookie_name: session, "csrftoken": csrf}
        # Warm-up: every worker loads its code and opens its database connections.
        warm = [{"unit_id": d, "child_id": c, "kind": "in", "key": f"warm-{c}"} for d, c in pairs[:100]]
        _fire(base, cookies, csrf, warm)
        single = [{"unit_id": d, "child_id": c, "kind": "out", "key": f"out-{c}"} for d, c in pairs[:100]]
        started = time.perf_counter()
        latencies, errors = _fire(base, cookies, csrf, single, concurrency=1)
        _report("check-out, 1 client (service time)", latencies, errors, time.perf_counter() - started)
        jobs = [{"unit_id": d, "child_id": c, "kind": "in", "key": f"in-{c}"} for d, c in pairs[100:]]
        started, server_cpu, own_cpu = time.perf_counter(), _cpu_seconds(server.pid), _own_cpu_seconds()
        latencies, errors = _fire(base, cookies, csrf, jobs)
        cpu = (_cpu_seconds(server.pid) - server_cpu, _own_cpu_seconds() - own_cpu)
        _report("check-in (new taps), 50 concurrent", latencies, errors, time.perf_counter() - started, cpu)
        server_ms, client_ms = (x * 1000 / len(latencies) for x in cpu)
        started, server_cpu, own_cpu = time.perf_counter(), _cpu_seconds(server.pid), _own_cpu_seconds()
        latencies, errors = _fire(base, cookies, csrf, jobs)
        cpu = (_cpu_seconds(server.pid) - server_cpu, _own_cpu_seconds() - own_cpu)
        _report("replayed keys, 50 concurrent", latencies, errors, time.perf_counter() - started, cpu)
        _arithmetic(server_ms, client_ms, CONCURRENCY)
        print(
            f"server: gunicorn gthread, {args.workers} workers x {args.threads} threads on 127.0.0.1:{port}; "
            f"{os.cpu_count()} CPUs shared with the rest of the machine; load average now "
            f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}"
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)


if __name__ == "__main__":
    main()
