"""Initial load, continuous feed sync and the periodic full extract from Folkeregisteret into the people kernel.

Nothing here crashes the loop on bad data: malformed entries, unknown event types, invalid documents and
unknown persons who do not belong to the municipality are counted and skipped; unknown children who do
(newborns, families moving in) are created with their adults and relations. Transient errors are retried a few times (honouring FREG's
``Retry-After`` in ms); if they persist the run stops, the cursor stays at the last complete page, and the
next run resumes there.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction

from integrations.common.errors import IntegrationError, TransientError
from integrations.freg.errors import InvalidDocument
from integrations.freg.listeners import RegisterPersonChange, register_change_listeners_call
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
from oas.people.selectors import (
    person_ids_by_national_id,
    person_national_ids_born_from,
    placements_current_for_children,
)
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


# --- initial load and full extract ---------------------------------------------------------------
def _extract_and_apply(
    *,
    client: FregPort,
    call: Retrying,
    municipality: str,
    today: dt.date,
    sleep: Sleep,
    poll_interval: float,
    max_polls: int,
    counts: Counter[str],
) -> set[str]:
    """Run a tilpasset uttrekk of the municipality's children 0–16 and upsert them with their adults; return the numbers."""
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
    seen: set[str] = set()
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
        seen.update(numbers)
        mapped = _fetch_mapped(client, call, numbers, (PART_BASIS, PART_RELASJON), counts)
        _apply(client=client, call=call, mapped=mapped, counts=counts, today=today)
        batch += 1
    return seen


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
        _extract_and_apply(
            client=client,
            call=call,
            municipality=municipality,
            today=today,
            sleep=sleep,
            poll_interval=poll_interval,
            max_polls=max_polls,
            counts=counts,
        )
        cursor = freg_cursor_get()
        freg_cursor_advance(cursor=cursor, to_sequence=head)
    except IntegrationError as exc:
        logger.error("freg: initial load stopped: %s", exc.message)
        freg_run_finish(run=run, counts=dict(counts), to_sequence=head, error=exc.message)
        return run
    freg_run_finish(run=run, counts=dict(counts), to_sequence=head)
    return run


def freg_full_extract(
    *,
    client: FregPort,
    municipality_number: str | None = None,
    today: dt.date | None = None,
    sleep: Sleep = time.sleep,
    poll_interval: float = 2.0,
    max_polls: int = 900,
) -> FregSyncRun:
    """Repair drift from the feed: extract all children 0–16 again, upsert them, and refresh held ones not in it.

    Children we hold that the extract no longer names (moved away, emigrated, died, missed events) are looked up
    and updated too. The feed cursor is left alone: the feed goes on from where it was.
    """
    today = today or clock.today()
    municipality = municipality_number or settings.FREG_MUNICIPALITY_NUMBER
    call = Retrying(sleep=sleep)
    counts: Counter[str] = Counter({"full_extract": 1})  # the run kind stays initial_load until a kind is added
    run = freg_run_start(kind=SyncRunKind.INITIAL_LOAD)
    try:
        seen = _extract_and_apply(
            client=client,
            call=call,
            municipality=municipality,
            today=today,
            sleep=sleep,
            poll_interval=poll_interval,
            max_polls=max_polls,
            counts=counts,
        )
        held = set(person_national_ids_born_from(year=today.year - 17, municipality_number=municipality)) - seen
        counts["held_not_in_extract"] += len(held)
        for chunk in _chunks(sorted(held), BULK):
            mapped = _fetch_mapped(client, call, chunk, (PART_BASIS, PART_RELASJON), counts)
            _apply(client=client, call=call, mapped=mapped, counts=counts, today=today)
    except IntegrationError as exc:
        logger.error("freg: full extract stopped: %s", exc.message)
        freg_run_finish(run=run, counts=dict(counts), to_sequence=None, error=exc.message)
        return run
    freg_run_finish(run=run, counts=dict(counts), to_sequence=None)
    return run


def freg_full_extract_locked(*, client: FregPort | None = None) -> FregSyncRun | None:
    """Run ``freg_full_extract`` unless a feed sync or another extract holds the sync lock (then return None)."""
    from integrations.freg.client import get_freg_client

    with _sync_lock() as acquired:
        if not acquired:
            logger.info("freg: another sync is running; skipping the full extract")
            return None
        return freg_full_extract(client=client or get_freg_client())


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


def _in_scope_child(person: RegisterPersonData, today: dt.date) -> bool:
    """A child of the ages the initial load covers (born this calendar year or the 17 before), living."""
    return (
        person.birth_date is not None
        and person.birth_date.year >= today.year - 17
        and person.status not in (PersonStatus.DOED, PersonStatus.UTFLYTTET)
    )


def _known_or_belonging(
    *, mapped: list[MappedPerson], known: Mapping[str, int], counts: Counter[str], today: dt.date
) -> list[MappedPerson]:
    """Keep persons we hold, and add children who now belong to the municipality (newborns, families moving in).

    A child belongs here when the register gives a bostedsadresse in the municipality, or (strengt fortrolig,
    no address) when an adult related to them is someone we hold. Their adults come along in ``_apply``; adults
    alone and people elsewhere stay unknown (counted), as in the initial load.
    """
    municipality = settings.FREG_MUNICIPALITY_NUMBER
    kept: list[MappedPerson] = []
    unknown = [m for m in mapped if m.person.national_id not in known]
    adults_known = person_ids_by_national_id(national_ids={a for m in unknown for a in m.related_adults})
    for m in mapped:
        if m.person.national_id in known:
            kept.append(m)
            continue
        here = m.person.address is not None and m.person.address.municipality_number == municipality
        if _in_scope_child(m.person, today) and (here or (m.related_adults & adults_known.keys())):
            counts["unknown_person_added"] += 1
            kept.append(m)
        else:
            counts["unknown_person"] += 1
    return kept


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
    numbers = sorted(relevant)
    if numbers:
        fetched = _fetch_mapped(client, call, numbers, (PART_BASIS, PART_RELASJON), counts)
        mapped = _known_or_belonging(mapped=fetched, known=known, counts=counts, today=today)
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
            moved_on = {ids[m.person.national_id]: m.moved_on for m in mapped if m.person.national_id in ids}
            changed = [
                RegisterPersonChange(
                    person_id=pid,
                    sequence=sequences.get(pid),
                    created=False,
                    changes=result.changes.get(pid, {}),
                    moved_on=moved_on.get(pid),
                )
                for pid in result.changes
            ] + [
                RegisterPersonChange(
                    person_id=pid, sequence=sequences.get(pid), created=True, moved_on=moved_on.get(pid)
                )
                for pid in result.created
            ]
            register_change_listeners_call(changes=changed, today=today)
    counts["persons_refreshed"] += sum(1 for nid in relevant if nid in known)
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


@contextlib.contextmanager
def _sync_lock() -> Iterator[bool]:
    """One FREG sync (feed or full extract) at a time across workers: a session advisory lock."""
    with connection.cursor() as db:
        db.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
        (acquired,) = db.fetchone() or (False,)
    try:
        yield bool(acquired)
    finally:
        if acquired:
            with connection.cursor() as db:
                db.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


def freg_sync_feed_locked(*, client: FregPort | None = None) -> FregSyncRun | None:
    """Run ``freg_sync_feed`` unless another process holds the sync lock (then return None)."""
    from integrations.freg.client import get_freg_client

    with _sync_lock() as acquired:
        if not acquired:
            logger.info("freg: another feed sync is running; skipping")
            return None
        return freg_sync_feed(client=client or get_freg_client())
