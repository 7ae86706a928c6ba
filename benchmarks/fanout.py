"""Benchmark: a notice to ~20,000 guardians through the e-mail and SMS simulators with a real Celery worker.

Prints the time to enqueue (recipients, notifications, deliveries and batch tasks written), the time until
every delivery is sent, and peak memory (this process and the worker). ``--kill`` kills the worker half-way
(SIGKILL), restarts it, and shows that nothing was lost: every guardian got the e-mail and the SMS; the only
duplicate e-mails are those in flight at the kill, each with the same Message-ID (the SMS gateway refuses a
duplicate by its reference).

The e-mail simulator is ``integrations.mail.simulator.SmtpSimulator``, an SMTP server on loopback (Django's SMTP
backend talks real SMTP to it); the SMS gateway is ``integrations.sms.simulator.SmsSimulator`` (HTTP). Both count
unique and duplicate deliveries (by Message-ID / reference). They run in a child process of their own, so they
don't share this process's GIL with the polling loop; the Celery worker (4 prefork processes) is another process
group, on a queue of its own.

Run: ``.venv/bin/python benchmarks/fanout.py [--guardians 20000] [--kill]``. It creates ``oas_fanout_bench_<pid>``
on the configured PostgreSQL server (DATABASE_URL, else the embedded one), migrates and fills it with synthetic
people, and drops it at the end; Redis is REDIS_URL or the embedded one. Exits with status 1 when a delivery was
lost or there were more duplicates than e-mails in flight could explain.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "devtools.settings.development")

from benchmarks.common import (  # noqa: E402 - after the path setup
    admin_sql,
    analyze,
    process_tree_cpu_seconds,
    scratch_database_create,
    server_database_url,
    with_database,
)

WORKER_CONCURRENCY = 4


def setup_django(sms_url: str, smtp_port: int, database_url: str, lease_seconds: int) -> None:
    """Point Django (and the worker, which inherits this environment) at the scratch database and the sinks."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["SMS_SIMULATOR_URL"] = sms_url
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.smtp.EmailBackend"
    os.environ["EMAIL_HOST"] = "127.0.0.1"
    os.environ["EMAIL_PORT"] = str(smtp_port)
    os.environ["MESSAGING_DELIVERY_LEASE_SECONDS"] = str(lease_seconds)
    # A queue of its own: the worker takes no task of a `make up` sharing this Redis, and leaves none of its own.
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = f"fanout-bench-{os.getpid()}"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.conf import settings

    os.environ["REDIS_URL"] = settings.REDIS_URL  # the embedded Redis when REDIS_URL was not set


def seed(guardians: int) -> Any:
    """Create (once) a municipality with one school, ``guardians`` children and one guardian each."""
    import datetime as dt

    from django.core.management import call_command

    from oas.organisation.models import Municipality, OrgUnit, OrgUnitKind
    from oas.organisation.services import orgunit_create
    from oas.people.models import Foreldreansvar, Person, PersonRelation, Placement, RelationKind, Service

    call_command("migrate", verbosity=0)
    unit = OrgUnit.objects.filter(code="BENCH-FANOUT").first()
    if unit is None:
        muni = Municipality.objects.create(number="3030", name="Lillestrøm", valid_from=dt.date(2020, 1, 1))
        # The benchmark measures delivery at any hour: no quiet hours holding guardians' notifications overnight.
        from messaging.models import MessagingSettings

        MessagingSettings.objects.create(municipality=muni, guardian_quiet_hours=False)
        office = orgunit_create(
            municipality=muni,
            parent=None,
            kind=OrgUnitKind.SECTOR_OFFICE,
            code="BENCH-OFFICE",
            name="Oppvekst",
            valid_from=dt.date(2020, 1, 1),
        )
        unit = orgunit_create(
            municipality=muni,
            parent=office,
            kind=OrgUnitKind.SCHOOL,
            code="BENCH-FANOUT",
            name="Benkeskolen",
            valid_from=dt.date(2020, 1, 1),
        )
    have = Placement.objects.filter(unit=unit).count()
    if have < guardians:
        n = guardians - have
        kids = Person.objects.bulk_create(
            [Person(first_name="Barn", last_name=f"Nr{have + i}", birth_date=dt.date(2016, 1, 1)) for i in range(n)],
            batch_size=5000,
        )
        adults = Person.objects.bulk_create(
            [
                Person(
                    first_name="Foresatt",
                    last_name=f"Nr{have + i}",
                    email=f"foresatt{have + i}@example.no",
                    phone=f"4{(have + i):07d}",
                )
                for i in range(n)
            ],
            batch_size=5000,
        )
        PersonRelation.objects.bulk_create(
            [
                PersonRelation(
                    adult=a,
                    child=k,
                    kind=RelationKind.GUARDIAN,
                    foreldreansvar=Foreldreansvar.FELLES,
                    valid_from=dt.date(2016, 1, 1),
                )
                for a, k in zip(adults, kids, strict=True)
            ],
            batch_size=5000,
        )
        Placement.objects.bulk_create(
            [Placement(child=k, unit=unit, service=Service.SCHOOL, start_date=dt.date(2024, 8, 1)) for k in kids],
            batch_size=5000,
        )
    analyze()  # as autovacuum keeps a live database
    return unit


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603 - our own celery executable, fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "oas",
            "worker",
            f"--concurrency={WORKER_CONCURRENCY}",
            f"--queues={env['CELERY_TASK_DEFAULT_QUEUE']}",
            "--pool=prefork",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def worker_rss(proc: subprocess.Popen[bytes]) -> int:
    import psutil

    try:
        p = psutil.Process(proc.pid)
        return int(p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True)))
    except psutil.Error:
        return 0


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _postgres_cpu_seconds(db_name: str) -> float | None:
    """CPU time of the PostgreSQL client backends now connected to ``db_name`` (None when not visible here)."""
    import psutil
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend' "
            "AND pid <> pg_backend_pid()",
            [db_name],
        )
        pids = [row[0] for row in cursor.fetchall()]
    total = 0.0
    try:
        for pid in pids:
            times = psutil.Process(pid).cpu_times()
            total += times.user + times.system
    except psutil.AccessDenied:
        return None
    except psutil.NoSuchProcess:
        pass
    return total


def serve_sinks() -> None:
    """Child process: run the SMTP sink and the SMS simulator; print their addresses, then counts on 'report'."""
    from integrations.mail.simulator import SmtpSimulator
    from integrations.sms.simulator import SmsSimulator

    sms = SmsSimulator().start()
    smtp = SmtpSimulator(keep_messages=False).start()
    print(json.dumps({"sms": sms.url, "smtp": smtp.port}), flush=True)
    for line in sys.stdin:
        if line.strip() == "report":
            report = {
                "sms_unique": len(sms.sent),
                "sms_duplicates": sms.duplicates,
                "smtp_unique": len(smtp.ids),
                "smtp_duplicates": smtp.duplicates,
                "cpu_seconds": _own_cpu_seconds(),
            }
            print(json.dumps(report), flush=True)
        else:
            break
    sms.stop()
    smtp.stop()


def start_sinks() -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """Start the simulators in their own process, so they don't compete with this one for the GIL."""
    proc = subprocess.Popen(  # noqa: S603 - this script, fixed arguments
        [sys.executable, str(Path(__file__).resolve()), "--serve-sinks"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


def sinks_report(proc: subprocess.Popen[str]) -> dict[str, int]:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("report\n")
    proc.stdin.flush()
    return dict(json.loads(proc.stdout.readline()))


def run(*, guardians: int, kill: bool, lease_seconds: int, max_seconds: int = 900, kill_at: float = 0.5) -> int:
    """Create the scratch database, run the benchmark in it, drop it; return the exit status."""
    server = server_database_url()
    name = f"oas_fanout_bench_{os.getpid()}"
    scratch_database_create(server, name)
    sinks, addresses = start_sinks()
    workers: list[subprocess.Popen[bytes]] = []
    try:
        setup_django(addresses["sms"], int(addresses["smtp"]), with_database(server, name), lease_seconds)
        return measure(
            guardians=guardians,
            kill=kill,
            lease_seconds=lease_seconds,
            max_seconds=max_seconds,
            kill_at=kill_at,
            sinks=sinks,
            workers=workers,
        )
    finally:
        for worker in workers:
            stop_worker(worker)
        assert sinks.stdin is not None
        sinks.stdin.write("stop\n")
        sinks.stdin.close()
        sinks.wait(timeout=30)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        admin_sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is not None:
        return
    os.kill(worker.pid, signal.SIGTERM)  # a warm shutdown of our own worker: it stops its pool itself
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)


def measure(  # noqa: PLR0915 - one linear benchmark script
    *,
    guardians: int,
    kill: bool,
    lease_seconds: int,
    max_seconds: int,
    kill_at: float,
    sinks: subprocess.Popen[str],
    workers: list[subprocess.Popen[bytes]],
) -> int:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from messaging.models import Channel, Delivery, DeliveryStatus, Mailbox, Notice, NoticeStatus
    from messaging.services.notices import notice_send
    from messaging.tasks import deliveries_dispatch
    from oas import clock

    unit = seed(guardians)
    sender, _ = get_user_model().objects.get_or_create(username="bench-sender")
    mailbox, _ = Mailbox.objects.get_or_create(unit=unit)
    notice = Notice.objects.create(
        mailbox=mailbox,
        unit=unit,
        title="Planleggingsdag",
        body="Skolen er stengt fredag.",
        status=NoticeStatus.SCHEDULED,
        send_at=clock.now(),
        created_by=sender,
        created_at=clock.now(),
    )
    notice.target_units.set([unit])
    env = dict(os.environ)
    worker = start_worker(env)
    workers.append(worker)
    time.sleep(4)  # let the worker connect before the clock starts

    sinks_cpu0 = sinks_report(sinks)["cpu_seconds"]
    own_cpu0 = _own_cpu_seconds()
    t0 = time.perf_counter()
    t0_clock = clock.now()  # the same moment on the database's time axis (sent_at)
    with transaction.atomic():
        recipients = notice_send(notice_id=notice.pk)
    enqueue_s = time.perf_counter() - t0  # on_commit has run: batches are in Redis
    deliveries = Delivery.objects.filter(notification__key=f"notice:{notice.pk}")
    total = deliveries.count()
    emails = deliveries.filter(channel=Channel.EMAIL).count()
    sms_total = deliveries.filter(channel=Channel.SMS).count()
    print(f"recipients: {recipients}, deliveries: {total} ({emails} e-mail + {sms_total} SMS)")
    print(f"time to enqueue: {enqueue_s:.2f} s")
    # The scratch database's delivery tables went from empty to 40,000 rows within a second, before autovacuum
    # has looked at them: without statistics the planner guesses (the polling loop's count became a nested loop
    # taking ~13 s of a core, each batch's claim 0.4-0.9 s). A live database has them.
    analyze("messaging_delivery", "messaging_notification")

    peak_worker = 0
    worker_cpu = 0.0
    killed = False
    kick_every = min(10.0, lease_seconds / 2)
    last_kick = last_progress = restart = time.perf_counter()
    deadline = t0 + max_seconds + lease_seconds
    done = 0
    while time.perf_counter() < deadline:
        done = deliveries.filter(status=DeliveryStatus.SENT).count()
        peak_worker = max(peak_worker, worker_rss(worker))
        if time.perf_counter() - last_progress >= 5:
            print(f"  {time.perf_counter() - t0:5.1f} s: {done}/{total} sent", flush=True)
            last_progress = time.perf_counter()
        if done >= total:
            break
        worker_cpu = process_tree_cpu_seconds(worker.pid)
        if kill and not killed and done >= total * kill_at:
            os.killpg(worker.pid, signal.SIGKILL)  # our own worker process group
            worker.wait()
            killed = True
            print(f"worker killed after {time.perf_counter() - t0:.1f} s with {done}/{total} sent")
            worker = start_worker(env)
            workers.append(worker)
            restart = time.perf_counter()
        if time.perf_counter() - last_kick > kick_every:  # stands in for celery beat (messaging.deliveries_dispatch)
            deliveries_dispatch.delay()
            last_kick = time.perf_counter()
        time.sleep(0.25)
    elapsed = time.perf_counter() - t0
    print(f"time until all delivered: {elapsed:.2f} s ({done}/{total} sent), as seen by this polling loop")
    # The polling loop can be late (it shares the cores and sleeps between counts): the deliveries' own
    # sent_at says when the last one was really recorded.
    last = deliveries.filter(status=DeliveryStatus.SENT).order_by("-sent_at").values_list("sent_at", flat=True).first()
    if last is not None:
        print(f"last delivery recorded (sent_at) {(last - t0_clock).total_seconds():.2f} s after the notice was sent")
    if killed:
        print(f"  of which after the restart: {time.perf_counter() - restart:.1f} s (lease {lease_seconds} s)")
    elif kill:
        print("worker not killed: everything was sent before the loop saw half of it")
    print(
        f"peak memory: benchmark process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, "
        f"worker (all processes) {peak_worker / 1024 / 1024:.0f} MB"
    )
    worker_cpu = process_tree_cpu_seconds(worker.pid) or worker_cpu
    own_cpu = _own_cpu_seconds() - own_cpu0
    from django.db import connection

    pg_cpu = _postgres_cpu_seconds(str(connection.settings_dict["NAME"]))
    time.sleep(1)
    counts = sinks_report(sinks)
    per = 1000 / max(1, total)
    pg = "not visible" if pg_cpu is None else f"{pg_cpu * per:.2f} ms"
    print(
        f"CPU per delivery: worker {worker_cpu * per:.2f} ms{' (after the restart)' if killed else ''}, "
        f"PostgreSQL (the worker's connections) {pg}, simulators {(counts['cpu_seconds'] - sinks_cpu0) * per:.2f} ms, "
        f"this polling process {own_cpu * per:.2f} ms"
    )
    print(f"SMS gateway: {counts['sms_unique']} unique, {counts['sms_duplicates']} duplicates refused by reference")
    print(
        f"SMTP sink: {counts['smtp_unique']} unique Message-IDs, {counts['smtp_duplicates']} duplicate e-mails "
        "(a duplicate repeats a Message-ID already received)"
    )
    unsent = deliveries.exclude(status=DeliveryStatus.SENT).count()
    lost = (emails - counts["smtp_unique"]) + (sms_total - counts["sms_unique"])
    # Each worker process has at most one e-mail in flight (accepted by the server, not yet marked sent).
    allowed = WORKER_CONCURRENCY if killed else 0
    print(f"deliveries not sent: {unsent}; lost: {lost}; duplicate e-mails allowed by the kill: {allowed}")
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    if unsent or lost or counts["smtp_duplicates"] > allowed:
        print("FAILED: a delivery was lost or duplicated beyond the e-mails in flight")
        return 1
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--guardians", type=int, default=20_000)
    parser.add_argument("--kill", action="store_true", help="kill the worker half-way and restart it")
    parser.add_argument(
        "--lease-seconds", type=int, default=20, help="a dead worker's deliveries are sent again after this"
    )
    parser.add_argument(
        "--kill-at",
        type=float,
        default=0.5,
        help="kill when this share is seen sent (the polling loop lags on a loaded machine: try 0.25)",
    )
    parser.add_argument(
        "--max-seconds",
        type=int,
        default=900,
        help="give up waiting after this (a loaded shared machine is slow; the figures say how slow)",
    )
    parser.add_argument("--serve-sinks", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_sinks:
        serve_sinks()
        return
    raise SystemExit(
        run(
            guardians=args.guardians,
            kill=args.kill,
            lease_seconds=args.lease_seconds,
            max_seconds=args.max_seconds,
            kill_at=args.kill_at,
        )
    )


if __name__ == "__main__":
    main()
