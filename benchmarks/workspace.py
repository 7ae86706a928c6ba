"""Benchmark: arbeidsflate latency (p50/p95) for a unit leader at 20 concurrent users.

The data is the demo municipality of ``manage.py seed_demo`` (seeded into the benchmark's own scratch database,
``benchmarks/common.py``: ~10 s at full size, ``--size small`` for a quick run) and
the leader is the demo persona "rektor" at Demo skole (``oas/demo_personas.py``) with 19 fellow leaders of the
same school, so 20 distinct users with 20 sessions (the OIDC flow is tested elsewhere). Demo skole gets 300
message threads, half of them past the response time, unless it has threads already.

The server is the production one on loopback (granian's WSGI interface on ``oas.wsgi``, 2 workers x 4 blocking
threads as in the Dockerfile, ``DJANGO_DEBUG=0``, sessions in Redis via ``cached_db``) in its own process group.
The load generator is ``benchmarks/loadgen.py`` (asyncio, raw HTTP/1.1, ~0.2 ms CPU per request): 20 keep-alive
connections, one request in flight on each, each request with the session and CSRF cookies of one of the 20 users,
loading ``/arbeidsflate/`` (tasks from every module, the leader snapshot, messaging figures) back to back: a
closed loop with no think time. The first request of each user (all 20 at once, nothing computed yet) is reported
apart as the cold burst.

``--server gunicorn`` compares with gunicorn (gthread workers). There, a keep-alive connection stays with the
worker that accepted it, and left alone one worker accepted 19 of the 20 connections (printed below as "client
connections per worker"): 19 users queued on one process (one core, the GIL) while the other served one user,
p95 360 ms. So each gunicorn worker takes at most users / workers connections (``--worker-connections``, default
10 here), as a front proxy spreading its connections over the workers would; ``--worker-connections 1000``
(gunicorn's default) shows the skew, ``--worker-class sync`` a new connection per request.

With ``ARBEIDSFLATE_CACHE_SECONDS`` (default 30) a user's task counts and a unit's snapshot counts are reused
that long (refreshed stale-while-revalidate: one request recomputes, the others get the previous figures) and the
page says when they were computed. The default measured phase (2,000 requests) is shorter than 30 s, so no figure
expires during it; ``--cache-seconds 2 --requests 3000`` includes expiries; ``--cache-seconds 0`` measures every
request computed from scratch. ``--stress`` uses the 20,000-child school of ``benchmarks/fanout.py`` instead of
the demo school. Target: p95 < 150 ms. CPU per request of the server (master + workers), of PostgreSQL
(the backends of this database) and of the load generator is printed: other processes on a shared machine
slow the latencies down, not the CPU per request (the load average is printed too).

Run: ``.venv/bin/python benchmarks/workspace.py [--requests 2000] [--workers 2] [--threads 4]`` (no environment
needed). The run fails (exit status 1) when an answer is not the page.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    PRODUCTION_SERVER,
    PRODUCTION_THREADS,
    PRODUCTION_WORKERS,
    free_port,
    process_tree_cpu_seconds,
    scratch_database,
    wait_for_server,
    web_server_command,
)
from benchmarks.loadgen import Job, Result, percentiles, run  # noqa: E402 - after the path setup

USERS = 20


def _postgres_cpu_seconds() -> float | None:
    """CPU time of the PostgreSQL backends connected to this database (None when they are not visible here)."""
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    total, seen = 0.0, False
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
        seen = True
    return total if seen else None


def _unit(*, stress: bool, size: str) -> tuple[Any, Any]:
    """Return (the school, the rektor persona's employee or None for the stress school)."""
    from oas.demo_personas import DEMO_SCHOOL_CODE, PERSONAS_BY_KEY
    from oas.organisation.models import OrgUnit
    from oas.people.models import Employee

    if stress:
        from benchmarks.fanout import seed

        return seed(20_000), None
    persona = PERSONAS_BY_KEY["rektor"]
    if not Employee.objects.filter(employee_number=persona.employee_number).exists():
        from devtools.seed import demo_municipality_seed

        started = time.perf_counter()
        demo_municipality_seed(seed=2020, size=size)
        print(f"seeded the demo municipality ({size}) in {time.perf_counter() - started:.1f} s")
    return OrgUnit.objects.get(code=DEMO_SCHOOL_CODE), Employee.objects.get(employee_number=persona.employee_number)


def prepare(*, stress: bool, size: str) -> tuple[list[str], str]:
    """Sessions of 20 leaders of the school; some threads waiting for an answer. Return (cookies, school name)."""
    import datetime as dt

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.cached_db import SessionStore

    from messaging.models import Mailbox, Thread
    from oas import clock
    from oas.access.services import role_mapping_seed, roles_recompute_for_employees
    from oas.identity.models import Account, AccountKind
    from oas.people.models import Employee, Employment, Person, Placement

    unit, rektor = _unit(stress=stress, size=size)
    role_mapping_seed()
    employees: list[Employee] = [rektor] if isinstance(rektor, Employee) else []
    for i in range(USERS - len(employees)):
        person, _ = Person.objects.get_or_create(first_name="Leder", last_name=f"Bench{i}")
        employee, _ = Employee.objects.get_or_create(person=person, defaults={"employee_number": f"BENCH{i:03d}"})
        Employment.objects.get_or_create(
            employee=employee,
            unit=unit,
            position_code="REKTOR",
            defaults={"percentage": 100, "valid_from": dt.date(2020, 1, 1)},
        )
        employees.append(employee)
    roles_recompute_for_employees(employee_ids=[e.pk for e in employees])
    cookies = []
    users = []
    for employee in employees:
        user, _ = get_user_model().objects.get_or_create(username=f"bench-leader-{employee.employee_number}")
        Account.objects.get_or_create(
            user=user, defaults={"kind": AccountKind.STAFF, "employee": employee, "person": employee.person}
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(session.session_key or "")
        users.append(user)
    if not Thread.objects.filter(unit=unit).exists():
        mailbox, _ = Mailbox.objects.get_or_create(unit=unit)
        now = clock.now()
        kids = list(Placement.objects.filter(unit=unit).values_list("child_id", flat=True)[:300])
        Thread.objects.bulk_create(
            [
                Thread(
                    mailbox=mailbox,
                    unit=unit,
                    child_id=k,
                    subject="Spørsmål",
                    created_by=users[0],
                    created_at=now,
                    last_message_at=now,
                    awaiting_staff_since=now - dt.timedelta(hours=72 if i % 2 else 1),
                )
                for i, k in enumerate(kids)
            ]
        )
    children = Placement.objects.filter(unit=unit).values("child_id").distinct().count()
    return cookies, f"{unit} ({children} children placed)"


def _connections_per_worker(pid: int, port: int) -> list[int]:
    """How many client connections each worker process holds right now (most first)."""
    import psutil

    counts = []
    try:
        for worker in psutil.Process(pid).children():
            conns = worker.net_connections(kind="tcp")
            counts.append(sum(1 for c in conns if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port))
    except psutil.Error:
        return []
    return sorted(counts, reverse=True)


def _server_label(args: argparse.Namespace) -> str:
    if args.server == "granian":
        return f"granian wsgi {args.workers} workers x {args.threads} blocking threads"
    return (
        f"gunicorn {args.worker_class} {args.workers} workers x {args.threads} threads (at most "
        f"{args.worker_connections or -(-USERS // args.workers)} connections each)"
    )


def _bad(result: Result) -> list[int]:
    """Status codes of answers that are not the arbeidsflate with its computed-at line."""
    return [s for s, body in zip(result.statuses, result.bodies, strict=True) if s != 200 or b"computed-at" not in body]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000, help="measured requests (spread over 20 users)")
    parser.add_argument(
        "--server",
        choices=["granian", "gunicorn"],
        default=PRODUCTION_SERVER,
        help="granian (production's) or gunicorn",
    )
    parser.add_argument("--workers", type=int, default=PRODUCTION_WORKERS, help="worker processes")
    parser.add_argument("--threads", type=int, default=PRODUCTION_THREADS, help="threads per worker")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="gthread", help="gunicorn worker class")
    parser.add_argument(
        "--worker-connections", type=int, default=0, help="gunicorn --worker-connections (default: users / workers)"
    )
    parser.add_argument("--cache-seconds", type=int, default=30, help="ARBEIDSFLATE_CACHE_SECONDS for the server")
    parser.add_argument("--size", choices=["full", "small"], default="full", help="seed_demo size when seeding")
    parser.add_argument("--stress", action="store_true", help="the 20,000-child school of benchmarks/fanout.py")
    args = parser.parse_args()
    with scratch_database("workspace"):
        bad = _run(args)
    if bad:
        sys.exit(1)


def _run(args: argparse.Namespace) -> int:
    """Prepare, serve, measure and print; return the number of answers that were not the page."""
    cookies, school = prepare(stress=args.stress, size=args.size)

    port = free_port()
    env = dict(os.environ, DJANGO_DEBUG="0", ARBEIDSFLATE_CACHE_SECONDS=str(args.cache_seconds))
    extra = ("--worker-connections", str(args.worker_connections or -(-USERS // args.workers)))
    command = web_server_command(
        server=args.server,
        port=port,
        workers=args.workers,
        threads=args.threads,
        worker_class=args.worker_class,
        extra=extra if args.server == "gunicorn" else (),
    )
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603 - our venv, fixed

    # As a browser sends them after its first page: the session and the CSRF cookie (else every page would mint
    # and set a new CSRF secret, which a real user's page views do not).
    headers = [(("Cookie", f"sessionid={cookie}; csrftoken={secrets.token_hex(16)}"),) for cookie in cookies]

    def jobs(n: int) -> list[Job]:
        # Round robin over the 20 users: request k is user k % 20's.
        return [Job("GET", "/arbeidsflate/", headers[k % USERS]) for k in range(n)]

    try:
        wait_for_server(port)
        # The first request of each user, all at once (fresh workers, figures not computed yet): the cold burst.
        cold = run("127.0.0.1", port, jobs(USERS), concurrency=USERS, keep_bodies=True)
        server_before, pg_before = process_tree_cpu_seconds(server.pid), _postgres_cpu_seconds()
        spread: list[int] = []
        sampler = threading.Timer(0.5, lambda: spread.extend(_connections_per_worker(server.pid, port)))
        sampler.start()
        result = run("127.0.0.1", port, jobs(args.requests), concurrency=USERS, keep_bodies=True)
        sampler.cancel()
        server_cpu = process_tree_cpu_seconds(server.pid) - server_before
        pg_after = _postgres_cpu_seconds()
        pg_cpu = None if pg_before is None or pg_after is None else pg_after - pg_before
        n, wall = len(result.latencies), result.wall
        q, c = percentiles(result.latencies), percentiles(cold.latencies)
        who = "20 leaders of the school" if args.stress else "20 leaders incl. the demo persona 'rektor'"
        print(f"school: {school}; {who}")
        print(
            f"server: {_server_label(args)} on 127.0.0.1, "
            f"DEBUG off, ARBEIDSFLATE_CACHE_SECONDS={args.cache_seconds}; load generator: benchmarks/loadgen.py (asyncio, "
            f"keep-alive, {USERS} connections)"
        )
        print(f"client connections per worker 0.5 s into the measured phase: {spread or 'not seen'}")
        print(
            f"{n} requests of /arbeidsflate/ by {USERS} concurrent leaders (closed loop, no think time) in "
            f"{wall:.1f} s ({n / wall:.0f} req/s)"
        )
        if args.cache_seconds > wall:
            print(
                f"  the measured phase is shorter than the cache lifetime ({args.cache_seconds} s): no figure expired "
                "during it; --cache-seconds 2 includes expiries (stale-while-revalidate), --cache-seconds 0 "
                "measures every request computed from scratch"
            )
        print(
            f"arbeidsflate latency p50 {q['p50']:.0f} ms, p95 {q['p95']:.0f} ms, p99 {q['p99']:.0f} ms, "
            f"max {q['max']:.0f} ms  (target p95 < 150 ms)"
        )
        print(f"first request of each user (cold burst of {USERS}): p50 {c['p50']:.0f} ms, max {c['max']:.0f} ms")
        server_ms, client_ms = server_cpu * 1000 / n, result.cpu * 1000 / n
        pg_ms = None if pg_cpu is None else pg_cpu * 1000 / n
        pg = "not visible" if pg_ms is None else f"{pg_ms:.1f} ms"
        print(
            f"CPU per measured request: server {server_ms:.1f} ms (master + workers), PostgreSQL {pg}, "
            f"load generator {client_ms:.2f} ms"
        )
        cores = os.cpu_count() or 1
        total = server_ms + (pg_ms or 0.0) + client_ms
        # Everything shares the cores; the server's Python code runs on at most one core per worker process.
        floor = max(USERS * total / cores, USERS * server_ms / min(args.workers, cores))
        print(
            f"arithmetic: {USERS} users in a closed loop x {total:.1f} ms CPU per request on {cores} cores, the "
            f"server's {server_ms:.1f} ms on at most {min(args.workers, cores)} core(s): at least {floor:.0f} ms per "
            "round for each user, with nothing else running"
        )
        bad = _bad(cold) + _bad(result)
        print(f"answers that are not the page with its computed-at line: {len(bad)} {sorted(set(bad))}")
        print(f"load average now: {', '.join(f'{x:.2f}' for x in os.getloadavg())} ({cores} CPUs)")
        return len(bad)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
