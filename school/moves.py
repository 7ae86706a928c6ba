"""Pupils moving in and out from Folkeregisteret's events: a task for each school (opplæringslova § 2-6, nærskole).

The register feed (``integrations.public.register_change_listener``) tells us about a school-age child (grades
1–10) whose skolekrets or municipality changed, who emigrated, or who is new here (a family moving in). Then:

* moving out of the municipality (or abroad) → a task for the old school: end the placement, transfer the record;
* moving to another skolekrets in the municipality → tasks for the old school and for the school of the new krets;
* moving in (no school placement yet) → a task for the school of the new skolekrets: enrol the pupil.

The tasks are ``PupilMove`` rows with ``source="register"`` (the office's own moves are unchanged). One move per feed
event (the sequence number is unique per pupil), and an open register move for the same pupil and schools is not
repeated: the same event twice is one task. The placement changes when each school marks its part done
(``register_move_complete``), not behind the office's back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Q

from oas import clock
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.organisation.models import OrgUnit, OrgUnitKind, Ownership, SchoolType
from oas.people.models import Person, PersonStatus, Placement, Service
from oas.periods import DATED, active_on
from school.models import GroupMembership, MoveSource, PupilMove

if TYPE_CHECKING:
    from integrations.public import RegisterPersonChange

FIRST_GRADE, LAST_GRADE = 1, 10
START_AGE = 6
_MOVE_FIELDS = ("skolekrets", "municipality_number", "status")
_GONE = (PersonStatus.DOED, PersonStatus.UTFLYTTET)


def grade_by_age(*, birth_date: dt.date, day: dt.date) -> int:
    """The grade a child born on ``birth_date`` is in on ``day`` (1st grade the year they turn six)."""
    start_year = day.year if day.month >= 8 else day.year - 1
    return start_year - birth_date.year - (START_AGE - 1)


def _school_for(*, person: Person, grade: int, day: dt.date) -> OrgUnit | None:
    """The municipal school the pupil belongs to by their skolekrets: the krets school if it has the grade, else
    the lower secondary school of the same former municipality (kretser name the primary schools)."""
    if person.skolekrets is None or person.status in _GONE:
        return None
    schools = list(
        OrgUnit.objects.filter(
            active_on(day),
            kind=OrgUnitKind.SCHOOL,
            ownership=Ownership.MUNICIPAL,
            municipality__number=person.municipality_number,
        )
        .exclude(school_type=SchoolType.SPECIAL)
        .order_by("code")
    )
    krets = next((s for s in schools if s.skolekrets == person.skolekrets), None)
    if krets is None:
        return None
    if (krets.first_grade or FIRST_GRADE) <= grade <= (krets.last_grade or LAST_GRADE):
        return krets
    covering = [s for s in schools if (s.first_grade or FIRST_GRADE) <= grade <= (s.last_grade or LAST_GRADE)]
    covering.sort(key=lambda s: (s.former_municipality_id != krets.former_municipality_id, s.code))
    return covering[0] if covering else None


def _school_year_start(day: dt.date) -> int:
    return day.year if day.month >= 8 else day.year - 1


def _placement_on(placements: list[Placement], day: dt.date) -> Placement | None:
    """The placement (of those held, oldest first) active on ``day``, if any."""
    for placement in placements:
        if placement.start_date <= day and (placement.end_date is None or placement.end_date >= day):
            return placement
    return None


def _move_day(change: RegisterPersonChange, today: dt.date) -> dt.date:
    """The day the move takes effect: the register's moving date (flyttedato), or the processing day without one."""
    return change.moved_on or today


def pupil_moves_from_register(changes: Sequence[RegisterPersonChange], today: dt.date) -> int:
    """The register feed's listener: create the schools' tasks for school-age children moving; return how many.

    The move is dated by the register (``RegisterPersonChange.moved_on``, the new bostedsadresse's flyttedato),
    not by the day the feed is read: the grade, the krets school and the school the pupil leaves are those of the
    moving day, so a move reported after the fact is dated back and a move reported ahead waits for its day (the
    placements change on that day when each school completes its part). Runs inside the feed page's transaction
    (system: no user). Idempotent per event and per open move.
    """
    relevant = {c.person_id: c for c in changes if c.created or any(f in c.changes for f in _MOVE_FIELDS)}
    if not relevant:
        return 0
    persons = {p.pk: p for p in Person.objects.filter(pk__in=relevant, birth_date__isnull=False)}
    placements: dict[int, list[Placement]] = {}
    for found in (
        Placement.objects.filter(service=Service.SCHOOL, child_id__in=persons)
        .filter(
            Q(end_date__isnull=True) | Q(end_date__gte=min([today, *(_move_day(c, today) for c in relevant.values())]))
        )
        .select_related("unit__municipality", "group")
        .order_by("start_date")
    ):
        placements.setdefault(found.child_id, []).append(found)
    open_moves = {
        (m.pupil_id, m.from_school_id, m.to_school_id)
        for m in PupilMove.objects.filter(pupil_id__in=persons, source=MoveSource.REGISTER).filter(
            Q(from_school__isnull=False, from_done_at__isnull=True)
            | Q(to_school__isnull=False, to_done_at__isnull=True)
        )
    }
    now = clock.now()
    rows: list[PupilMove] = []
    for person_id, person in persons.items():
        change = relevant[person_id]
        day = _move_day(change, today)
        held = placements.get(person_id, [])
        # The school the pupil leaves: for a move reported late, the school they attend now (the office may have
        # moved them since; one they began at after the register's moving day is left from the day after they
        # began); for a move reported ahead, the school they will attend on the moving day.
        first, then = (today, day) if day < today else (day, today)
        placement = _placement_on(held, first) or _placement_on(held, then)
        if placement is not None and placement.start_date >= day:
            day = placement.start_date + dt.timedelta(days=1)
        grade = None
        if placement and placement.group and placement.group.grade:
            # a move dated into the next school year finds the pupil a grade up
            grade = placement.group.grade + _school_year_start(day) - _school_year_start(today)
        grade = grade or grade_by_age(birth_date=person.birth_date, day=day)  # type: ignore[arg-type]
        if not FIRST_GRADE <= grade <= LAST_GRADE:
            continue
        old = placement.unit if placement else None
        new = _school_for(person=person, grade=grade, day=day)
        if old is not None and new is not None and old.pk == new.pk:
            continue  # still the same school (moved within the krets, or to a krets of the same lower secondary)
        if old is None and new is None:
            continue
        if (
            old is not None
            and new is None
            and person.status not in _GONE
            and person.municipality_number in ("", old.municipality.number)
        ):
            continue  # still here without a krets (strengt fortrolig has no address): the office decides
        if old is not None and new is not None and "skolekrets" not in change.changes and not change.created:
            continue  # nothing about the krets changed (e.g. a pupil at a school outside their krets by choice)
        key = (person_id, old.pk if old else None, new.pk if new else None)
        if key in open_moves:
            continue
        open_moves.add(key)
        rows.append(
            PupilMove(
                pupil=person,
                from_school=old,
                to_school=new,
                day=day,
                created_at=now,
                source=MoveSource.REGISTER,
                register_sequence=change.sequence,
            )
        )
    created = PupilMove.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        audit_record(
            action=AuditAction.CREATE,
            event="school.pupil.move.register",
            person_ids=[r.pupil_id for r in rows],
            object_type="school.PupilMove",
            details={
                "moves": [
                    {
                        "pupil": r.pupil_id,
                        "from": r.from_school_id,
                        "to": r.to_school_id,
                        "seq": r.register_sequence,
                        "day": r.day.isoformat(),
                    }
                    for r in rows
                ]
            },
        )
    return len(created)


def register_move_complete(*, move: PupilMove, school: OrgUnit) -> None:
    """A school's part of a register move, done by its office: the old school ends the placement (and the pupil's
    teaching groups there) the day before the register's moving day; the new school enrols the pupil from that day
    (without a class: placing in one is the next step on the pupil's page). A move reported late is dated back, one
    reported ahead changes the placements on its day, whenever the office does its part. Runs in the caller's
    transaction."""
    start = move.day
    if school.pk == move.from_school_id:
        for placement in Placement.objects.filter(
            active_on(start, fields=DATED), child_id=move.pupil_id, service=Service.SCHOOL, unit=school
        ):
            placement.end_date = max(placement.start_date, start - dt.timedelta(days=1))
            placement.save(update_fields=["end_date"])
        GroupMembership.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=start),
            valid_from__lt=start,
            pupil_id=move.pupil_id,
            group__path__startswith=school.path,
        ).update(valid_to=start - dt.timedelta(days=1))
        return
    if Placement.objects.filter(
        active_on(start, fields=DATED), child_id=move.pupil_id, service=Service.SCHOOL, unit=school
    ).exists():
        return
    for placement in Placement.objects.filter(
        active_on(start, fields=DATED), child_id=move.pupil_id, service=Service.SCHOOL
    ):
        placement.end_date = max(placement.start_date, start - dt.timedelta(days=1))
        placement.save(update_fields=["end_date"])
    Placement.objects.create(child_id=move.pupil_id, service=Service.SCHOOL, unit=school, group=None, start_date=start)
