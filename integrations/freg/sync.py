"""Initial load and continuous feed sync from Folkeregisteret into the people kernel.

Nothing here crashes the loop on bad data: malformed entries, unknown event types, unknown persons and
invalid documents are counted and skipped. Transient errors are retried a few times (honouring FREG's
``Retry-After`` in ms); if they persist the run stops, the cursor stays at the last complete page, and the
next run resumes there.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction

from integrations.common.errors import IntegrationError, TransientError
from integrations.freg.errors import InvalidDocument
from integrations.freg.mapping import MappedPerson, map_person
from integrations.freg.port import PART_BASIS, PART_RELASJON, ExtractFilter, FeedEntry, FregPort
from integrations.freg.services import (
    NoticeData,
    freg_cursor_advance,
    freg_cursor_get,
    freg_run_finish,
    freg_run_start,
    register_change_notices_create,
)
from integrations.models import FregSyncRun
from integrations.models.freg import NoticeKind, SyncRunKind
from oas import clock
from oas.people.models import PROTECTED_LEVELS, PersonStatus, Service
from oas.people.selectors import person_ids_by_national_id, placements_current_for_children
from oas.people.services import (
    PersonSyncResult,
    RegisterPersonData,
    RegisterRelation,
    persons_sync_from_register,
    relations_sync_from_register,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], None]

BULK = 1000
FEED_PAGE = 1000
ADVISORY_LOCK_KEY = 30_300_004  # one feed sync at a time across workers
# hendelsestype values of the v1.5 spec (§1.4); anything else is logged and skipped
_KNOWN_EVENT_TYPES_TEXT = """personErOpprettet personErReaktivert personErOppdatert personErOpphoert
    personErViderefoertSomGjeldendeVedSammenslaaing personErOpphoertSomDublett personErEndretVedSplitting
    personErGjenopprettetVedSplitting personErDoed personErBosatt personErUtflyttet endringIStatus
    endringIIdentitetsgrunnlag endringIUtenlandskPersonidentifikasjon endringIUtlendingsmyndighetenesIdentifikasjonsnummer
    endringILegitimasjonsdokument endringIIdentifikasjonsnummer endringIFalskIdentitet endringIKontaktopplysningerForDoedsbo
    endringIDeltBosted endringIFoedsel endringIFoedselINorge endringIKjoenn endringIFamilierelasjon endringISivilstand
    endringIDoedsfall endringINavn endringIAdressebeskyttelse endringIBostedsadresse endringIBostedsadresseUtenFlytting
    endringIOppholdsadresse endringIInnflytting endringIUtflytting endringIBrukAvSamiskSpraak
    endringISametingetsValgmanntall endringIKontaktinformasjon endringIForeldreansvar endringIStatsborgerskap
    endringIOpphold endringIOppholdPaaSvalbard endringIVergemaal endringIPerson"""
KNOWN_EVENT_TYPES = frozenset(_KNOWN_EVENT_TYPES_TEXT.split())


@dataclass
class Retrying:
    """Call the port, absorbing a few transient errors (429 Retry-After, 5xx, timeouts, malformed bodies)."""

    sleep: Sleep = time.sleep
    attempts: int = 4
    max_wait: float = 60.0

    def __call__(self, fn: Callable[[], T]) -> T:
        for attempt in range(1, self.attempts + 1):
            try:
                return fn()
            except TransientError as exc:
                if attempt == self.attempts:
                    raise
                wait = exc.retry_after if exc.retry_after is not None else float(2 ** (attempt - 1))
                logger.warning("freg: %s; retrying in %.1f s (attempt %d)", exc.message, wait, attempt)
                self.sleep(min(wait, self.max_wait))
        raise AssertionError("unreachable")  # pragma: no cover


def _chunks(items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _is_child(person: RegisterPersonData, today: dt.date) -> bool:
    return person.birth_date is not None and person.birth_date > today.replace(year=today.year - 18)


def _fetch_mapped(
    client: FregPort, call: Retrying, national_ids: Sequence[str], parts: Sequence[str], counts: Counter[str]
) -> list[MappedPerson]:
    mapped: list[MappedPerson] = []
    for chunk in _chunks(list(national_ids), BULK):
        for result in call(functools.partial(client.persons_bulk, national_ids=chunk, parts=parts)):
            if result.document is None:
                counts["not_found"] += 1
                continue
            try:
                mapped.append(map_person(result.document, requested_id=result.national_id))
            except InvalidDocument as exc:
                counts["invalid_document"] += 1
                logger.warning("freg: skipping an invalid person document: %s", exc.message)
    return mapped


def _apply(
    *, client: FregPort, call: Retrying, mapped: list[MappedPerson], counts: Counter[str], today: dt.date
) -> tuple[PersonSyncResult, set[int], dict[str, int]]:
    """Upsert persons (fetching adults we do not hold yet) and the children's relations."""
    wanted_adults = {a for m in mapped for a in m.related_adults} - {m.person.national_id for m in mapped}
    missing_adults = sorted(wanted_adults - set(person_ids_by_national_id(national_ids=wanted_adults)))
    adults = _fetch_mapped(client, call, missing_adults, (PART_BASIS,), counts) if missing_adults else []
    with transaction.atomic():
        if adults:
            adult_result = persons_sync_from_register(persons=[a.person for a in adults])
            counts["persons_created"] += len(adult_result.created)
        result = persons_sync_from_register(persons=[m.person for m in mapped])
        counts["persons_created"] += len(result.created)
        counts["persons_updated"] += len(result.updated)
        counts["invalid_national_id"] += len(result.invalid)
        relations_by_child: dict[int, Sequence[RegisterRelation]] = {
            result.ids_by_national_id[m.person.national_id]: m.relations
            for m in mapped
            if m.person.national_id in result.ids_by_national_id and (m.relations or _is_child(m.person, today))
        }
        relation_result = relations_sync_from_register(relations_by_child=relations_by_child, today=today)
        counts["relations_created"] += relation_result.created
        counts["relations_ended"] += relation_result.ended
    return result, relation_result.foreldreansvar_changed, result.ids_by_national_id


# --- initial load ---------------------------------------------------------------------------------
def freg_initial_load(
    *,
    client: FregPort,
    municipality_number: str | None = None,
    today: dt.date | None = None,
    sleep: Sleep = time.sleep,
    poll_interval: float = 2.0,
    max_polls: int = 900,
) -> FregSyncRun:
    """Load the municipality's children 0–16 (tilpasset uttrekk) and their related adults (bulkoppslag)."""
    today = today or clock.today()
    municipality = municipality_number or settings.FREG_MUNICIPALITY_NUMBER
    call = Retrying(sleep=sleep)
    counts: Counter[str] = Counter()
    run = freg_run_start(kind=SyncRunKind.INITIAL_LOAD)
    head: int | None = None
    try:
        head = call(client.last_sequence)
        job_id = call(
            lambda: client.extract_start(
                extract_filter=ExtractFilter(
                    # birth years: a 16-year-old today may be born 17 years ago this calendar year
                    municipality_number=municipality,
                    birth_year_from=today.year - 17,
                    birth_year_to=today.year,
                )
            )
        )
        batch, polls = 0, 0
        while True:
            numbers = call(functools.partial(client.extract_batch, job_id=job_id, batch=batch))
            if numbers is None:  # 404: the job is not ready yet
                polls += 1
                if polls > max_polls:
                    raise TransientError("freg: uttrekket ble ikke ferdig i tide", system="freg")
                sleep(poll_interval)
                continue
            if not numbers:
                break
            counts["extract_numbers"] += len(numbers)
            mapped = _fetch_mapped(client, call, numbers, (PART_BASIS, PART_RELASJON), counts)
            _apply(client=client, call=call, mapped=mapped, counts=counts, today=today)
            batch += 1
        cursor = freg_cursor_get()
        freg_cursor_advance(cursor=cursor, to_sequence=head)
    except IntegrationError as exc:
        logger.error("freg: initial load stopped: %s", exc.message)
        freg_run_finish(run=run, counts=dict(counts), to_sequence=head, error=exc.message)
        return run
    freg_run_finish(run=run, counts=dict(counts), to_sequence=head)
    return run


# --- feed sync ------------------------------------------------------------------------------------
def _notices_for(
    *,
    result: PersonSyncResult,
    foreldreansvar_changed: set[int],
    sequences: dict[int, int],
    municipality: str,
    today: dt.date,
) -> list[NoticeData]:
    interesting = set(result.changes) | foreldreansvar_changed
    if not interesting:
        return []
    placements = placements_current_for_children(child_ids=interesting, on=today)
    notices: list[NoticeData] = []
    for person_id, person_placements in placements.items():
        kinds = _notice_kinds(
            changes=result.changes.get(person_id, {}),
            foreldreansvar_changed=person_id in foreldreansvar_changed,
            municipality=municipality,
        )
        for kind, service, details in kinds:
            for placement in person_placements:
                if service is not None and placement.service != service:
                    continue
                if (
                    kind == NoticeKind.MOVED_OUT_OF_SCHOOL_DISTRICT
                    and placement.unit.skolekrets is not None
                    and placement.unit.skolekrets == details["til"]
                ):
                    continue  # moved into the school's own district
                notices.append(
                    NoticeData(
                        person_id=person_id,
                        unit_id=placement.unit_id,
                        kind=kind,
                        sequence=sequences.get(person_id),
                        details=details,
                    )
                )
    return notices


def _notice_kinds(
    *, changes: dict[str, tuple[object, object]], foreldreansvar_changed: bool, municipality: str
) -> list[tuple[str, str | None, dict[str, Any]]]:
    """Which notices a person's changes call for, and for which service's placements (None = all)."""
    kinds: list[tuple[str, str | None, dict[str, Any]]] = []
    if "skolekrets" in changes and changes.get("municipality_number", (None, municipality))[1] == municipality:
        before, after = changes["skolekrets"]
        kinds.append((NoticeKind.MOVED_OUT_OF_SCHOOL_DISTRICT, Service.SCHOOL, {"fra": before, "til": after}))
    if "municipality_number" in changes and changes["municipality_number"][1] not in ("", municipality):
        kinds.append((NoticeKind.MOVED_OUT_OF_MUNICIPALITY, None, {"til": changes["municipality_number"][1]}))
    if "adressebeskyttelse" in changes and changes["adressebeskyttelse"][1] in PROTECTED_LEVELS:
        kinds.append((NoticeKind.PROTECTED_ADDRESS, None, {}))  # never the level or the address itself
    if "status" in changes and changes["status"][1] == PersonStatus.DOED:
        kinds.append((NoticeKind.DECEASED, None, {}))
    if "status" in changes and changes["status"][1] == PersonStatus.UTFLYTTET:
        kinds.append((NoticeKind.EMIGRATED, None, {}))
    if foreldreansvar_changed:
        kinds.append((NoticeKind.FORELDREANSVAR_CHANGED, None, {}))
    return kinds


def _process_page(
    *, client: FregPort, call: Retrying, entries: list[FeedEntry | dict[str, Any]], counts: Counter[str], today: dt.date
) -> int:
    """Apply one page; return the last sequence number in it."""
    last_sequence = 0
    relevant: dict[str, int] = {}
    for entry in entries:
        if not isinstance(entry, FeedEntry):
            counts["malformed_entry"] += 1
            sequence = entry.get("sekvensnummer") if isinstance(entry, dict) else None
            if isinstance(sequence, int):
                last_sequence = max(last_sequence, sequence)
            # Only the sequence number: the entry itself may hold a national id.
            logger.warning("freg: skipping a malformed feed entry (seq %s)", sequence)
            continue
        last_sequence = max(last_sequence, entry.sequence)
        counts["events"] += 1
        if entry.event_type not in KNOWN_EVENT_TYPES:
            counts["unknown_event_type"] += 1
            logger.info("freg: skipping unknown event type %s (seq %d)", entry.event_type, entry.sequence)
            continue
        relevant[entry.national_id] = entry.sequence
    known = person_ids_by_national_id(national_ids=relevant)
    counts["unknown_person"] += sum(1 for nid in relevant if nid not in known)
    numbers = sorted(known)
    if numbers:
        mapped = _fetch_mapped(client, call, numbers, (PART_BASIS, PART_RELASJON), counts)
        with transaction.atomic():
            result, foreldreansvar_changed, ids = _apply(
                client=client, call=call, mapped=mapped, counts=counts, today=today
            )
            sequences = {ids[nid]: seq for nid, seq in relevant.items() if nid in ids}
            notices = _notices_for(
                result=result,
                foreldreansvar_changed=foreldreansvar_changed,
                sequences=sequences,
                municipality=settings.FREG_MUNICIPALITY_NUMBER,
                today=today,
            )
            counts["notices"] += register_change_notices_create(notices=notices)
    counts["persons_refreshed"] += len(numbers)
    return last_sequence


def freg_sync_feed(
    *, client: FregPort, today: dt.date | None = None, sleep: Sleep = time.sleep, max_pages: int | None = None
) -> FregSyncRun:
    """Read the feed from the cursor to the head, one page (1000) per transaction."""
    today = today or clock.today()
    call = Retrying(sleep=sleep)
    counts: Counter[str] = Counter()
    cursor = freg_cursor_get()
    run = freg_run_start(kind=SyncRunKind.FEED, from_sequence=cursor.last_sequence + 1)
    pages = 0
    try:
        while max_pages is None or pages < max_pages:
            entries = call(lambda: client.feed(from_sequence=cursor.last_sequence + 1))
            if not entries:
                break
            with transaction.atomic():
                last = _process_page(client=client, call=call, entries=entries, counts=counts, today=today)
                freg_cursor_advance(cursor=cursor, to_sequence=last or cursor.last_sequence + len(entries))
            pages += 1
            if len(entries) < FEED_PAGE:
                break
    except IntegrationError as exc:
        logger.error("freg: feed sync stopped at %d: %s", cursor.last_sequence, exc.message)
        freg_run_finish(run=run, counts=dict(counts), to_sequence=cursor.last_sequence, error=exc.message)
        return run
    counts["pages"] = pages
    freg_run_finish(run=run, counts=dict(counts), to_sequence=cursor.last_sequence)
    return run


def freg_sync_feed_locked(*, client: FregPort | None = None) -> FregSyncRun | None:
    """Run ``freg_sync_feed`` unless another process holds the sync lock (then return None)."""
    from integrations.freg.client import get_freg_client

    with connection.cursor() as db:
        db.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
        (acquired,) = db.fetchone() or (False,)
    if not acquired:
        logger.info("freg: another feed sync is running; skipping")
        return None
    try:
        return freg_sync_feed(client=client or get_freg_client())
    finally:
        with connection.cursor() as db:
            db.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
