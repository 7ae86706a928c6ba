"""Benchmark of kindergarten main admission (hovedopptak).

1. The matching engine in memory at the demo municipality's scale (73 kindergartens, 2,500 applicants, up to
   5 choices) and at Oslo's scale (7,000 applicants over 260 kindergartens): matching time and peak memory,
   and a check that the same lottery seed gives the same result.
2. The demo-scale round built in its own scratch database (``benchmarks/common.py``): matching through the services and
   the time to publish all offers, waiting lists and decision-letter contents, then the time to send every
   decision letter as the Celery tasks do (PDF per guardian, ``letter_send`` + ``archive_document`` outbox rows),
   in ``--letter-workers`` processes (default: the number of CPUs). Delivery to SvarUt and Noark is not
   included. The round's export goes to var/benchmarks/admission.json (``--out``) and is checked for capacity
   and stability by the independent checker of the tests.

The engine's explanations are translated text, so Django is set up (on the scratch database) before anything
runs. Run: ``.venv/bin/python benchmarks/admission.py`` (no environment needed; ``--help`` for smaller sizes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import scratch_database  # noqa: E402 - after the path setup

AGE_GROUPS = ("0-2", "3-5")
CENTRE = (59.955, 11.05)  # Lillestrøm


def synthetic_round(*, units: int, applicants: int, seed: int):
    """A round with skewed popularity (some kindergartens are wanted by many), § 18 and sibling priorities."""
    from admission import engine
    from admission.lottery import lottery_number

    rng = random.Random(seed)
    positions = [(CENTRE[0] + rng.uniform(-0.08, 0.08), CENTRE[1] + rng.uniform(-0.15, 0.15)) for _ in range(units)]
    # About 0.9 places per applicant in total, split 40/60 between the small and the big children.
    per_unit = applicants * 0.9 / units
    programmes = [
        engine.Programme(
            id=engine.programme_id(str(u), ag),
            unit=str(u),
            unit_name=f"Barnehage {u}",
            age_group=ag,
            capacity=max(1, round(per_unit * share * rng.uniform(0.5, 1.5))),
            position=positions[u],
        )
        for u in range(units)
        for ag, share in (("0-2", 0.4), ("3-5", 0.6))
    ]
    weights = [1 / (i + 1) ** 0.8 for i in range(units)]
    people = []
    grounds: dict[str, int] = {}
    siblings: dict[str, int] = {}
    for i in range(applicants):
        aid = f"s{i}"
        k = rng.randint(1, min(5, units))
        choices: list[str] = []
        while len(choices) < k:
            u = str(rng.choices(range(units), weights)[0])
            if u not in choices:
                choices.append(u)
        people.append(
            engine.Applicant(
                id=aid,
                age_group="0-2" if rng.random() < 0.45 else "3-5",
                choices=tuple(choices),
                right_to_place=rng.random() < 0.85,
                position=(CENTRE[0] + rng.uniform(-0.08, 0.08), CENTRE[1] + rng.uniform(-0.15, 0.15)),
            )
        )
        if rng.random() < 0.03:
            grounds[aid] = 0
        if rng.random() < 0.15:
            siblings[aid] = int(choices[0])
    lottery = {a.id: lottery_number(seed="benchmark", key=a.id) for a in people}
    people.sort(key=lambda a: lottery[a.id])
    priority: dict[str, list[str]] = {p.id: [] for p in programmes}
    labels: dict[str, dict[str, str]] = {p.id: {} for p in programmes}
    for a in people:
        for u in a.choices:
            pid = engine.programme_id(u, a.age_group)
            priority[pid].append(a.id)
            if a.id in grounds:
                labels[pid][a.id] = "nedsatt funksjonsevne, barnehageloven § 18"
            elif siblings.get(a.id) == int(u):
                labels[pid][a.id] = "søsken"
    for pid, ids in priority.items():
        unit = int(pid.split(":")[0])

        def key(a: str, unit: int = unit) -> tuple[bool, bool, int]:
            return (a not in grounds, siblings.get(a) != unit, lottery[a])

        ids.sort(key=key)
    return engine.RoundInput(programmes=programmes, applicants=people, priority=priority, labels=labels)


def bench_engine(*, units: int, applicants: int) -> None:
    from admission import engine

    data = synthetic_round(units=units, applicants=applicants, seed=2027)
    engine.match(data)  # warm-up
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        result = engine.match(data)
        runs.append(time.perf_counter() - started)
    tracemalloc.start()
    engine.match(data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    again = engine.match(synthetic_round(units=units, applicants=applicants, seed=2027))
    same = {k: v.programme for k, v in result.assignments.items()} == {
        k: v.programme for k, v in again.assignments.items()
    }
    kinds = {"choice": 0, "guarantee": 0, "none": 0}
    for a in result.assignments.values():
        kinds[a.kind] += 1
    print(
        f"matching {applicants:>5} applicants, {units} kindergartens: best {min(runs) * 1000:7.1f} ms, "
        f"median {sorted(runs)[2] * 1000:7.1f} ms, peak memory {peak / 1e6:6.1f} MB, "
        f"same seed → same result: {same}; {kinds}"
    )


def _synthetic_ids(n: int) -> list[str]:
    """``n`` distinct valid synthetic fødselsnumre (month + 80)."""
    from oas.people.national_id import make_national_id

    out: list[str] = []
    day = dt.date(1985, 1, 1)
    while len(out) < n:
        out += [nid for individual in range(500) if (nid := make_national_id(day, individual))]
        day += dt.timedelta(days=1)
    return out[:n]


def _send_letters(letter_ids: list[int]) -> int:
    """Run in a worker process (one Celery worker's share): render, queue and archive these letters."""
    from django.db import connections

    from kindergarten import letters

    try:
        return sum(1 for letter_id in letter_ids if letters.decision_letter_send(letter_id=letter_id))
    finally:
        connections.close_all()


def _build_round(*, units: int, applicants: int, rng: random.Random):
    """Create the round, its kindergartens, children, guardians and applications in the database."""
    from kindergarten import services
    from kindergarten.models import Application, ApplicationChoice, RoundState
    from oas import clock
    from oas.organisation.models import Municipality, OrgUnitKind, Ownership
    from oas.organisation.services import orgunit_create
    from oas.people.models import Person, PersonRelation, RelationKind

    muni = Municipality.objects.create(number="3030", name="Lillestrøm", valid_from=dt.date(2020, 1, 1))
    office = orgunit_create(
        municipality=muni,
        kind=OrgUnitKind.SECTOR_OFFICE,
        code="OPPV",
        name="Oppvekst",
        valid_from=dt.date(2020, 1, 1),
    )
    kgs = [
        orgunit_create(
            municipality=muni,
            kind=OrgUnitKind.KINDERGARTEN,
            code=f"BHG{u:03d}",
            name=f"Barnehage {u}",
            parent=office,
            valid_from=dt.date(2020, 1, 1),
            coordinated_admission=True,
            ownership=Ownership.PRIVATE if u < 45 else Ownership.MUNICIPAL,
            latitude=CENTRE[0] + rng.uniform(-0.08, 0.08),
            longitude=CENTRE[1] + rng.uniform(-0.15, 0.15),
            postal_code=f"20{u % 30:02d}",
        )
        for u in range(units)
    ]
    rnd = services.admission_round_create(
        municipality=muni,
        code="hovedopptak-2027",
        name="Hovedopptak 2027",
        application_deadline=dt.date(2027, 3, 1),
        start_date=dt.date(2027, 8, 1),
        lottery_seed="benchmark",
    )
    per_unit = applicants * 0.9 / units
    for unit in kgs:
        for ag, share in (("0-2", 0.4), ("3-5", 0.6)):
            services.programme_set_capacity(
                admission_round=rnd,
                unit=unit,
                age_group=ag,
                capacity=max(1, round(per_unit * share * rng.uniform(0.5, 1.5))),
            )
    services.admission_round_set_state(admission_round=rnd, state=RoundState.OPEN)
    children = Person.objects.bulk_create(
        Person(
            first_name="Barn",
            last_name=f"{i}",
            birth_date=dt.date(2022 + rng.randint(0, 4), rng.randint(1, 12), rng.randint(1, 28)),
            postal_code=f"20{rng.randint(0, 40):02d}",
            municipality_number="3030",
        )
        for i in range(applicants)
    )
    national_ids = _synthetic_ids(applicants)
    guardians = Person.objects.bulk_create(
        Person(
            first_name="Forelder",
            last_name=f"{i}",
            # Letters need a fødselsnummer (digital mailbox) and an address (print): synthetic ones.
            national_id=national_ids[i],
            street_address=f"Storgata {i % 200 + 1}",
            postal_code="2000",
            postal_place="LILLESTRØM",
            municipality_number="3030",
        )
        for i in range(applicants)
    )
    PersonRelation.objects.bulk_create(
        PersonRelation(
            adult=g,
            child=c,
            kind=RelationKind.GUARDIAN,
            foreldreansvar="felles",
            valid_from=c.birth_date or dt.date(2022, 1, 1),
        )
        for c, g in zip(children, guardians, strict=True)
    )
    now = clock.now()
    apps = Application.objects.bulk_create(
        Application(round=rnd, child=c, applicant=g, submitted_at=now, wanted_start_date=dt.date(2027, 8, 1))
        for c, g in zip(children, guardians, strict=True)
    )
    weights = [1 / (i + 1) ** 0.8 for i in range(units)]
    choice_rows = []
    for app in apps:
        picked: list[int] = []
        k = rng.randint(1, min(5, units))
        while len(picked) < k:
            u = rng.choices(range(units), weights)[0]
            if u not in picked:
                picked.append(u)
        choice_rows += [ApplicationChoice(application=app, unit=kgs[u], rank=r) for r, u in enumerate(picked, 1)]
    ApplicationChoice.objects.bulk_create(choice_rows, batch_size=5000)
    services.admission_round_set_state(admission_round=rnd, state=RoundState.CLOSED)
    return rnd


def _bench_letters(*, workers: int) -> None:
    """Send every decision letter the way the Celery tasks do, in ``workers`` processes (the worker concurrency).

    Measured: PDF rendering (weasyprint) per guardian, the ``Letter`` rows and outbox rows (``letter_send``), the
    archive rows (``archive_document``), the guardians' notifications. Not measured: delivery to SvarUt and Noark
    (the outbox workers' HTTP calls) and the Redis kicks (patched out here so no stray tasks are left behind).
    """
    import multiprocessing

    from django.db import connections

    import integrations.outbox.services as outbox_services
    from integrations.models import ArchiveRecord, Letter, OutboxMessage
    from kindergarten.models import DecisionLetter
    from messaging.services import notifications

    outbox_services._kick_claimer = lambda: None
    notifications._enqueue_dispatch = lambda: None
    ids = list(DecisionLetter.objects.order_by("pk").values_list("pk", flat=True))
    chunks = [ids[i::workers] for i in range(workers)]
    connections.close_all()  # forked workers open their own connections
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        sent = sum(pool.map(_send_letters, chunks))
    elapsed = time.perf_counter() - started
    print(
        f"decision letters: {sent} of {len(ids)} sent in {elapsed:5.2f} s with {workers} worker process(es) "
        f"({elapsed / max(1, len(ids)) * workers * 1000:.0f} ms per letter per worker): "
        f"{Letter.objects.count()} PDFs + SvarUt outbox rows, {ArchiveRecord.objects.count()} archive rows, "
        f"{OutboxMessage.objects.count()} outbox rows in all (delivery to SvarUt/Noark not included)"
    )


def bench_publish(*, units: int, applicants: int, out: Path, letter_workers: int) -> None:
    from kindergarten import selectors, services
    from oas import clock
    from tests.kindergarten.checker import check_export

    rng = random.Random(2027)
    with clock.freeze(dt.date(2027, 2, 15)):
        rnd = _build_round(units=units, applicants=applicants, rng=rng)

        started = time.perf_counter()
        selectors.matching_input(admission_round=rnd)
        build = time.perf_counter() - started
        started = time.perf_counter()
        services.admission_round_match(admission_round=rnd)
        matched = time.perf_counter() - started
        # Publishing writes one outbox row per letter (measured); the benchmark sends the letters itself below (in
        # worker processes, like the outbox workers): do not kick a claimer task per row into Redis from here.
        import integrations.outbox.services as outbox_services

        outbox_services._kick_claimer = lambda: None
        # Publishing waits for every private kindergarten to approve its applicants (outside the timing).
        from oas.organisation.models import OrgUnit, Ownership

        for unit in OrgUnit.objects.filter(admission_programmes__round=rnd, ownership=Ownership.PRIVATE).distinct():
            services.assignments_approve(unit=unit)
        started = time.perf_counter()
        outcome = services.admission_round_publish(admission_round=rnd)
        published = time.perf_counter() - started
        print(
            f"database round {applicants} applicants: building the input {build:5.2f} s, "
            f"match and store {matched:5.2f} s, publish {published:5.2f} s "
            f"({outcome.offers} offers, {outcome.waiting} waiting-list entries, {outcome.letters} letter contents)"
        )
        data = selectors.round_export(admission_round=rnd)
        _bench_letters(workers=letter_workers)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    problems = check_export(data)
    print(f"export written to {out}; independent check: {len(problems)} problems")
    if problems:
        raise SystemExit(f"the export fails the independent check: {problems[:3]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=73, help="kindergartens of the demo-scale round")
    parser.add_argument("--applicants", type=int, default=2500, help="applicants of the demo-scale round")
    parser.add_argument("--oslo-units", type=int, default=260, help="kindergartens of the Oslo-scale engine run")
    parser.add_argument("--oslo-applicants", type=int, default=7000, help="applicants of the Oslo-scale engine run")
    parser.add_argument("--letter-workers", type=int, default=os.cpu_count() or 1, help="letter worker processes")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "benchmarks" / "admission.json")
    args = parser.parse_args()
    # The settings of the tests: e-mail to memory, no Celery broker needed for what the benchmark queues.
    with scratch_database("admission", settings="devtools.settings.test"):
        bench_engine(units=args.units, applicants=args.applicants)
        bench_engine(units=args.oslo_units, applicants=args.oslo_applicants)
        bench_publish(units=args.units, applicants=args.applicants, out=args.out, letter_workers=args.letter_workers)


if __name__ == "__main__":
    main()
