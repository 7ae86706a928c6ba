"""Benchmark of the timetable generator (issue 17).

1. Demo skole's timetable, built from the demo's classes, groups and teachers in a scratch database
   (``seed_demo`` + ``seed_school_demo``) and generated through the same run as the page: time and soft cost;
2. synthetic Norwegian 1–10 schools (``timetable.synthetic``, default 30 and 50 classes): time to the first
   timetable with no hard violation, and the soft cost at the time limit (targets < 10 s and < 60 s);
3. an impossible 30-class school: time to the explanation (target < 30 s) and the explanation itself;
4. side by side with ``fet-cl`` (``--fet``, default six real schools from Debian's ``fet-data``, imported by OAS's
   FET importer: ``timetable.importing.parse_file`` must accept the file, ``timetable.fet.read_fet`` builds the
   solver problem with the FET constraints OAS has an equivalent for, and each school's line says which
   constraints were imported and which not, with counts) under the same limit (``--seconds``) and seeds
   (``--fet-seeds``, the median shown): time to the first valid timetable for both, soft cost, the ratio, and the
   load average, and the soft "min days between activities" conflicts (the soft constraint both weigh) of fet-cl's
   first timetable (its own report) and of OAS's at the limit (scored on FET's scale by
   ``timetable.fetproblem.fet_soft_min_days``); a last line counts the schools where OAS is ahead on each. Without
   ``fet-cl`` one line says it is missing and the rest runs. Of the 137 FET-5-official
   examples (6.8.5, not counting the ``_data_and_timetable`` copies) ``parse_file`` refuses 66: activities of 3 to
   6 hours (OAS takes single and double lessons), activities with no students set, weeks of 8 to 18 "days" (exam
   or mornings/afternoons files), one file over 5 MB;
   ``--fet-sweep FOLDER ...`` (``all``: every folder) adds the broad picture: time to a first valid timetable,
   fet-cl against OAS (seed 0, ``--fet-sweep-seconds`` each, default 20), on every example under the folders that
   the importer accepts, each with the number of its hard constraints OAS left out (then OAS solves an easier
   problem), and the count of schools where each is ahead, those with every hard constraint imported apart;
5. XHSTT instances from ``../shared/xhstt/`` (``--xhstt``, default every file there; ``--xhstt-seconds``, default
   300): the XHSTT hard and soft cost of OAS's timetable after the time limit, scored against every constraint of
   the instance by ``timetable.xhstt_cost`` (the constraints ``timetable.xhstt`` maps into OAS's model and those it
   does not are counted per instance; the latter are scored but not optimised), beside the best known: the best solution embedded in the file, scored by the
   same evaluator, with the value the XHSTT-2014 archive publishes for it where known (``xhstt_cost.PUBLISHED``).

Run: ``.venv/bin/python benchmarks/timetable.py [--classes 30 50] [--seconds 60] [--fet FILE ...]
[--fet-seeds 0 1 2] [--fet-sweep all] [--fet-sweep-seconds 20] [--xhstt NAME ...] [--xhstt-seconds 300]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import scratch_database  # noqa: E402 - after the path is set

if TYPE_CHECKING:
    from timetable.fetproblem import FetInstance

# ``../shared/xhstt`` from the repository (one level further up from a worktree under ``wt/``).
XHSTT_DIR = next(
    (p for p in (ROOT.parent / "shared" / "xhstt", ROOT.parent.parent / "shared" / "xhstt") if p.exists()),
    ROOT.parent / "shared" / "xhstt",
)

# Debian's fet-data examples (``apt-get install fet fet-data``): six real schools OAS's FET importer accepts
# (fet-cl 6.8.5 itself refuses ACHILES-MANHA before it starts, "Cannot precompute - data is wrong": a soft (95 %)
# "min 1 day between" six lessons of a teacher who is available on 2 days; OAS takes it as a soft cost).
FET_EXAMPLES = Path("/usr/share/doc/fet-data/examples/FET-5-official")
FET_SCHOOLS = [
    "Argentina/Horario_ISJ.fet",
    "Brazil/3/ACHILES-MANHA.fet",
    "Germany/DGS-Pro/dgspro200809.fet",
    "Romania/Oradea/School-10-Oradea-2007-2008.fet",
    "Spain/1-school/school.fet",
    "Spain/3-school/primaria.fet",
]
_FET_SOFT = re.compile(r"Total soft conflicts:\s*([0-9.]+)")
_FET_MIN_DAYS = re.compile(
    r"^Time constraint min days between activities broken:.*conflicts factor increase=([0-9]+(?:\.[0-9]+)?)"
)


def _fet_cl(path: Path, *, seconds: int, out: Path, seed: int) -> tuple[float | None, str, str, float | None]:
    """Run ``fet-cl`` on ``path``: (seconds to its first valid timetable or None, outcome, soft conflicts, the part
    of them from soft "min days between activities")."""
    started = time.perf_counter()
    command = [
        "fet-cl",
        f"--inputfile={path}",
        f"--outputdir={out}",
        f"--timelimitseconds={seconds}",
        "--htmllevel=0",
        *(f"--randomseeds{k}={seed + 1}" for k in (10, 11, 12, 20, 21, 22)),
        *(
            f"--{flag}=false"
            for flag in (
                "writetimetablesdayshorizontal",
                "writetimetablesdaysvertical",
                "writetimetablestimehorizontal",
                "writetimetablestimevertical",
            )
        ),
    ]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, check=False)  # noqa: S603
    except subprocess.TimeoutExpired:
        return None, "fet-cl did not stop", "-", None
    elapsed = time.perf_counter() - started
    result = out / "logs" / "result.txt"
    text = (result.read_text(errors="replace") if result.exists() else "") + run.stdout
    if "Simulation successful" not in text:
        if "Time exceeded" in text:
            return None, "none in limit", "-", None
        if "Cannot precompute" in text:
            # fet-cl's own check before it starts ("Cannot precompute - data is wrong"): keep its reason.
            reason = next((line.strip() for line in (run.stdout + run.stderr).splitlines() if "cannot be" in line), "")
            return None, "data refused", reason, None
        return None, "failed", "-", None
    soft, min_days = "?", None
    for conflicts in out.glob("timetables/*/*_soft_conflicts.txt"):
        report = conflicts.read_text(errors="replace")
        match = _FET_SOFT.search(report)
        soft = match.group(1) if match else "?"
        min_days = round(sum(float(m.group(1)) for line in report.splitlines() if (m := _FET_MIN_DAYS.match(line))), 2)
    return elapsed, "valid", soft, min_days


def _load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def _median(values: list[float | None]) -> float | None:
    """The median of the values found, when more than half were found."""
    import statistics

    found = [v for v in values if v is not None]
    return statistics.median(found) if len(found) * 2 > len(values) else None


def _ahead(oas: float | None, fet: float | None) -> str:
    """Which is lower (None: no timetable, the other is ahead)."""
    if oas is None and fet is None:
        return "-"
    if fet is None or (oas is not None and oas < fet):
        return "OAS"
    return "fet" if oas is None or fet < oas else "="


def _fet_school(path: Path, instance: FetInstance, *, limit: int, seeds: list[int]) -> tuple[str, ...]:
    """fet-cl and OAS on one school, each seed: the comparison's row."""
    from timetable import solver
    from timetable.fetproblem import fet_soft_min_days

    fet_times: list[float | None] = []
    oas_times: list[float | None] = []
    fet_softs: list[str] = []
    fet_days: list[float | None] = []  # fet-cl's first timetable: its soft min-days conflicts
    oas_days: list[float | None] = []  # OAS's at the limit, on FET's scale (``fet_soft_min_days``)
    outcome, loads = "", []
    for seed in seeds:
        loads.append(_load())
        with tempfile.TemporaryDirectory(prefix="oas-fet-") as out:
            fet_first, outcome, fet_soft, fet_min_days = _fet_cl(path, seconds=limit, out=Path(out), seed=seed)
        fet_times.append(fet_first)
        if outcome == "data refused":
            if seed == seeds[0]:
                print(f"    fet-cl refuses the file before it starts: {fet_soft}")
            fet_soft = "-"
        fet_softs.append(fet_soft)
        fet_days.append(fet_min_days)
        # OAS: the first valid timetable (phase 1), then its soft cost at the limit (phase 2).
        result = solver.solve(instance.problem, seed=seed, seconds=limit, workers=2, explain=False)
        oas_times.append(result.first_seconds)
        oas_days.append(fet_soft_min_days(instance, result.placements) if result.placements else None)
        loads.append(_load())

    def shown(values: list[float | None]) -> str:
        return "/".join(f"{v:g}" if v is not None else "-" for v in values)

    fet_med, oas_med = _median(fet_times), _median(oas_times)
    return (
        f"{fet_med:.2f} s" if fet_med is not None else outcome,
        f"{oas_med:.2f} s" if oas_med is not None else "none",
        f"{oas_med / fet_med:.1f}" if oas_med is not None and fet_med else "-",
        "/".join(fet_softs),
        shown(fet_days),
        shown(oas_days),
        _ahead(oas_med, fet_med),
        _ahead(_median(oas_days), _median(fet_days)),
        " ".join(f"{t:.2f}" if t is not None else "-" for t in fet_times),
        " ".join(f"{t:.2f}" if t is not None else "-" for t in oas_times),
        f"{loads[0]} .. {loads[-1]}",
    )


def _fet_imported(path: Path) -> FetInstance | list[str]:
    """The school as OAS's FET importer reads it (``parse_file`` must accept the file too), or its problems."""
    from timetable.fet import FetError, read_fet
    from timetable.importing import ImportError_, parse_file

    try:
        parse_file(filename=path.name, content=path.read_bytes())
        return read_fet(path)
    except (ImportError_, FetError) as exc:
        return exc.problems


def _fet_cl_missing(what: str) -> bool:
    if shutil.which("fet-cl") is None:
        print(f"{what} skipped: fet-cl is missing (apt-get install fet fet-data)")
        return True
    return False


def _fet(*, schools: list[str], seconds: float, seeds: list[int]) -> None:
    """Side by side with ``fet-cl`` on real schools from Debian's fet-data, imported by OAS's FET importer."""
    if not schools or _fet_cl_missing("FET comparison"):
        return
    limit = max(1, int(seconds))
    print(
        f"FET comparison, time limit {limit} s each, seeds {seeds} (OAS: CP-SAT, 2 workers; fet-cl 6.8.5, one "
        "thread); run one after the other, the load average printed beside each:"
    )
    rows = []
    for school in schools:
        path = FET_EXAMPLES / school
        if not path.exists():
            print(f"{school}: not found under {FET_EXAMPLES} (apt-get install fet-data)")
            continue
        instance = _fet_imported(path)
        if isinstance(instance, list):
            print(f"{school}: refused by OAS's FET importer: {instance[0]} ({len(instance)} problems)")
            continue
        print(
            f"{school}: {instance.activities} activities as {len(instance.problem.requirements)} requirements; "
            "FET constraints imported: "
            + ", ".join(f"{k.removeprefix('Constraint')} x{v}" for k, v in sorted(instance.imported.items()))
        )
        print(
            "    not imported: "
            + (
                ", ".join(f"{k.removeprefix('Constraint')} x{v}" for k, v in sorted(instance.not_imported.items()))
                or "none"
            )
        )
        rows.append((school, *_fet_school(path, instance, limit=limit, seeds=seeds)))
    print(
        f"{'school':<48} {'fet-cl first':>13} {'OAS first':>10} {'OAS/fet':>8} {'fet soft':>15} "
        f"{'fet min days':>15} {'OAS min days':>15} {'ahead: first':>13} {'min days':>9}  per seed: fet-cl | OAS"
    )
    for row in rows:
        print(
            f"{row[0]:<48} {row[1]:>13} {row[2]:>10} {row[3]:>8} {row[4]:>15} {row[5]:>15} {row[6]:>15} {row[7]:>13}"
            f" {row[8]:>9}  {row[9]} | {row[10]}  ({row[11]})"
        )
    print(
        f"  OAS ahead of fet-cl on the time to a first valid timetable on {sum(r[7] == 'OAS' for r in rows)} of "
        f"{len(rows)} schools; on the soft min-days conflicts at the time limit on {sum(r[8] == 'OAS' for r in rows)} "
        f"of {len(rows)} (level on {sum(r[8] == '=' for r in rows)})."
    )
    print(
        "  (first: the median over the seeds of the seconds to the first valid timetable; fet-cl stops there, its "
        "time includes reading the file, OAS's includes building the model. fet soft: fet-cl's own 'total soft "
        "conflicts' of its first timetable, per seed. Min days: the conflicts of the file's soft 'min days between "
        "activities' (the soft constraint both solvers weigh) on FET's scale (weight % x days too close, a pair), "
        "fet-cl's from its own report, OAS's timetable at the time limit scored the same way "
        "(timetable.fetproblem.fet_soft_min_days), per seed; 'ahead' compares the medians. OAS solves the FET "
        "constraints listed as imported; those not imported are missing from its problem.)"
    )


def _fet_sweep(*, folders: list[str], seconds: float) -> None:
    """Time to a first valid timetable, fet-cl against OAS, on every fet-data example under ``folders`` that OAS's
    importer accepts (seed 0, one run each): the broad picture beside the six schools above."""
    import threading

    from timetable import solver

    if not folders or _fet_cl_missing("FET sweep"):
        return
    limit = max(1, int(seconds))
    roots = [FET_EXAMPLES] if folders == ["all"] else [FET_EXAMPLES / folder for folder in folders]
    for root in roots:
        if not root.is_dir():
            print(f"FET sweep: {root} not found (apt-get install fet-data)")
    paths = sorted({p for root in roots for p in root.rglob("*.fet") if "_data_and_timetable" not in p.name})
    print(
        f"FET sweep: time to a first valid timetable, limit {limit} s, seed 0, one run each (OAS: CP-SAT, 2 workers, "
        "stopped at its first timetable; fet-cl 6.8.5, its whole run), every example OAS's importer accepts under "
        + ", ".join(str(root) for root in roots)
    )
    print(f"{'school':<72} {'activities':>10} {'hard left out':>13} {'fet-cl':>8} {'OAS':>8} {'ahead':>6}")
    counts: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    refused = 0
    for path in paths:
        instance = _fet_imported(path)
        if isinstance(instance, list):
            refused += 1
            continue
        with tempfile.TemporaryDirectory(prefix="oas-fet-") as out:
            fet_first, outcome, _soft, _days = _fet_cl(path, seconds=limit, out=Path(out), seed=0)
        stop = threading.Event()

        def first_found(_placements: list[solver.Placement], stop: threading.Event = stop) -> None:
            stop.set()  # the time to the first timetable is all this sweep measures

        result = solver.solve(
            instance.problem,
            seed=0,
            seconds=limit,
            workers=2,
            explain=False,
            stop=stop,
            on_first=first_found,
        )
        ahead = _ahead(result.first_seconds, fet_first)
        left_out = instance.hard_not_imported
        counts[left_out == 0][ahead] += 1
        print(
            f"{path.relative_to(FET_EXAMPLES)!s:<72} {instance.activities:>10} {left_out:>13} "
            f"{f'{fet_first:.2f}' if fet_first is not None else outcome:>8} "
            f"{f'{result.first_seconds:.2f}' if result.first_seconds is not None else result.status:>8} {ahead:>6}"
        )

    def tally(counter: Counter[str]) -> str:
        return (
            f"OAS ahead on {counter['OAS']}, fet-cl on {counter['fet']}, level on {counter['=']}, "
            f"neither found one on {counter['-']}"
        )

    print(f"  every hard constraint imported ({sum(counts[True].values())} schools): {tally(counts[True])}")
    print(f"  some hard constraints left out ({sum(counts[False].values())} schools): {tally(counts[False])}")
    print(
        f"  ({refused} examples refused by OAS's importer. Where hard constraints were left out OAS solves an easier "
        "problem than fet-cl: the first count is the fair one.)"
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


def _best_known(path: Path) -> str:
    """The best (hard, soft) among the solutions embedded in ``path``, scored by OAS's XHSTT evaluator."""
    from timetable.xhstt_cost import PUBLISHED, best_known

    best = best_known(path)
    if best is None:
        return "best known unknown (no solution in the file)"
    hard, soft, group = best
    published = PUBLISHED.get(path.stem, {}).get(group)
    source = f"published {published[0]}/{published[1]}" if published else "no published value at hand"
    return f"best known hard {hard}, soft {soft} ({group!r}, embedded in the file; {source})"


def _xhstt(*, names: list[str], seconds: float) -> None:
    from timetable import solver
    from timetable.xhstt import XhsttError, read_instance, solution_xml
    from timetable.xhstt_cost import evaluate_solution
    from timetable.xhstt_cost import read_instance as read_cost_instance

    if names == ["all"]:
        names = sorted(p.stem for p in XHSTT_DIR.glob("*.xml"))
    for name in names:
        path = XHSTT_DIR / f"{name}.xml"
        if not path.exists():
            print(f"XHSTT {name}: not found under {XHSTT_DIR}")
            continue
        try:
            instance = read_instance(path)
        except XhsttError as exc:
            print(f"XHSTT {name}: refused by OAS's XHSTT reader: {exc.problems[0]} ({len(exc.problems)} problems)")
            continue
        started = time.perf_counter()
        result = solver.solve(instance.problem, seconds=seconds, workers=2, explain=False)
        elapsed = time.perf_counter() - started
        scored = read_cost_instance(ET.parse(path).getroot())  # noqa: S314 - our benchmark files
        # OAS's timetable as the XHSTT solution OAS exports (one solution event per lesson, rooms assigned).
        written = ET.fromstring(solution_xml(instance=instance, placements=result.placements))  # noqa: S314 - ours
        cost = evaluate_solution(scored, written.find("Solution"))  # type: ignore[arg-type]
        outcome = (
            f"solver status on OAS's model: {result.status}"
            if result.placements
            else f"no timetable ({result.status}), every event unassigned"
        )
        mapped = ", ".join(f"{k} x{v}" for k, v in sorted(instance.mapped_constraints.items())) or "none"
        ignored = ", ".join(f"{k} x{v}" for k, v in sorted(instance.ignored_constraints.items())) or "none"
        not_scored = ", ".join(f"{k} x{v}" for k, v in sorted(cost.not_scored.items())) or "none"
        print(
            f"XHSTT {name} ({instance.events} events), limit {seconds:g} s: OAS hard {cost.hard}, soft {cost.soft} "
            f"after {elapsed:.1f} s ({outcome}); {_best_known(path)}"
        )
        parts = ", ".join(f"{k} {v}" for k, v in cost.hard_by_type.most_common() if v) or "none"
        print(
            f"  OAS's hard cost by constraint: {parts}. Mapped into OAS's model: {mapped}; "
            f"not mapped (scored but not optimised): {ignored}; constraints not scored: {not_scored}"
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
    parser.add_argument("--xhstt", nargs="*", default=["all"], help="XHSTT instance names (default all in the folder)")
    parser.add_argument("--xhstt-seconds", type=float, default=300.0, help="time limit per XHSTT instance")
    parser.add_argument("--fet", nargs="*", default=FET_SCHOOLS, help="fet-data examples to compare with fet-cl")
    parser.add_argument("--fet-seeds", type=int, nargs="*", default=[0], help="seeds for both solvers (median shown)")
    parser.add_argument(
        "--fet-sweep",
        nargs="*",
        default=[],
        help="fet-data folders (under FET-5-official; 'all' for every one) for the time-to-first sweep",
    )
    parser.add_argument("--fet-sweep-seconds", type=float, default=20.0, help="time limit per school in the sweep")
    parser.add_argument("--no-impossible", action="store_true", help="skip the impossible school")
    args = parser.parse_args()
    with scratch_database("timetable", settings="devtools.settings.test"):
        _demo(size=args.size, seconds=max(1, int(args.seconds)))
        if args.classes:
            _synthetic(classes=args.classes, seconds=args.seconds, impossible=not args.no_impossible)
        _fet(schools=args.fet, seconds=args.seconds, seeds=args.fet_seeds or [0])
        _fet_sweep(folders=args.fet_sweep, seconds=args.fet_sweep_seconds)
        _xhstt(names=args.xhstt, seconds=args.xhstt_seconds)
    print(f"{os.cpu_count()} CPUs shared; load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
