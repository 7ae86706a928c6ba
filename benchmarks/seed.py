"""Benchmark: the full demo seed into a fresh, temporary database.

    .venv/bin/python benchmarks/seed.py [--seed N] [--size full|small]

Creates its own scratch database (``benchmarks/common.py``: DATABASE_URL's server, else the embedded one),
migrates it, times ``seed_demo``, prints wall time, peak memory and counts, and drops the database.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import scratch_database  # noqa: E402 - after the path setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--size", choices=["full", "small"], default="full")
    args = parser.parse_args()

    with scratch_database("seed", migrate=False):
        from django.core.management import call_command

        from devtools.seed import demo_municipality_seed

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter() - started
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        result = demo_municipality_seed(seed=args.seed, size=args.size)
        seconds = time.perf_counter() - started
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux

    print(f"seed_demo --size {args.size} --seed {args.seed}")
    print(f"  migrate (fresh database): {migrated:.1f} s")
    print(f"  seed wall time:           {seconds:.1f} s")
    print(f"  peak memory (max RSS):    {peak_kib / 1024:.0f} MiB (before seeding {rss_before / 1024:.0f} MiB)")
    for key, value in result.counts.items():
        print(f"  {key:<22} {value:>7}")


if __name__ == "__main__":
    main()
