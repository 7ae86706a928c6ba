"""Benchmark of school attendance on the full demo municipality (issue 16).

In its own scratch database (``benchmarks/common.py``, dropped at the end): ``seed_demo`` (full, or ``--size
small``) and ``seed_school_demo``, then
1. one lesson's attendance for a class of 28 saved through ``attendance_register`` (p95 of 200, target < 100 ms);
2. the principal's absence overview (``school_absence_overview``) for the biggest school (target < 300 ms).
3. leaving certificates (vitnemål) for every 10th-grader of the municipality (about 900 on the full demo; target
   < 60 s with two workers): ``seed_assessment_demo``'s final grades locked, one batch per school published and a
   real Celery worker (``--certificate-workers`` prefork processes, default 2, on a queue of this run's own) renders
   each PDF and queues its archive entry; timed from the publish until every certificate is stored, then the
   batches published again (a no-op: no second certificate);
4. the municipal school-year rollover (``rollover_run``) for every pupil of the demo (about 10,000; target < 60 s),
   then the same run again (a no-op).

Run: ``.venv/bin/python benchmarks/school.py`` (on DATABASE_URL's server, or the embedded one ``make up`` uses).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import analyze, scratch_database  # noqa: E402 - after the path is set

CLASS_SIZE = 28
SAVES = 200
DAY = dt.date(2026, 11, 19)  # a Thursday in term


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def _teaching_group_of_28() -> tuple[Any, Any, list[int], Any]:
    """A teaching group of 28 pupils of the biggest school, taught by one of its teachers."""
    from django.db.models import Count, Q

    from oas.identity.models import Account, AccountKind
    from oas.organisation.models import OrgUnit, OrgUnitKind
    from oas.people.models import Employee, GroupAssignment, GroupRole
    from school import selectors, services
    from school.models import GroupMembership
    from tests import factories as f

    analyze()  # as the tables' owner: the application's role may not analyse them
    # A teaching group of 28 pupils of one school, taught by one of its teachers.
    school = (
        OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL)
        .annotate(n=Count("placements", filter=Q(placements__service="school")))
        .order_by("-n")
        .first()
    )
    assert school is not None
    group = OrgUnit.objects.filter(teaching_group__school=school).first()
    assert group is not None
    pupils = list(school.placements.filter(service="school").values_list("child_id", flat=True)[:CLASS_SIZE])
    GroupMembership.objects.filter(group=group).delete()
    services.membership_add(group=group, pupil_ids=pupils, valid_from=dt.date(2026, 8, 15))
    employee = Employee.objects.filter(employments__unit=school).first()
    assert employee is not None
    GroupAssignment.objects.create(
        employee=employee, group=group, role=GroupRole.GROUP_STAFF, valid_from=dt.date(2026, 8, 15)
    )
    account = Account.objects.filter(employee=employee, kind=AccountKind.STAFF).first()
    user = (account or f.staff_account(employee)).user
    assert len(selectors.group_pupil_ids(group=group, day=DAY)) == len(pupils)  # 28, fewer in the small demo

    return user, group, pupils, school


def _rollover() -> None:
    from oas.organisation.models import OrgUnit, OrgUnitKind
    from school.rollover import rollover_run, school_year_current

    school = OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL).select_related("municipality").first()
    assert school is not None
    year = school_year_current(municipality=school.municipality)
    assert year is not None
    t0 = time.perf_counter()
    result = rollover_run(user=None, municipality=school.municipality, from_year=year)
    elapsed = time.perf_counter() - t0
    counts = result.rollover.counts
    print(
        f"rollover: {counts['pupils_moved'] + counts['leavers']} pupils ({counts['pupils_moved']} up a grade, "
        f"{counts['pupils_to_other_school']} of them to another school, {counts['leavers']} left), "
        f"{counts['classes_created']} classes created in {elapsed:.1f} s (target < 60 s)"
    )
    t0 = time.perf_counter()
    again = rollover_run(user=None, municipality=school.municipality, from_year=year)
    assert again.already_done
    print(f"rollover run again: no change, {(time.perf_counter() - t0) * 1000:.0f} ms")


def _certificate_worker(workers: int) -> subprocess.Popen[bytes]:
    """A Celery worker of our own (prefork, ``workers`` processes) on this run's queue; it inherits the scratch DB."""
    return subprocess.Popen(  # noqa: S603 - our interpreter, fixed arguments
        [
            *(sys.executable, "-m", "celery", "-A", "oas", "worker", f"--concurrency={workers}"),
            *(f"--queues={os.environ['CELERY_TASK_DEFAULT_QUEUE']}", "--pool=prefork", "--loglevel=WARNING"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,  # the banner; warnings and errors go to stderr
        start_new_session=True,
    )


def _wait_for_worker(worker: subprocess.Popen[bytes]) -> None:
    """Wait until the worker answers a ping (it has connected to the broker and loaded Django)."""
    from oas.celery import app

    for _ in range(120):
        if worker.poll() is not None:
            raise SystemExit("the Celery worker exited")
        if app.control.ping(timeout=1.0):
            return
    raise SystemExit("the Celery worker did not start")


def _certificates(*, workers: int) -> None:
    """Every school's 10th-graders' leaving certificates, rendered by a real Celery worker with ``workers`` processes."""
    from django.db import connections

    from assessment import certificates, selectors
    from assessment.models import CertificateBatch, FinalGrade, FinalGradeLock, LeavingCertificate
    from oas import clock
    from oas.organisation.models import OrgUnit, OrgUnitKind
    from school.public import school_year_on

    call_command_quiet("seed_assessment_demo")
    today = clock.today()
    now = clock.now()
    # The principals' step (not measured): lock and publish every 10th-grade group's final grades.
    batches = []
    for school in OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL).order_by("pk"):
        pupils = certificates.tenth_grader_ids(school=school, day=today)
        if not pupils:
            continue
        groups = [g.group for g in selectors.school_final_groups(school=school, day=today)]
        FinalGradeLock.objects.bulk_create(
            [FinalGradeLock(group=g, locked_at=now) for g in groups], ignore_conflicts=True
        )
        FinalGrade.objects.filter(group__in=groups, published_at__isnull=True).update(published_at=now)
        year = school_year_on(municipality_id=school.municipality_id, day=today)
        assert year is not None
        batch, _created = CertificateBatch.objects.get_or_create(
            school=school, school_year=year.name, defaults={"pupil_ids": pupils, "started_at": now}
        )
        batches.append(batch)
    total = sum(len(b.pupil_ids) for b in batches)
    connections.close_all()
    worker = _certificate_worker(workers)
    try:
        _wait_for_worker(worker)  # the clock starts when the worker is ready
        t0 = time.perf_counter()
        for batch in batches:
            certificates.certificate_batch_publish(batch.pk)  # what certificate_batch_start does on commit
        done, first = 0, 0.0
        while time.perf_counter() - t0 < 600 and worker.poll() is None:
            done = LeavingCertificate.objects.count()
            if done and not first:
                first = time.perf_counter() - t0
            if done >= total:
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - t0
        print(
            f"leaving certificates: {done} of {total} 10th-graders at {len(batches)} schools in {elapsed:.1f} s with "
            f"{workers} worker process(es) ({elapsed / max(1, done) * workers * 1000:.0f} ms per certificate per "
            f"worker; the first stored after {first:.1f} s, each worker process's first PDF loads weasyprint and "
            f"its fonts; target < 60 s with two workers)"
        )
        for batch in batches:
            certificates.certificate_batch_publish(batch.pk)  # again: nothing pending, nothing issued twice
        time.sleep(3)
        assert LeavingCertificate.objects.count() == done, "a batch published twice issued a certificate twice"
    finally:
        worker.send_signal(signal.SIGTERM)  # a warm shutdown of our own worker
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        _purge_queue()


def _purge_queue() -> None:
    """Leave nothing on this run's queue (the outbox's kicks to the archive claimer)."""
    from oas.celery import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(os.environ["CELERY_TASK_DEFAULT_QUEUE"])  # type: ignore[attr-defined]


def call_command_quiet(name: str) -> None:
    from django.core.management import call_command

    call_command(name, stdout=io.StringIO())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=["full", "small"], default="full", help="seed_demo size")
    parser.add_argument("--saves", type=int, default=SAVES, help="lesson registrations measured")
    parser.add_argument("--certificate-workers", type=int, default=2, help="Celery worker processes (vitnemål)")
    args = parser.parse_args()
    # A queue of its own: the worker takes no task of a `make up` sharing this Redis, and leaves none behind.
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = f"school-bench-{os.getpid()}"
    with scratch_database("school", settings="devtools.settings.test"):
        from django.conf import settings

        os.environ["REDIS_URL"] = settings.REDIS_URL  # the worker's broker: the embedded Redis when it was not set
        _run(size=args.size, saves=args.saves, certificate_workers=args.certificate_workers)


def _run(*, size: str, saves: int, certificate_workers: int) -> None:
    from django.core.management import call_command

    from oas import clock

    with clock.freeze(dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC)):
        if size:  # (one block: the measured code as it was)
            started = time.perf_counter()
            call_command("seed_role_mapping", stdout=io.StringIO())
            call_command("seed_demo", "--size", size, stdout=io.StringIO())
            call_command("seed_school_demo", stdout=io.StringIO())
            print(f"seed_demo + seed_school_demo ({size}): {time.perf_counter() - started:.1f} s")
            from school import selectors, services

            user, group, pupils, school = _teaching_group_of_28()
            samples = []
            for i in range(saves + 10):
                absent = pupils[i % len(pupils) : i % len(pupils) + 2]
                t0 = time.perf_counter()
                services.attendance_register(user=user, group_id=group.pk, day=DAY, lesson=1 + i % 8, absent_ids=absent)
                if i >= 10:  # warm-up
                    samples.append((time.perf_counter() - t0) * 1000)
            print(
                f"lesson attendance, class of {len(pupils)}: p50 {statistics.median(samples):.1f} ms, "
                f"p95 {_p95(samples):.1f} ms over {saves} saves (target p95 < 100 ms)"
            )

            pupils_at_school = school.placements.filter(service="school").count()
            timings = []
            for _ in range(20):
                t0 = time.perf_counter()
                selectors.school_absence_overview(school=school, since=dt.date(2026, 8, 1))
                timings.append((time.perf_counter() - t0) * 1000)
            print(
                f"absence overview, {school.name} ({pupils_at_school} pupils): p50 {statistics.median(timings):.1f} ms, "
                f"max {max(timings):.1f} ms (target < 300 ms)"
            )
            _certificates(workers=certificate_workers)
            _rollover()
            print(f"{os.cpu_count()} CPUs shared; load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
