"""Benchmark of the timetable generator (issue 17).

1. Demo skole's timetable, built from the demo's classes, groups and teachers in a scratch database
   (``seed_demo`` + ``seed_school_demo``) and generated through the same run as the page: time and soft cost;
2. synthetic Norwegian 1–10 schools (``timetable.synthetic``, default 30 and 50 classes): time to the first
   timetable with no hard violation, and the soft cost at the time limit (targets < 10 s and < 60 s);
3. an impossible 30-class school: time to the explanation (target < 30 s) and the explanation itself;
4. XHSTT instances from ``../shared/xhstt/`` (``--xhstt``, default the classic hdtt4): hard cost 0 when a timetable
   is found; only AssignTime and AvoidClashes are modelled, so other constraints are listed as not scored.
The side-by-side with ``fet-cl`` is not measured (Debian's fet is not installed here, and the FET importer is
not built).

Run: ``.venv/bin/python benchmarks/timetable.py [--classes 30 50] [--seconds 60] [--xhstt NAME ...]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import scratch_database  # noqa: E402 - after the path is set

# ``../shared/xhstt`` from the repository (one level further up from a worktree under ``wt/``).
XHSTT_DIR = next(
    (p for p in (ROOT.parent / "shared" / "xhstt", ROOT.parent.parent / "shared" / "xhstt") if p.exists()),
    ROOT.parent / "shared" / "xhstt",
)


def _synthetic(*, classes: list[int], seconds: float, impossible: bool) -> None:
    from timetable import solver
    from timetable.synthetic import synthetic_school

    for n in classes:
        problem, counts = synthetic_school(classes=n)
        result = solver.solve(problem, seconds=seconds, workers=2)
        first = f"{result.first_seconds:.1f} s" if result.first_seconds is not None else "none"
        print(
            f"synthetic school, {n} classes ({counts['lessons']} lessons, {counts['hours']} periods, "
            f"{counts['teachers']} teachers): first timetable with no hard violation after {first}; "
            f"{result.status}, soft cost {result.objective} (bound {result.bound}) after {result.seconds:.1f} s"
        )
    if impossible:
        size = 30 if 30 in classes else max(classes)
        problem, counts = synthetic_school(classes=size, impossible=True)
        started = time.perf_counter()
        result = solver.solve(problem, seconds=seconds, workers=2)
        print(
            f"impossible school, {size} classes: {result.status} explained in "
            f"{time.perf_counter() - started:.1f} s by {result.core} (target < 30 s)"
        )


def _xhstt(*, names: list[str], seconds: float) -> None:
    from timetable import solver
    from timetable.xhstt import read_instance

    for name in names:
        path = XHSTT_DIR / f"{name}.xml"
        if not path.exists():
            print(f"XHSTT {name}: not found under {XHSTT_DIR}")
            continue
        instance = read_instance(path)
        started = time.perf_counter()
        result = solver.solve(instance.problem, seconds=seconds, workers=2, explain=False)
        hard = 0 if result.placements else "no timetable"
        ignored = ", ".join(f"{k} x{v}" for k, v in sorted(instance.ignored_constraints.items())) or "none"
        print(
            f"XHSTT {name} ({len(instance.problem.requirements)} events): hard cost {hard} after "
            f"{time.perf_counter() - started:.1f} s ({result.status}); constraints not modelled: {ignored}"
        )


def _demo(*, size: str, seconds: int) -> None:
    from django.core.management import call_command

    from oas import clock
    from oas.demo_personas import DEMO_SCHOOL_CODE
    from oas.organisation.models import OrgUnit
    from timetable.demo import demo_timetable_publish

    with clock.freeze(dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC)):
        call_command("seed_role_mapping", stdout=io.StringIO())
        call_command("seed_demo", "--size", size, stdout=io.StringIO())
        call_command("seed_school_demo", stdout=io.StringIO())
        school = OrgUnit.objects.get(code=DEMO_SCHOOL_CODE)
        started = time.perf_counter()
        version = demo_timetable_publish(school=school, day=clock.today(), seconds=seconds)
        run = version.runs.get()
        print(
            f"Demo skole ({size}): {version.requirements.count()} requirements, {version.lessons.count()} lessons, "
            f"{run.get_status_display()}, soft cost {run.objective} (bound {run.bound}), "
            f"{time.perf_counter() - started:.1f} s including the database"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", choices=["full", "small"], default="small", help="seed_demo size for Demo skole")
    parser.add_argument("--classes", type=int, nargs="*", default=[30, 50], help="synthetic schools' class counts")
    parser.add_argument("--seconds", type=float, default=60.0, help="time limit per instance")
    parser.add_argument("--xhstt", nargs="*", default=["ArtificialORLibrary-hdtt4"], help="XHSTT instance names")
    parser.add_argument("--no-impossible", action="store_true", help="skip the impossible school")
    args = parser.parse_args()
    with scratch_database("timetable", settings="devtools.settings.test"):
        _demo(size=args.size, seconds=max(1, int(args.seconds)))
        if args.classes:
            _synthetic(classes=args.classes, seconds=args.seconds, impossible=not args.no_impossible)
        _xhstt(names=args.xhstt, seconds=args.seconds)
    print(f"{os.cpu_count()} CPUs shared; load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
