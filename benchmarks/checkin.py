"""Benchmark of the krysseliste's check-in API against a real server process on loopback.

Builds a kindergarten with 10 departments and 1,000 placed children in a throwaway database (analysed, as
autovacuum keeps a live one), starts the production web server on ``oas.wsgi:application`` (granian's WSGI
interface, 2 workers x 4 blocking threads, as the Dockerfile and docker-compose.yml run it; ``--server gunicorn``
to compare) on a free loopback port against it, logs a department's staff member in, fetches each department
tablet's tap token with that session (as krysseliste.js does; ``--auth session`` sends the session cookie and CSRF
token instead) and then fires check-ins from 50 concurrent keep-alive connections (``benchmarks/loadgen.py``:
asyncio, raw HTTP/1.1, a closed loop with no think time): every request is a distinct child's first tap ("in"),
followed by a round of replays of the same keys (the offline queue being replayed), and then by check-outs in
bursts of 50 simultaneous taps with a pause after each (``loadgen.run_bursts``: 50 tablets tapping at the same
moment, rather than 50 clients that never stop). The dispatcher of
``oas/wsgi.py`` sends a tap with a token to ``attendance/tap.py`` and one with a session to the lean handler of
``oas/lean.py``. Prints p50/p95/p99 latency for both rounds and the throughput, the CPU time per request of the
server (master + workers), of PostgreSQL (the client backends serving the server's connections, per backend; not
autovacuum) and of the load generator, and the arithmetic of what that CPU cost means for 50 simultaneous requests
on this machine's cores. The load generator, the server and PostgreSQL share the same cores (and, on a shared
machine, with everything else running: the load average is printed).

Run: ``.venv/bin/python benchmarks/checkin.py [--workers 2 --threads 4 --requests 1000]``, or
``--server gunicorn --worker-class gthread --threads 8`` (uses DATABASE_URL/REDIS_URL like the rest of the
project; the target is p95 under 50 ms).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oas.settings.base")

from benchmarks.common import (  # noqa: E402
    PRODUCTION_SERVER,
    PRODUCTION_THREADS,
    PRODUCTION_WORKERS,
    free_port,
    process_tree_cpu_seconds,
    wait_for_server,
    web_server_command,
)
from benchmarks.loadgen import Job, Result, percentiles, run, run_bursts  # noqa: E402 - after the path setup

CHECK = "/api/v1/attendance/check"
CONCURRENCY = 50


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


def _tap_tokens(port: int, cookie: str, units: set[int]) -> dict[int, str]:
    """Each department tablet's tap token, fetched as krysseliste.js does (``GET /oppmote/<unit>/tap-token``)."""
    tokens = {}
    for unit in sorted(units):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/oppmote/{unit}/tap-token", headers={"Cookie": cookie}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our loopback server
            tokens[unit] = json.loads(response.read())["token"]
    return tokens


class Auth:
    """How the benchmark's tablets authenticate their taps: the tap token (krysseliste.js) or the session."""

    def __init__(self, *, cookie: str, csrf: str, tokens: dict[int, str] | None):
        self.cookie, self.csrf, self.tokens = cookie, csrf, tokens

    def headers(self, unit: int) -> tuple[tuple[str, str], ...]:
        if self.tokens is not None:  # as krysseliste.js sends a tap: the token, no cookies
            return (("Authorization", f"Bearer {self.tokens[unit]}"), ("Content-Type", "application/json"))
        return (("Cookie", self.cookie), ("X-CSRFToken", self.csrf), ("Content-Type", "application/json"))


def _jobs(auth: Auth, taps: list[dict[str, Any]]) -> list[Job]:
    """The tablet's requests: JSON body and the tap token (or the session cookie, CSRF cookie and header)."""
    return [Job("POST", CHECK, auth.headers(tap["unit_id"]), json.dumps(tap).encode()) for tap in taps]


def _fire(port: int, jobs: list[Job], concurrency: int = CONCURRENCY) -> Result:
    return run("127.0.0.1", port, jobs, concurrency=concurrency)


def _postgres_cpu_seconds(db_name: str) -> dict[int, float] | None:
    """CPU time per PostgreSQL client backend serving the benchmark database (None when not visible here).

    Client backends only (not autovacuum, which has the database name too and comes and goes at random), and
    not this process's own connection.
    """
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend' "
            "AND pid <> pg_backend_pid()",
            [db_name],
        )
        pids = [row[0] for row in cursor.fetchall()]
    cpu: dict[int, float] = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        cpu[pid] = times.user + times.system
    return cpu or None


def _report(label: str, result: Result, cpu: tuple[float, float | None] | None = None) -> None:
    q = percentiles(result.latencies)
    errors = sum(1 for status in result.statuses if status not in (200, 201))
    n = len(result.latencies)
    print(
        f"{label:<34} n={n:5d}  p50 {q['p50']:6.1f} ms  p95 {q['p95']:6.1f} ms  p99 {q['p99']:6.1f} ms  "
        f"max {q['max']:6.1f} ms  {n / result.wall:6.0f} req/s  errors {errors}"
    )
    if cpu is not None:
        server_ms = cpu[0] * 1000 / n
        pg = "not visible" if cpu[1] is None else f"{cpu[1] * 1000 / n:.2f} ms"
        print(
            f"{'':<34} CPU per request: server {server_ms:.2f} ms, PostgreSQL {pg}, "
            f"load generator {result.cpu * 1000 / n:.2f} ms"
        )


def _arithmetic(server_cpu_ms: float, pg_cpu_ms: float, client_cpu_ms: float, concurrency: int) -> None:
    """Print what the CPU cost per request means for a burst of ``concurrency`` requests on this machine."""
    cores = os.cpu_count() or 1
    per_request = server_cpu_ms + pg_cpu_ms + client_cpu_ms  # all run on the same cores
    last = concurrency * per_request / cores
    print(
        f"arithmetic: {concurrency} simultaneous requests x {per_request:.2f} ms CPU each (server "
        f"{server_cpu_ms:.2f} + PostgreSQL {pg_cpu_ms:.2f} + load generator {client_cpu_ms:.2f}) / {cores} cores "
        f"= {last:.0f} ms until the last answer, even with no other load; p95 of such a burst is about "
        f"{0.95 * last:.0f} ms. A p95 under 50 ms needs at most {50 * cores / (0.95 * concurrency):.1f} ms CPU per "
        f"request in total."
    )


def _measured(port: int, server_pid: int, db_name: str, jobs: list[Job]) -> tuple[Result, tuple[float, float | None]]:
    server_before, pg_before = process_tree_cpu_seconds(server_pid), _postgres_cpu_seconds(db_name)
    result = _fire(port, jobs)
    server = process_tree_cpu_seconds(server_pid) - server_before
    pg_after = _postgres_cpu_seconds(db_name)
    # Per backend: one that connected during the run counts in full, one that ended is lost (none should).
    pg = None if pg_after is None else sum(t - (pg_before or {}).get(pid, 0.0) for pid, t in pg_after.items())
    return result, (server, pg)


def _server_command(args: argparse.Namespace, port: int) -> list[str]:
    """The server's command line: granian (production's, the default) or gunicorn, on ``oas.wsgi:application``."""
    return web_server_command(
        server=args.server, port=port, workers=args.workers, threads=args.threads, worker_class=args.worker_class
    )


def _server_kind(args: argparse.Namespace) -> str:
    return f"gunicorn {args.worker_class}" if args.server == "gunicorn" else "granian wsgi"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=PRODUCTION_WORKERS)
    parser.add_argument("--threads", type=int, default=PRODUCTION_THREADS, help="threads per worker")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn only: gthread (default) or sync")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument(
        "--auth",
        choices=["token", "session"],
        default="token",
        help="token (default: the tap token, as krysseliste.js sends taps) or session (cookie and CSRF token)",
    )
    parser.add_argument(
        "--server",
        choices=["granian", "gunicorn"],
        default=PRODUCTION_SERVER,
        help="granian (default: production's; --threads blocking threads per worker) or gunicorn (--worker-class)",
    )
    return parser.parse_args()


def main() -> None:
    args = _arguments()

    import django

    django.setup()
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"oas_bench_checkin_{os.getpid()}"
    db_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    server: subprocess.Popen[bytes] | None = None
    try:
        user, pairs = _build(args.requests)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh tables have no statistics; a live database has (autovacuum)
        cookie_name, session = _session_cookie(user)
        csrf = secrets.token_hex(16)
        url = os.environ.get("DATABASE_URL", "")
        env = dict(os.environ)
        if url:
            env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + db_name
        else:
            env["DATABASE_URL"] = str(connection.settings_dict.get("NAME"))
        port = free_port()
        server = subprocess.Popen(_server_command(args, port), cwd=ROOT, env=env)  # noqa: S603 - fixed, our venv
        wait_for_server(port)
        cookie = f"{cookie_name}={session}; csrftoken={csrf}"
        tokens = _tap_tokens(port, cookie, {d for d, _c in pairs}) if args.auth == "token" else None
        auth = Auth(cookie=cookie, csrf=csrf, tokens=tokens)
        # Warm-up: every worker thread loads its code and opens its database connection.
        warm = [{"unit_id": d, "child_id": c, "kind": "in", "key": f"warm-{c}"} for d, c in pairs[:100]]
        _fire(port, _jobs(auth, warm))
        single = [{"unit_id": d, "child_id": c, "kind": "out", "key": f"out-{c}"} for d, c in pairs[:100]]
        _report("check-out, 1 client (service time)", _fire(port, _jobs(auth, single), concurrency=1))
        taps = [{"unit_id": d, "child_id": c, "kind": "in", "key": f"in-{c}"} for d, c in pairs[100:]]
        jobs = _jobs(auth, taps)
        result, cpu = _measured(port, server.pid, db_name, jobs)
        _report("check-in (new taps), 50 concurrent", result, cpu)
        n = len(result.latencies)
        server_ms, pg_ms, client_ms = cpu[0] * 1000 / n, (cpu[1] or 0.0) * 1000 / n, result.cpu * 1000 / n
        result, cpu = _measured(port, server.pid, db_name, jobs)
        _report("replayed keys, 50 concurrent", result, cpu)
        outs = [{"unit_id": d, "child_id": c, "kind": "out", "key": f"burst-{c}"} for d, c in pairs[100:]]
        _report("check-out, bursts of 50 at once", run_bursts("127.0.0.1", port, _jobs(auth, outs), size=CONCURRENCY))
        _arithmetic(server_ms, pg_ms, client_ms, CONCURRENCY)
        print(
            f"taps authenticated by {'the tap token (krysseliste.js)' if args.auth == 'token' else 'the session'}; "
            f"server: {_server_kind(args)}, {args.workers} workers x {args.threads} threads on 127.0.0.1:{port}; "
            f"{os.cpu_count()} CPUs shared with the rest of the machine; load average now "
            f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}"
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)


if __name__ == "__main__":
    main()
