"""Benchmark of the krysseliste's check-in tap against the production web server on loopback.

Builds a kindergarten with 10 departments and ``--children`` placed children in its own scratch database
(analysed, as autovacuum keeps a live one), starts the production web server on ``oas.wsgi:application``
(granian's WSGI interface, 2 workers x 4 blocking threads, as the Dockerfile and docker-compose.yml run it;
``--server gunicorn`` to compare) against it, logs a staff member in and fetches each department tablet's tap
token with that session, as krysseliste.js does (``--auth session`` sends the session cookie and CSRF token
instead).

Then taps arrive at random (``loadgen.run_open``: an open loop, Poisson arrivals, each tap a child's next check-in
or check-out with a new key), first at ``--rate`` (default 200 taps/s) for ``--seconds``: target p95 < 100 ms;
then from an eighth of that rate up (or down) until p95 crosses 250 ms, halving the gap twice: the largest rate
that kept p95 under 250 ms is printed. A
tap's latency counts from its arrival, so a queue in front of a saturated server shows. Also printed: the CPU per
tap of the server (master + workers), of PostgreSQL (the backends serving the server) and of the load generator,
which all share the machine's cores, and the load average. The run fails (exit status 1) if any tap is not
answered 200 or 201.

Run: ``.venv/bin/python benchmarks/checkin.py`` (no environment needed; see ``benchmarks/common.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import secrets
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import (  # noqa: E402
    PRODUCTION_SERVER,
    PRODUCTION_THREADS,
    PRODUCTION_WORKERS,
    analyze,
    free_port,
    process_tree_cpu_seconds,
    scratch_database,
    wait_for_server,
    web_server_command,
)
from benchmarks.loadgen import Job, Result, percentiles, run_open  # noqa: E402 - after the path setup

CHECK = "/api/v1/attendance/check"
TARGET_P95_MS = 100.0
LIMIT_P95_MS = 250.0


def _build(children: int, *, today: dt.date) -> tuple[Any, list[tuple[int, int]]]:
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
            start_date=today - dt.timedelta(days=30),
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


class Taps:
    """The tablets' taps in order: each child in turn, checked in, then out, then in again …, each with a new key."""

    def __init__(self, auth: Auth, pairs: list[tuple[int, int]]):
        self.auth = auth
        self._next: Iterator[tuple[int, int, int]] = (
            (turn, unit, child) for turn in itertools.count() for unit, child in pairs
        )

    def take(self, n: int) -> list[Job]:
        jobs = []
        for turn, unit, child in itertools.islice(self._next, n):
            tap = {"unit_id": unit, "child_id": child, "kind": "out" if turn % 2 else "in", "key": f"{turn}-{child}"}
            jobs.append(Job("POST", CHECK, self.auth.headers(unit), json.dumps(tap).encode()))
        return jobs


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


def _errors(result: Result) -> int:
    return sum(1 for status in result.statuses if status not in (200, 201))


def _line(label: str, rate: float, result: Result) -> str:
    q = percentiles(result.latencies)
    n = len(result.latencies)
    return (
        f"{label:<22} {rate:6.0f} taps/s offered, {n / result.wall:6.0f} served  n={n:5d}  p50 {q['p50']:6.1f} ms  "
        f"p95 {q['p95']:6.1f} ms  p99 {q['p99']:6.1f} ms  max {q['max']:7.1f} ms  errors {_errors(result)}"
    )


class Bench:
    """The server under test, the taps, and the figures so far."""

    def __init__(self, args: argparse.Namespace, port: int, server_pid: int, db_name: str, taps: Taps):
        self.args, self.port, self.server_pid, self.db_name, self.taps = args, port, server_pid, db_name, taps
        self.errors = 0

    def at(self, rate: float, seconds: float, *, seed: int) -> Result:
        jobs = self.taps.take(max(1, round(rate * seconds)))
        result = run_open("127.0.0.1", self.port, jobs, rate=rate, seed=seed)
        self.errors += _errors(result)
        return result

    def measured(self, rate: float, seconds: float) -> tuple[Result, float, float | None]:
        """The tap at ``rate``, with the CPU time of the server and of PostgreSQL (seconds) meanwhile."""
        server_before, pg_before = process_tree_cpu_seconds(self.server_pid), _postgres_cpu_seconds(self.db_name)
        result = self.at(rate, seconds, seed=1)
        server = process_tree_cpu_seconds(self.server_pid) - server_before
        pg_after = _postgres_cpu_seconds(self.db_name)
        # Per backend: one that connected during the run counts in full.
        pg = None if pg_after is None else sum(t - (pg_before or {}).get(pid, 0.0) for pid, t in pg_after.items())
        return result, server, pg

    def largest_rate(self, start: float) -> float | None:
        """The largest rate (taps/s) whose p95 stays under the limit: from ``start``, doubling while rates pass
        (or halving while they fail, down to 1 tap/s), then halving the gap between the last passing and the first
        failing rate twice. None when even 1 tap/s fails."""
        good: float | None = None
        bad: float | None = None
        rate, halvings = start, 0
        for step in itertools.count(2):
            result = self.at(rate, self.args.search_seconds, seed=step)
            print(_line("  search", rate, result), flush=True)
            if percentiles(result.latencies)["p95"] < LIMIT_P95_MS and not _errors(result):
                good = rate
            else:
                bad = rate
            if good is None:  # nothing passed yet: go down
                if rate <= 1:
                    return None
                rate = max(1.0, rate / 2)
            elif bad is None:  # nothing failed yet: go up
                if rate >= self.args.max_rate:
                    return good
                rate = min(self.args.max_rate, rate * 2)
            elif halvings < 2:
                rate, halvings = (good + bad) / 2, halvings + 1
            else:
                return good
        return good


def _server_command(args: argparse.Namespace, port: int) -> list[str]:
    """The server's command line: granian (production's, the default) or gunicorn, on ``oas.wsgi:application``."""
    return web_server_command(
        server=args.server, port=port, workers=args.workers, threads=args.threads, worker_class=args.worker_class
    )


def _server_kind(args: argparse.Namespace) -> str:
    return f"gunicorn {args.worker_class}" if args.server == "gunicorn" else "granian wsgi"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=1000, help="children placed in the kindergarten")
    parser.add_argument("--rate", type=float, default=200.0, help="taps per second of the target phase")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the target phase")
    parser.add_argument("--search-seconds", type=float, default=5.0, help="length of each step of the rate search")
    parser.add_argument("--max-rate", type=float, default=2000.0, help="the rate search stops here")
    parser.add_argument("--workers", type=int, default=PRODUCTION_WORKERS)
    parser.add_argument("--threads", type=int, default=PRODUCTION_THREADS, help="threads per worker")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn only: gthread (default) or sync")
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
    with scratch_database("checkin") as _url:
        from django.db import connection

        from oas import clock

        db_name = str(connection.settings_dict["NAME"])
        user, pairs = _build(args.children, today=clock.today())
        analyze()  # fresh tables have no statistics; a live database has (autovacuum)
        cookie_name, session = _session_cookie(user)
        csrf = secrets.token_hex(16)
        port = free_port()
        # The server inherits DATABASE_URL (the scratch database) from this process.
        server = subprocess.Popen(_server_command(args, port), cwd=ROOT, env=dict(os.environ))  # noqa: S603
        try:
            wait_for_server(port)
            cookie = f"{cookie_name}={session}; csrftoken={csrf}"
            tokens = _tap_tokens(port, cookie, {d for d, _c in pairs}) if args.auth == "token" else None
            bench = Bench(args, port, server.pid, db_name, Taps(Auth(cookie=cookie, csrf=csrf, tokens=tokens), pairs))
            # Warm-up: every worker thread loads its code and opens its database connection.
            bench.at(min(args.rate, 50.0), max(1.0, args.seconds / 10), seed=0)
            result, server_cpu, pg_cpu = bench.measured(args.rate, args.seconds)
            n = len(result.latencies)
            p95 = percentiles(result.latencies)["p95"]
            print(_line("check-in, open loop", args.rate, result))
            print(
                f"  target p95 < {TARGET_P95_MS:.0f} ms at {args.rate:.0f} taps/s: "
                f"{'met' if p95 < TARGET_P95_MS else 'NOT met'} ({p95:.1f} ms)"
            )
            pg = "not visible" if pg_cpu is None else f"{pg_cpu * 1000 / n:.2f} ms"
            print(
                f"  CPU per tap: server {server_cpu * 1000 / n:.2f} ms, PostgreSQL {pg}, "
                f"load generator {result.cpu * 1000 / n:.2f} ms"
            )
            good = bench.largest_rate(max(1.0, args.rate / 8))
            shown = "none of the rates tried" if good is None else f"{good:.0f} taps/s"
            print(f"largest rate with p95 < {LIMIT_P95_MS:.0f} ms: {shown}")
            print(
                f"taps authenticated by {'the tap token (krysseliste.js)' if args.auth == 'token' else 'the session'}; "
                f"server: {_server_kind(args)}, {args.workers} workers x {args.threads} threads; {args.children} "
                f"children; {os.cpu_count()} CPUs shared with the rest of the machine; load average now "
                f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    if bench.errors:
        print(f"{bench.errors} taps were not answered 200 or 201", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
