"""Benchmark: Folkeregisteret initial load of 40,000 persons, then 20,000 feed events, into a fresh database.

    .venv/bin/python benchmarks/freg.py [--persons 40000] [--events 20000] [--validate-responses]

The Maskinporten and FREG simulators run in a separate process (spawned) on loopback; this process is the
loader: the live client over HTTP with Maskinporten tokens, the mapping and the kernel services. Creates its
own scratch database (``benchmarks/common.py``: DATABASE_URL's server, else the embedded one), migrates
it, prints persons/s, events/s and the loader's peak memory, and drops the database.

The simulator validates every request against the OpenAPI spec; validating its own large responses too
(``--validate-responses``) costs seconds per 1000-person page and mostly measures openapi-core, so it is off
by default here (the tests run with it on).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import scratch_database  # noqa: E402 - after the path setup


def _serve(persons: int, validate: bool, ready: Any, stop: Any) -> None:
    """Child process: population + simulators; reports their URLs, serves until told to stop."""
    from integrations.freg.population import EventGenerator, PopulationGenerator
    from integrations.freg.simulator import SCOPE, FregSimulator, FregSimulatorOptions
    from integrations.maskinporten.simulator import MaskinportenSimulator

    generator = PopulationGenerator(seed=2020)
    state = generator.generate(children=0, min_persons=persons)
    maskinporten = MaskinportenSimulator().start()
    assert isinstance(maskinporten, MaskinportenSimulator)
    freg = FregSimulator(
        state=state,
        token_verifier=lambda header: maskinporten.verify_access_token(header, scope=SCOPE),
        options=FregSimulatorOptions(validate_responses=validate, extract_polls_until_ready=2),
        events=EventGenerator(state=state, generator=generator),
    ).start()
    ready.put(
        {
            "maskinporten": maskinporten.url,
            "freg": freg.url,
            "children": len(state.children),
            "adults": len(state.adults),
            "outsiders": len(state.outsiders),
        }
    )
    stop.wait()
    freg.stop()
    maskinporten.stop()


def main() -> None:  # noqa: PLR0915 - a linear script: set up, measure, report
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=40_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--validate-responses", action="store_true")
    args = parser.parse_args()

    context = multiprocessing.get_context("spawn")
    ready: Any = context.Queue()
    stop = context.Event()
    started = time.perf_counter()
    server_process = context.Process(target=_serve, args=(args.persons, args.validate_responses, ready, stop))
    server_process.start()
    info = ready.get(timeout=600)
    generated = time.perf_counter() - started

    try:
        with scratch_database("freg"):
            import httpx
            from django.db import connections

            from integrations.freg.client import FregClient
            from integrations.freg.simulator import BASE_PATH, SCOPE
            from integrations.freg.sync import freg_initial_load, freg_sync_feed
            from integrations.maskinporten.client import MaskinportenClient, MaskinportenConfig, bearer_token_source
            from integrations.maskinporten.simulator import (
                SIMULATOR_CLIENT_ID,
                SIMULATOR_KID,
                simulator_client_private_key,
            )
            from oas.people.models import Person, PersonRelation

            tokens = MaskinportenClient(
                config=MaskinportenConfig(
                    token_url=info["maskinporten"] + "/token",
                    audience=info["maskinporten"] + "/",
                    client_id=SIMULATOR_CLIENT_ID,
                    kid=SIMULATOR_KID,
                    private_key_pem=simulator_client_private_key(),
                )
            )
            client = FregClient(
                base_url=info["freg"] + BASE_PATH,
                token_source=bearer_token_source(tokens, scopes=[SCOPE]),
                timeout=120,
            )
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

            started = time.perf_counter()
            load = freg_initial_load(client=client, sleep=time.sleep, poll_interval=0.2)
            load_seconds = time.perf_counter() - started
            persons = Person.objects.count()
            relations = PersonRelation.objects.count()
            rss_load = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

            httpx.post(info["freg"] + "/__sim__/events", json={"count": args.events}, timeout=600).raise_for_status()
            started = time.perf_counter()
            feed = freg_sync_feed(client=client, sleep=time.sleep)
            feed_seconds = time.perf_counter() - started
            rss_feed = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            client.close()
            connections.close_all()
    finally:
        stop.set()
        server_process.join(timeout=30)

    events = feed.counts.get("events", 0) + feed.counts.get("malformed_entry", 0)
    print("Folkeregisteret benchmark (live client over HTTP → simulator in another process → PostgreSQL)")
    print(
        f"  population: {info['children']} children, {info['adults']} adults, {info['outsiders']} elsewhere "
        f"(generated in {generated:.1f} s); response validation {'on' if args.validate_responses else 'off'}"
    )
    print(f"  initial load: {load.status}, {persons} persons and {relations} relations in {load_seconds:.1f} s")
    print(f"    → {persons / load_seconds:.0f} persons/s   counts: {load.counts}")
    print(f"  feed sync:    {feed.status}, {events} events in {feed_seconds:.1f} s")
    print(f"    → {events / feed_seconds:.0f} events/s   counts: {feed.counts}")
    print(
        f"  loader peak memory (max RSS): {rss_feed / 1024:.0f} MiB "
        f"(after setup {rss_before / 1024:.0f} MiB, after initial load {rss_load / 1024:.0f} MiB)"
    )


if __name__ == "__main__":
    main()
