"""Benchmark: arbeidsflate latency (p50/p95) for a unit leader at 20 concurrent users.

Serves the project with gunicorn on loopback, logs 20 leaders in (sessions created directly; the OIDC flow is
tested elsewhere) and has each of them load ``/arbeidsflate/`` (tasks from every module, the leader snapshot,
messaging figures) repeatedly from 20 threads. The leaders' school has the children of ``benchmarks/fanout.py``
(run that first, or pass ``--children``) and some unanswered and overdue messages. Target: p95 < 150 ms.

Run: ``.venv/bin/python benchmarks/workspace.py [--requests 400] [--workers 4]`` with DATABASE_URL at a
scratch database and REDIS_URL at your own Redis index.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oas.settings.base")
USERS = 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(children: int) -> list[str]:
    """Leaders of the benchmark school with sessions; a few hundred threads waiting for an answer."""
    import datetime as dt

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from benchmarks.fanout import seed
    from messaging.models import Mailbox, Thread
    from oas import clock
    from oas.access.services import role_mapping_seed
    from oas.identity.models import Account, AccountKind
    from oas.people.models import Employee, Employment, Person, Placement

    unit = seed(children)
    role_mapping_seed()
    cookies = []
    for i in range(USERS):
        person, _ = Person.objects.get_or_create(first_name="Leder", last_name=f"Bench{i}")
        employee, _ = Employee.objects.get_or_create(person=person, defaults={"employee_number": f"BENCH{i:03d}"})
        Employment.objects.get_or_create(
            employee=employee,
            unit=unit,
            position_code="REKTOR",
            defaults={"percentage": 100, "valid_from": dt.date(2020, 1, 1)},
        )
        user, _ = get_user_model().objects.get_or_create(username=f"bench-leader-{i}")
        Account.objects.get_or_create(
            user=user, defaults={"kind": AccountKind.STAFF, "employee": employee, "person": person}
        )
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(session.session_key or "")
    from oas.access.services import roles_recompute_for_employees

    roles_recompute_for_employees(
        employee_ids=list(Employee.objects.filter(employee_number__startswith="BENCH").values_list("pk", flat=True))
    )
    if not Thread.objects.filter(unit=unit).exists():
        mailbox, _ = Mailbox.objects.get_or_create(unit=unit)
        sender = get_user_model().objects.get(username="bench-leader-0")
        now = clock.now()
        kids = list(Placement.objects.filter(unit=unit).values_list("child_id", flat=True)[:300])
        Thread.objects.bulk_create(
            [
                Thread(
                    mailbox=mailbox,
                    unit=unit,
                    child_id=k,
                    subject="Spørsmål",
                    created_by=sender,
                    created_at=now,
                    last_message_at=now,
                    awaiting_staff_since=now - dt.timedelta(hours=72 if i % 2 else 1),
                )
                for i, k in enumerate(kids)
            ]
        )
    return cookies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400, help="total requests (spread over 20 users)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--children", type=int, default=20_000)
    args = parser.parse_args()
    cookies = prepare(args.children)

    import httpx

    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn executable, fixed arguments
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "oas.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=dict(os.environ),
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
        errors: list[int] = []
        lock = threading.Lock()
        per_user = max(1, args.requests // USERS)

        def user(i: int) -> None:
            with httpx.Client(base_url=base, cookies={"sessionid": cookies[i]}, timeout=30) as client:
                client.get("/arbeidsflate/")  # warm-up (principal, templates)
                for _ in range(per_user):
                    t = time.perf_counter()
                    r = client.get("/arbeidsflate/")
                    dt_ms = (time.perf_counter() - t) * 1000
                    with lock:
                        latencies.append(dt_ms)
                        if r.status_code != 200:
                            errors.append(r.status_code)

        threads = [threading.Thread(target=user, args=(i,)) for i in range(USERS)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0
        latencies.sort()
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        print(
            f"{len(latencies)} requests of /arbeidsflate/ by {USERS} concurrent leaders in {wall:.1f} s "
            f"({len(latencies) / wall:.0f} req/s, gunicorn {args.workers} workers)"
        )
        print(f"latency p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms, max {latencies[-1]:.0f} ms")
        print(f"non-200 answers: {len(errors)} {sorted(set(errors))}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
