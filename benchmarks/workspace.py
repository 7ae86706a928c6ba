"""Benchmark: arbeidsflate latency (p50/p95) for a unit leader at 20 concurrent users.

The data is the demo municipality of ``manage.py seed_demo`` (seeded here when missing: ~10 s at full size) and
the leader is the demo persona "rektor" at Demo skole (``oas/demo_personas.py``) with 19 fellow leaders of the
same school, so 20 distinct users with 20 sessions (the OIDC flow is tested elsewhere). Demo skole gets 300
message threads, half of them past the response time, unless it has threads already.

The server is a production-like gunicorn on loopback (gthread workers, ``DJANGO_DEBUG=0``, sessions in Redis via
``cached_db``) in its own process group; the 20 users are threads of this process, each loading ``/arbeidsflate/``
(tasks from every module, the leader snapshot, messaging figures) back to back: a closed loop with no think time.
With ``ARBEIDSFLATE_CACHE_SECONDS`` (default 30) a user's task counts and a unit's snapshot counts are reused
that long and the page says when they were computed; ``--cache-seconds 0`` measures every request computed from
scratch. ``--stress`` uses the 20,000-child school of ``benchmarks/fanout.py`` instead of the demo school.
Target: p95 < 150 ms.

Run: ``.venv/bin/python benchmarks/workspace.py [--requests 400] [--workers 2] [--threads 2]`` with DATABASE_URL
at a scratch database and REDIS_URL at your own Redis index.
"""

from __future__ import annotations

import argparse
import os
import signal
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
USERS = 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of the gunicorn master and its workers."""
    import psutil

    try:
        proc = psutil.Process(pid)
        return sum(p.cpu_times().user + p.cpu_times().system for p in [proc, *proc.children(recursive=True)])
    except psutil.Error:
        return 0.0


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
        from oas.ops.seed import demo_municipality_seed

        started = time.perf_counter()
        demo_municipality_seed(seed=2020, size=size)
        print(f"seeded the demo municipality ({size}) in {time.perf_counter() - started:.1f} s")
    return OrgUnit.objects.get(code=DEMO_SCHOOL_CODE), Employee.objects.get(employee_number=persona.employee_number)


def prepare(*, stress: bool, size: str) -> tuple[list[str], str]:
    """Sessions of 20 leaders of the school; some threads waiting for an answer. Return (cookies, school name)."""
    import datetime as dt

    import django

    django.setup()
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


def main() -> None:  # noqa: PLR0915 - one linear benchmark script
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="total requests (spread over 20 users)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--cache-seconds", type=int, default=30, help="ARBEIDSFLATE_CACHE_SECONDS for the server")
    parser.add_argument("--size", choices=["full", "small"], default="full", help="seed_demo size when seeding")
    parser.add_argument("--stress", action="store_true", help="the 20,000-child school of benchmarks/fanout.py")
    args = parser.parse_args()
    cookies, school = prepare(stress=args.stress, size=args.size)

    import logging

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)  # no log line per request in the load generator

    port = _free_port()
    env = dict(os.environ, DJANGO_DEBUG="0", ARBEIDSFLATE_CACHE_SECONDS=str(args.cache_seconds))
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn executable, fixed arguments
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "oas.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--threads",
            str(args.threads),
            "-k",
            "gthread",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        latencies: list[float] = []
        cold: list[float] = []
        errors: list[int] = []
        lock = threading.Lock()
        per_user = max(1, args.requests // USERS)
        barrier = threading.Barrier(USERS)
        timed = threading.Barrier(USERS + 1)
        done = threading.Barrier(USERS + 1)

        def user(i: int) -> None:
            with httpx.Client(base_url=base, cookies={"sessionid": cookies[i]}, timeout=30) as client:
                barrier.wait()
                for n in range(per_user + 1):
                    if n == 1:
                        timed.wait()  # the measured phase starts when every user has had the first answer
                    t = time.perf_counter()
                    r = client.get("/arbeidsflate/")
                    dt_ms = (time.perf_counter() - t) * 1000
                    with lock:
                        # The first request of each user runs at the same moment as everyone else's first one
                        # (fresh workers, figures not computed yet): reported apart as the cold burst.
                        (cold if n == 0 else latencies).append(dt_ms)
                        if r.status_code != 200 or b"computed-at" not in r.content:
                            errors.append(r.status_code)
            done.wait()

        threads = [threading.Thread(target=user, args=(i,)) for i in range(USERS)]
        for t in threads:
            t.start()
        timed.wait()
        t0, cpu0 = time.perf_counter(), _cpu_seconds(server.pid)
        done.wait()
        wall, server_cpu = time.perf_counter() - t0, _cpu_seconds(server.pid) - cpu0
        for t in threads:
            t.join()
        q = statistics.quantiles(latencies, n=100)
        who = "20 leaders of the school" if args.stress else "20 leaders incl. the demo persona 'rektor'"
        print(f"school: {school}; {who}")
        print(
            f"server: gunicorn gthread {args.workers} workers x {args.threads} threads on 127.0.0.1, DEBUG off, "
            f"ARBEIDSFLATE_CACHE_SECONDS={args.cache_seconds}"
        )
        print(
            f"{len(latencies)} requests of /arbeidsflate/ by {USERS} concurrent leaders (closed loop, no think "
            f"time) in {wall:.1f} s ({len(latencies) / wall:.0f} req/s)"
        )
        if args.cache_seconds > wall:
            print(
                f"  the measured phase is shorter than the cache lifetime ({args.cache_seconds} s): these are "
                "requests whose figures were computed by the user's first request; --cache-seconds 0 measures "
                "every request computed from scratch"
            )
        print(
            f"arbeidsflate latency p50 {statistics.median(latencies):.0f} ms, p95 {q[94]:.0f} ms, "
            f"max {max(latencies):.0f} ms  (target p95 < 150 ms)"
        )
        print(
            f"first request of each user (cold burst of 20): p50 {statistics.median(cold):.0f} ms, max {max(cold):.0f} ms"
        )
        cores = os.cpu_count() or 1
        cpu_ms = server_cpu * 1000 / len(latencies)
        print(
            f"server CPU per measured request: {cpu_ms:.1f} ms (gunicorn; PostgreSQL, Redis and this load generator "
            f"come on top); {USERS} users in a closed loop on {cores} cores queue for at least "
            f"{USERS * cpu_ms / cores:.0f} ms each round"
        )
        print(f"non-200 answers: {len(errors)} {sorted(set(errors))}")
        print(f"load average now: {', '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
