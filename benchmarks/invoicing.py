"""Benchmark of the monthly invoicing run for the demo municipality's scale (≈ 7,500 children).

Builds, in a throwaway database, 73 kindergartens and 22 SFOs with ~5,000 kindergarten children and ~2,500 SFO
pupils (a fifth of them siblings at one address, two guardians each, some shared invoices and approved
reduced-fee decisions), loads the fee rates, then times

1. the preview (dry run) of November 2026,
2. the commit of November 2026 (lines written, ERP export queued),
3. the commit of December 2026 (which also re-computes November for corrections),
4. re-running the committed November (must change nothing),

and prints wall time and peak Python memory (tracemalloc) for each.

Run: ``.venv/bin/python benchmarks/invoicing.py`` (no environment needed: its own scratch database, see
``benchmarks/common.py``; ``--help`` for smaller sizes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import scratch_database  # noqa: E402 - after the path setup

KINDERGARTENS, SFOS = 73, 22
KINDERGARTEN_CHILDREN, SFO_CHILDREN = 5000, 2500


def _build(rng: random.Random, scale: argparse.Namespace) -> None:  # noqa: PLR0915 - one linear data builder
    from django.core.management import call_command

    from invoicing.models import ApplicationStatus, FeeApplication, PaymentSplit
    from kindergarten.models import KindergartenPlacementDetail
    from oas.organisation.models import Municipality, OrgUnitKind
    from oas.organisation.services import orgunit_create
    from oas.people.models import Person, PersonRelation, Placement, Service
    from oas.people.national_id import make_national_id
    from sfo.models import SfoPlacementDetail

    call_command("seed_fee_rates", verbosity=0)
    mun, _ = Municipality.objects.get_or_create(
        number="3030", valid_from=dt.date(2020, 1, 1), defaults={"name": "Lillestrøm"}
    )
    start = dt.date(2020, 1, 1)
    office = orgunit_create(
        municipality=mun, kind=OrgUnitKind.SECTOR_OFFICE, code="B-OFF", name="Kontor", valid_from=start
    )
    kgs = [
        orgunit_create(
            municipality=mun,
            parent=office,
            kind=OrgUnitKind.KINDERGARTEN,
            code=f"B-K{i}",
            name=f"Bhg {i}",
            valid_from=start,
            min_age=0,
            max_age=5,
        )
        for i in range(scale.kindergartens)
    ]
    schools = [
        orgunit_create(
            municipality=mun,
            parent=office,
            kind=OrgUnitKind.SCHOOL,
            code=f"B-S{i}",
            name=f"Skole {i}",
            valid_from=start,
            first_grade=1,
            last_grade=7,
        )
        for i in range(scale.sfos)
    ]
    sfos = [
        orgunit_create(
            municipality=mun, parent=s, kind=OrgUnitKind.SFO, code=f"B-SFO{i}", name=f"SFO {i}", valid_from=start
        )
        for i, s in enumerate(schools)
    ]
    used: set[str] = set()

    def nid(birth: dt.date) -> str:
        while True:
            value = make_national_id(birth, rng.randint(0, 999))
            if value and value not in used:
                used.add(value)
                return value

    children: list[Person] = []
    adults: list[Person] = []
    households: list[tuple[int, int, list[int]]] = []  # (adult index a, adult index b, child indexes)
    total = scale.kindergarten_children + scale.sfo_children
    kinds: list[str] = []
    h = 0
    while len(children) < total:
        size = 2 if rng.random() < 0.2 else 1
        address = f"H-{h}"
        members = []
        for _ in range(size):
            if len(children) >= total:
                break
            is_kg = len([k for k in kinds if k == "kg"]) < scale.kindergarten_children and (
                len(kinds) - kinds.count("kg") >= scale.sfo_children or rng.random() < 0.67
            )
            birth = (
                dt.date(2021 + rng.randint(0, 4), rng.randint(1, 12), rng.randint(1, 28))
                if is_kg
                else dt.date(2016 + rng.randint(0, 3), rng.randint(1, 12), rng.randint(1, 28))
            )
            children.append(
                Person(
                    first_name="Barn",
                    last_name=f"{len(children)}",
                    birth_date=birth,
                    national_id=nid(birth),
                    address_id=address,
                    street_address=f"Vei {h}",
                    postal_code="2000",
                )
            )
            kinds.append("kg" if is_kg else "sfo")
            members.append(len(children) - 1)
        for _ in range(2):
            birth = dt.date(1985, rng.randint(1, 12), rng.randint(1, 28))
            adults.append(
                Person(
                    first_name="Voksen",
                    last_name=f"{len(adults)}",
                    birth_date=birth,
                    national_id=nid(birth),
                    address_id=address,
                    street_address=f"Vei {h}",
                    postal_code="2000",
                )
            )
        households.append((len(adults) - 2, len(adults) - 1, members))
        h += 1
    Person.objects.bulk_create(children, batch_size=2000)
    Person.objects.bulk_create(adults, batch_size=2000)
    relations = []
    for a, b, members in households:
        for c in members:
            for adult, lives in ((a, True), (b, rng.random() < 0.8)):
                relations.append(
                    PersonRelation(
                        adult=adults[adult],
                        child=children[c],
                        kind="guardian",
                        foreldreansvar="felles",
                        lives_with_child=lives,
                        valid_from=children[c].birth_date or dt.date(2016, 1, 1),
                    )
                )
    PersonRelation.objects.bulk_create(relations, batch_size=5000)
    placements = []
    for child, kind in zip(children, kinds, strict=True):
        if kind == "kg":
            placements.append(
                Placement(
                    child=child, service=Service.KINDERGARTEN, unit=rng.choice(kgs), start_date=dt.date(2025, 8, 1)
                )
            )
        else:
            placements.append(
                Placement(child=child, service=Service.SFO, unit=rng.choice(sfos), start_date=dt.date(2025, 8, 1))
            )
    Placement.objects.bulk_create(placements, batch_size=5000)
    KindergartenPlacementDetail.objects.bulk_create(
        [
            KindergartenPlacementDetail(
                placement=p, size_kind="percent", size_value=rng.choice([100, 100, 100, 80, 60])
            )
            for p in placements
            if p.service == Service.KINDERGARTEN
        ],
        batch_size=5000,
    )
    SfoPlacementDetail.objects.bulk_create(
        [
            SfoPlacementDetail(placement=p, place_type=rng.choice(["full", "full", "part"]))
            for p in placements
            if p.service == Service.SFO
        ],
        batch_size=5000,
    )
    PaymentSplit.objects.bulk_create(
        [
            PaymentSplit(child=c, valid_from=dt.date(2025, 8, 1))
            for c in rng.sample(children, min(300, len(children) // 25))
        ]
    )
    for a, _b, members in rng.sample(households, min(400, len(households) // 15)):
        app = FeeApplication.objects.create(
            applicant=adults[a],
            kind="both",
            annual_income=Decimal(rng.randint(150_000, 700_000)),
            valid_from=dt.date(2026, 8, 1),
            valid_to=dt.date(2027, 7, 31),  # one barnehageår
            submitted_at=dt.datetime(2026, 7, 1, tzinfo=dt.UTC),
            attachment_name="skatt.pdf",
            attachment_type="application/pdf",
            attachment_sha256="0" * 64,
            attachment=b"%PDF",
            status=ApplicationStatus.APPROVED,
        )
        app.children.set([children[c].pk for c in members])
    print(
        f"built {len(children)} children ({kinds.count('kg')} kindergarten, {kinds.count('sfo')} SFO), "
        f"{len(households)} households, {len(adults)} guardians"
    )


def _measure(label: str, fn: Callable[[], Any]) -> Any:
    """Time ``fn`` (without tracemalloc, which would double the time) and report the process's peak RSS."""
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<52} {elapsed:6.2f} s   peak RSS so far {peak:7.1f} MiB")
    return result


def _python_peak(label: str, fn: Callable[[], Any]) -> Any:
    """Run ``fn`` under tracemalloc and report the peak of Python allocations it made."""
    tracemalloc.start()
    result = fn()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<52} peak Python allocations {peak / 1_048_576:7.1f} MiB")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kindergartens", type=int, default=KINDERGARTENS)
    parser.add_argument("--sfos", type=int, default=SFOS)
    parser.add_argument("--kindergarten-children", type=int, default=KINDERGARTEN_CHILDREN)
    parser.add_argument("--sfo-children", type=int, default=SFO_CHILDREN)
    scale = parser.parse_args()
    # The settings of the tests: e-mail to memory, no Celery broker needed for what the run queues.
    with scratch_database("invoicing", settings="devtools.settings.test"):
        from invoicing import services
        from invoicing.models import InvoiceLine
        from oas import clock

        with clock.freeze(dt.date(2026, 12, 2)):
            _build(random.Random(2026), scale)
            nov, dec = dt.date(2026, 11, 1), dt.date(2026, 12, 1)
            _python_peak(
                "preview under tracemalloc", lambda: services.invoice_run_preview(municipality_number="3030", month=nov)
            )
            preview = _measure(
                "preview (dry run) November 2026",
                lambda: services.invoice_run_preview(municipality_number="3030", month=nov),
            )
            print(
                f"  {preview.basis.children} children, {preview.line_count} lines, total {preview.total} kr, "
                f"{len(preview.basis.warnings)} warnings"
            )
            run = _measure(
                "commit November 2026 (target < 20 s)",
                lambda: services.invoice_run_commit(
                    municipality_number="3030", month=nov, confirm_unconfirmed_rates=True
                ),
            )
            print(f"  {run.line_count} lines written, total {run.total} kr")
            _measure(
                "commit December 2026 (+ corrections for November)",
                lambda: services.invoice_run_commit(
                    municipality_number="3030", month=dec, confirm_unconfirmed_rates=True
                ),
            )
            before = InvoiceLine.objects.count()
            _measure(
                "re-run committed November (changes nothing)",
                lambda: services.invoice_run_commit(
                    municipality_number="3030", month=nov, confirm_unconfirmed_rates=True
                ),
            )
            assert InvoiceLine.objects.count() == before
            print(f"  lines in database: {before}")
            print(f"load average now {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
