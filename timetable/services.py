"""Writes of the timetable domain: versions, the generator's runs, hand edits and publishing (each audit-logged)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.utils.translation import gettext as _

from oas import clock
from oas.access.getters import access_object, access_unit
from oas.access.principal import Actor
from oas.audit.services import audit_record
from oas.errors import DomainError
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.organisation.services import orgunit_create
from oas.people.models import Employment
from oas.periods import active_on
from school.public import school_year_on, subject_names, timetable_groups
from timetable import importing, solver
from timetable.checks import explain_keys
from timetable.models import (
    ACTIVE_RUN_STATUSES,
    DayChange,
    Lesson,
    LessonChange,
    ParallelBlock,
    Period,
    PeriodKind,
    Requirement,
    Room,
    RoomKind,
    RunStatus,
    SolverRun,
    TeacherFrame,
    TimetableVersion,
    Unavailability,
    VersionStatus,
)
from timetable.selectors import lesson_clashes, lesson_periods, parallel_block_problems, solver_input

MAX_SECONDS = 600
PROGRESS_EVERY_SECONDS = 0.5

# The default school day: (label, start, end, kind, late).
DEFAULT_DAY: tuple[tuple[str, str, str, str, bool], ...] = (
    ("1", "08:30", "09:30", PeriodKind.LESSON, False),
    ("2", "09:30", "10:30", PeriodKind.LESSON, False),
    ("Lunsj", "10:30", "11:00", PeriodKind.BREAK, False),
    ("3", "11:00", "12:00", PeriodKind.LESSON, False),
    ("4", "12:00", "13:00", PeriodKind.LESSON, False),
    ("Friminutt", "13:00", "13:15", PeriodKind.BREAK, False),
    ("5", "13:15", "14:15", PeriodKind.LESSON, False),
    ("6", "14:15", "15:15", PeriodKind.LESSON, True),
)


def _user_id(user: Any) -> int | None:
    return getattr(user, "pk", None)


def _editable(version: TimetableVersion) -> None:
    if not version.editable:
        raise DomainError(
            _("Versjonen er publisert og kan ikke endres. Kopier den til et nytt utkast for å gjøre endringer."),
            code="published",
        )


@transaction.atomic
def version_create(
    *,
    school_id: int,
    name: str,
    valid_from: dt.date,
    valid_to: dt.date,
    school_year_id: int = 0,
    school_year_name: str = "",
    is_variant: bool = False,
    user: Any = None,
    with_default_day: bool = True,
) -> TimetableVersion:
    """Create a draft version for a school, with the default school day."""
    if valid_to < valid_from:
        raise DomainError(_("Sluttdatoen kan ikke være før startdatoen."), fields={"valid_to": [_("Før start.")]})
    version = TimetableVersion(
        school_id=school_id,
        school_year_id=school_year_id,
        school_year_name=school_year_name,
        name=name.strip() or _("Timeplan"),
        valid_from=valid_from,
        valid_to=valid_to,
        is_variant=is_variant,
        created_at=clock.now(),
        created_by_user_id=_user_id(user),
    )
    version.full_clean()
    version.save()
    if with_default_day:
        Period.objects.bulk_create(
            [
                Period(
                    version=version,
                    position=i + 1,
                    label=label,
                    start_time=dt.time.fromisoformat(start),
                    end_time=dt.time.fromisoformat(end),
                    kind=kind,
                    late=late,
                )
                for i, (label, start, end, kind, late) in enumerate(DEFAULT_DAY)
            ]
        )
    audit_record(
        action="create",
        event="timetable.version.create",
        object_type="timetable.TimetableVersion",
        object_id=version.pk,
    )
    return version


@transaction.atomic
def version_copy(*, version_id: int, user: Any = None, name: str = "") -> TimetableVersion:
    """Copy a version (week, requirements, frames, unavailable times, lessons) to a new draft."""
    source = TimetableVersion.objects.get(pk=version_id)
    copy = version_create(
        school_id=source.school_id,
        name=name or _("Kopi av %(name)s") % {"name": source.name},
        valid_from=source.valid_from,
        valid_to=source.valid_to,
        school_year_id=source.school_year_id,
        school_year_name=source.school_year_name,
        is_variant=source.is_variant,
        user=user,
        with_default_day=False,
    )
    for field in (
        "days_per_week",
        "period_minutes",
        "weeks_per_year",
        "weight_teacher_gaps",
        "weight_spread",
        "weight_late",
        "weight_free_day",
    ):
        setattr(copy, field, getattr(source, field))
    copy.copied_from = source
    copy.save()
    Period.objects.bulk_create(
        [
            Period(
                version=copy,
                position=p.position,
                kind=p.kind,
                label=p.label,
                start_time=p.start_time,
                end_time=p.end_time,
                late=p.late,
            )
            for p in source.periods.all()
        ]
    )
    blocks = {b.pk: ParallelBlock.objects.create(version=copy, name=b.name) for b in source.blocks.all()}
    reqs: dict[int, Requirement] = {}
    for req in source.requirements.prefetch_related("classes", "teachers"):
        new = Requirement.objects.create(
            version=copy,
            subject_code=req.subject_code,
            subject_name=req.subject_name,
            group_id=req.group_id,
            hours_per_week=req.hours_per_week,
            double_lessons=req.double_lessons,
            max_per_day=req.max_per_day,
            room_kind=req.room_kind,
            block=blocks.get(req.block_id) if req.block_id else None,
        )
        new.classes.set(req.classes.all())
        new.teachers.set(req.teachers.all())
        reqs[req.pk] = new
    TeacherFrame.objects.bulk_create(
        [
            TeacherFrame(
                version=copy,
                teacher_id=f.teacher_id,
                position_percent=f.position_percent,
                frame_hours=f.frame_hours,
                preferred_free_day=f.preferred_free_day,
                subject_codes=f.subject_codes,
            )
            for f in source.frames.all()
        ]
    )
    Unavailability.objects.bulk_create(
        [
            Unavailability(version=copy, teacher_id=u.teacher_id, room_id=u.room_id, day=u.day, position=u.position)
            for u in source.unavailable.all()
        ]
    )
    Lesson.objects.bulk_create(
        [
            Lesson(
                version=copy,
                requirement=reqs[lsn.requirement_id],
                day=lsn.day,
                position=lsn.position,
                length=lsn.length,
                room_id=lsn.room_id,
                locked=lsn.locked,
            )
            for lsn in source.lessons.all()
        ]
    )
    return copy


@transaction.atomic
def version_publish(*, version_id: int, user: Any = None) -> TimetableVersion:
    """Publish a draft: it replaces the school's published version (of the same kind) for its dates."""
    version = TimetableVersion.objects.select_for_update().get(pk=version_id)
    _editable(version)
    if not version.lessons.exists():
        raise DomainError(
            _("Versjonen har ingen timer ennå. Generer eller legg inn timer før du publiserer."), code="empty"
        )
    if SolverRun.objects.filter(version=version, status__in=ACTIVE_RUN_STATUSES).exists():
        raise DomainError(
            _("Generatoren kjører på denne versjonen. Vent til den er ferdig, eller avbryt den."), code="running"
        )
    now = clock.now()
    replaced = _published_over(version, is_variant=version.is_variant).exclude(pk=version.pk)
    replaced_ids = list(replaced.values_list("pk", flat=True))
    replaced.update(status=VersionStatus.ARCHIVED)
    version.status = VersionStatus.PUBLISHED
    version.published_at = now
    version.save(update_fields=["status", "published_at"])
    LessonChange.objects.create(
        version=version, action="publish", user_id=_user_id(user), at=now, after={"replaced": replaced_ids}
    )
    audit_record(
        action="update",
        event="timetable.version.publish",
        object_type="timetable.TimetableVersion",
        object_id=version.pk,
        details={"replaced": replaced_ids},
    )
    from timetable.daychanges import day_changes_carried_calendar, day_changes_carry
    from timetable.office365 import calendar_sync_school

    # Day changes on the replaced lessons from today on follow the matching lessons (or are listed to follow up);
    # a variant takes the main timetable's day changes on its dates too (its lessons are the ones taught then).
    carry_from = replaced_ids + (_main_ids_under(version) if version.is_variant else [])
    carried = day_changes_carry(version=version, replaced_ids=carry_from) if carry_from else []
    # Office 365: the teachers' calendar events follow the published timetable (outbox rows in this transaction);
    # a variant's lessons replace the main timetable's on its dates.
    calendar_sync_school(school_id=version.school_id)
    day_changes_carried_calendar(changes=carried, version=version)
    return version


def version_withdraw(*, version_id: int, user: Actor | None = None) -> TimetableVersion:
    """Withdraw a published date-limited variant: the main timetable applies again on its dates (archived)."""
    if user is not None:
        access_object(
            user=user, queryset=TimetableVersion.objects.all(), id=version_id, action="timetable.version.manage"
        )
    with transaction.atomic():
        version = TimetableVersion.objects.select_for_update().get(pk=version_id)
        if not version.is_variant or version.status != VersionStatus.PUBLISHED:
            raise DomainError(
                _("Bare en publisert variant for en periode kan trekkes tilbake."), code="not_published_variant"
            )
        version.status = VersionStatus.ARCHIVED
        version.save(update_fields=["status"])
        LessonChange.objects.create(version=version, action="withdraw", user_id=_user_id(user), at=clock.now())
        audit_record(
            action="update",
            event="timetable.version.withdraw",
            object_type="timetable.TimetableVersion",
            object_id=version.pk,
        )
        from timetable.daychanges import day_changes_carried_calendar, day_changes_carry
        from timetable.office365 import calendar_sync_school

        # The main timetable's lessons are taught on the variant's dates again: the day changes the variant could
        # not take need no follow-up any more, and its own day changes from today go to the matching main lessons.
        DayChange.objects.filter(needs_attention_version=version).update(needs_attention_version=None)
        mains = list(TimetableVersion.objects.filter(pk__in=_main_ids_under(version)))
        carried = [(main, day_changes_carry(version=main, replaced_ids=[version.pk])) for main in mains]
        calendar_sync_school(school_id=version.school_id)
        for main, changes in carried:
            day_changes_carried_calendar(changes=changes, version=main)
    return version


def _published_over(version: TimetableVersion, *, is_variant: bool) -> QuerySet[TimetableVersion]:
    """The school's published versions of one kind (main or variant) whose dates overlap ``version``'s."""
    return TimetableVersion.objects.filter(
        school_id=version.school_id,
        status=VersionStatus.PUBLISHED,
        is_variant=is_variant,
        valid_from__lte=version.valid_to,
        valid_to__gte=version.valid_from,
    )


def _main_ids_under(variant: TimetableVersion) -> list[int]:
    """The published main timetables whose dates the variant covers (one, as a rule)."""
    return list(_published_over(variant, is_variant=False).values_list("pk", flat=True))


# --- The generator -----------------------------------------------------------------------------------------


def run_start(
    *, version_id: int, user: Any = None, seed: int = 0, time_limit: int = 30, relaxed: list[str] | None = None
) -> SolverRun:
    """Queue a generator run on a draft (one at a time per version); the task starts when the transaction commits."""
    from timetable.tasks import run_generate

    if not 1 <= time_limit <= MAX_SECONDS:
        raise DomainError(
            _("Tidsgrensen må være mellom 1 og %(max)s sekunder.") % {"max": MAX_SECONDS},
            fields={"time_limit": [_("Ugyldig.")]},
        )
    with transaction.atomic():
        version = TimetableVersion.objects.select_for_update().get(pk=version_id)
        _editable(version)
        try:
            with transaction.atomic():
                run = SolverRun.objects.create(
                    version=version,
                    seed=seed,
                    time_limit_seconds=time_limit,
                    relaxed=sorted(set(relaxed or [])),
                    created_at=clock.now(),
                    created_by_user_id=_user_id(user),
                )
        except IntegrityError as exc:
            raise DomainError(
                _("Generatoren kjører allerede på denne versjonen. Vent til den er ferdig, eller avbryt den."),
                code="running",
            ) from exc
        audit_record(action="create", event="timetable.run.start", object_type="timetable.SolverRun", object_id=run.pk)
        transaction.on_commit(lambda: run_generate.delay(run.pk))
    return run


def run_cancel(*, run_id: int, user: Any = None) -> SolverRun:
    """Ask a queued or running generator run to stop (the best timetable so far is kept)."""
    run = SolverRun.objects.get(pk=run_id)
    if run.status not in ACTIVE_RUN_STATUSES:
        raise DomainError(_("Kjøringen er allerede ferdig."), code="finished")
    SolverRun.objects.filter(pk=run.pk).update(cancel_requested=True)
    if run.status == RunStatus.QUEUED:
        SolverRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
            status=RunStatus.CANCELLED, finished_at=clock.now()
        )
    audit_record(action="update", event="timetable.run.cancel", object_type="timetable.SolverRun", object_id=run.pk)
    run.refresh_from_db()
    return run


def run_execute(*, run_id: int, workers: int = 2) -> SolverRun | None:  # noqa: PLR0915 - one run, top to bottom
    """Run the generator for a queued run: progress in the database, lessons written at the end (idempotent)."""
    claimed = SolverRun.objects.filter(pk=run_id, status=RunStatus.QUEUED, cancel_requested=False).update(
        status=RunStatus.RUNNING
    )
    run = SolverRun.objects.filter(pk=run_id).select_related("version").first()
    if run is None or not claimed:
        return run  # vanished, cancelled, or already taken
    version = run.version
    seed, seconds, relaxed = run.seed, float(run.time_limit_seconds), frozenset(run.relaxed)
    data = solver_input(version=version)
    # The solver reports from its own threads; the database is written from this one (connections are per thread).
    latest: dict[str, float] = {}
    latest_first: list[list[solver.Placement]] = []  # the first valid timetable, shown while the cost is minimised
    stop = threading.Event()
    outcome: dict[str, Any] = {}

    def progress(solutions: int, objective: int, bound: int, seconds: float) -> bool:
        latest.update(solutions=solutions, objective=objective, bound=bound, seconds=seconds)
        return False

    def work() -> None:
        try:
            outcome["result"] = solver.solve(
                data.problem,
                seed=seed,
                seconds=seconds,
                workers=workers,
                relaxed=relaxed,
                progress=progress,
                stop=stop,
                on_first=latest_first.append,
                reproducible=True,  # a run's seed is its promise: the same seed, the same timetable
            )
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    shown_first = False
    while thread.is_alive():
        thread.join(PROGRESS_EVERY_SECONDS)
        if latest_first and not shown_first and thread.is_alive():
            shown_first = True
            with transaction.atomic():
                lessons_replace(
                    version=version, placements=latest_first[0], periods=data.periods, user_id=run.created_by_user_id
                )
            SolverRun.objects.filter(pk=run_id).update(solutions=1)
        if latest:
            SolverRun.objects.filter(pk=run_id).update(
                solutions=int(latest["solutions"]),
                objective=int(latest["objective"]),
                bound=int(latest["bound"]),
                elapsed_seconds=latest["seconds"],
            )
        if SolverRun.objects.filter(pk=run_id, cancel_requested=True).exists():
            stop.set()
    if "error" in outcome:
        SolverRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, message=str(outcome["error"])[:2000], finished_at=clock.now()
        )
        raise outcome["error"]
    result: solver.Solution = outcome["result"]
    with transaction.atomic():
        run = SolverRun.objects.select_for_update().get(pk=run_id)
        run.elapsed_seconds = result.seconds
        run.solutions = max(run.solutions, result.solutions)
        run.finished_at = clock.now()
        if result.placements:
            lessons_replace(
                version=version, placements=result.placements, periods=data.periods, user_id=run.created_by_user_id
            )
            run.objective, run.bound = result.objective, result.bound
            run.status = RunStatus.CANCELLED if result.status == "cancelled" else RunStatus.DONE
            run.message = (
                _("Optimal timeplan funnet.")
                if result.status == "optimal"
                else _("Timeplan funnet (ikke bevist optimal).")
            )
        elif result.status == "infeasible":
            run.status = RunStatus.INFEASIBLE
            run.explanation = explain_keys(version=version, keys=result.core)
            run.message = (
                _("Det finnes ingen timeplan som oppfyller alle kravene.")
                if result.core
                else _("Det finnes ingen timeplan: lærere eller klasser har flere timer enn det er plass til.")
            )
        else:
            run.status = RunStatus.CANCELLED if result.status == "cancelled" else RunStatus.FAILED
            run.message = _("Fant ingen timeplan innen tidsgrensen. Prøv en lengre tidsgrense.")
        run.save()
    return run


def lessons_replace(
    *, version: TimetableVersion, placements: list[solver.Placement], periods: list[Period], user_id: int | None
) -> int:
    """Replace the version's unlocked lessons with the solver's placements and give each a room of its type."""
    positions = [p.position for p in periods]
    locked = list(version.lessons.filter(locked=True))
    kept: dict[tuple[int, int, int, int], int] = defaultdict(int)
    for lsn in locked:
        kept[(lsn.requirement_id, lsn.day, lsn.position, lsn.length)] += 1
    version.lessons.filter(locked=False).delete()
    rooms_by_kind: dict[str, list[Room]] = defaultdict(list)
    for each_room in Room.objects.filter(school_id=version.school_id).order_by("code"):
        rooms_by_kind[each_room.kind].append(each_room)
    kinds = dict(version.requirements.values_list("pk", "room_kind"))
    taken: set[tuple[int, int, int]] = {
        (lsn.room_id, lsn.day, p)
        for lsn in locked
        if lsn.room_id
        for p in range(lsn.position, lsn.position + lsn.length)
    }
    new = []
    for pl in sorted(placements, key=lambda x: (x.day, x.period, -x.length, x.requirement)):
        position = positions[pl.period]
        key = (pl.requirement, pl.day, position, pl.length)
        if kept[key]:
            kept[key] -= 1
            continue
        covered = positions[pl.period : pl.period + pl.length]
        room: Room | None = None
        for candidate in rooms_by_kind.get(kinds.get(pl.requirement, ""), []):
            if all((candidate.pk, pl.day, p) not in taken for p in covered):
                room = candidate
                taken |= {(candidate.pk, pl.day, p) for p in covered}
                break
        new.append(
            Lesson(
                version=version,
                requirement_id=pl.requirement,
                day=pl.day,
                position=position,
                length=pl.length,
                room=room,
            )
        )
    Lesson.objects.bulk_create(new)
    LessonChange.objects.create(
        version=version, action="generate", user_id=user_id, at=clock.now(), after={"lessons": len(new) + len(locked)}
    )
    return len(new)


# --- Editing by hand -----------------------------------------------------------------------------------------


def _snapshot(lesson: Lesson) -> dict[str, Any]:
    return {"day": lesson.day, "position": lesson.position, "room": lesson.room_id, "locked": lesson.locked}


def _record(*, lesson: Lesson, action: str, before: dict[str, Any], user: Any) -> None:
    LessonChange.objects.create(
        version=lesson.version,
        lesson=lesson,
        action=action,
        before=before,
        after=_snapshot(lesson),
        user_id=_user_id(user),
        at=clock.now(),
    )
    audit_record(
        action="update",
        event=f"timetable.lesson.{action}",
        person_ids=[t.person_id for t in lesson.requirement.teachers.all()],
        object_type="timetable.Lesson",
        object_id=lesson.pk,
        details={"before": before, "after": _snapshot(lesson)},
    )


@transaction.atomic
def lesson_move(*, lesson_id: int, day: int, position: int, user: Any = None) -> Lesson:
    """Move a lesson to another day and period; refused (with the clashes) when it would clash."""
    lesson = Lesson.objects.select_for_update().select_related("version", "requirement").get(pk=lesson_id)
    _editable(lesson.version)
    clashes = lesson_clashes(lesson=lesson, day=day, position=position)
    if clashes:
        raise DomainError(_("Timen kan ikke flyttes dit: ") + " ".join(clashes), code="clash")
    before = _snapshot(lesson)
    lesson.day, lesson.position = day, position
    lesson.save(update_fields=["day", "position"])
    _record(lesson=lesson, action="move", before=before, user=user)
    return lesson


@transaction.atomic
def lesson_swap(*, lesson_id: int, other_id: int, user: Any = None) -> tuple[Lesson, Lesson]:
    """Swap the times of two lessons of one version; refused when either would clash in its new place."""
    a = Lesson.objects.select_for_update().select_related("version", "requirement").get(pk=lesson_id)
    b = (
        Lesson.objects.select_for_update()
        .select_related("version", "requirement")
        .get(pk=other_id, version_id=a.version_id)
    )
    _editable(a.version)
    clashes = lesson_clashes(lesson=a, day=b.day, position=b.position, ignore=(b.pk,)) + lesson_clashes(
        lesson=b, day=a.day, position=a.position, ignore=(a.pk,)
    )
    if clashes:
        raise DomainError(_("Timene kan ikke byttes: ") + " ".join(dict.fromkeys(clashes)), code="clash")
    before_a, before_b = _snapshot(a), _snapshot(b)
    (a.day, a.position), (b.day, b.position) = (b.day, b.position), (a.day, a.position)
    a.save(update_fields=["day", "position"])
    b.save(update_fields=["day", "position"])
    _record(lesson=a, action="swap", before=before_a, user=user)
    _record(lesson=b, action="swap", before=before_b, user=user)
    return a, b


@transaction.atomic
def lesson_lock(*, lesson_id: int, locked: bool, user: Any = None) -> Lesson:
    """Lock a lesson where it is (the generator keeps it) or unlock it."""
    lesson = Lesson.objects.select_for_update().select_related("version", "requirement").get(pk=lesson_id)
    _editable(lesson.version)
    before = _snapshot(lesson)
    lesson.locked = locked
    lesson.save(update_fields=["locked"])
    _record(lesson=lesson, action="lock" if locked else "unlock", before=before, user=user)
    return lesson


def lesson_periods_positions(*, version: TimetableVersion) -> list[int]:
    """Return the positions of the lesson periods (for forms)."""
    return [p.position for p in lesson_periods(version=version)]


# --- Import of FET and XHSTT files into a new draft -------------------------------------------------------------


@dataclass
class ImportResult:
    version: TimetableVersion
    unmatched_teachers: list[str]
    new_groups: list[str]
    new_rooms: list[str]


def _school_staff_by_name(*, school: OrgUnit, day: dt.date) -> dict[str, int]:
    """The school's employees by "first last" and "last first" (and "last, first"), lowercased."""
    found: dict[str, int] = {}
    rows = (
        Employment.objects.filter(active_on(day), unit__path__startswith=school.path)
        .order_by("employee_id")
        .values_list("employee_id", "employee__person__first_name", "employee__person__last_name")
    )
    for employee_id, first, last in rows:
        for key in (f"{first} {last}", f"{last} {first}", f"{last}, {first}"):
            found.setdefault(" ".join(key.lower().split()), employee_id)
    return found


def _subject_code(name: str, by_name: dict[str, str], codes: set[str]) -> str:
    if name.upper() in codes:
        return name.upper()
    return by_name.get(name.lower()) or "".join(name.upper().split())[:20] or "FAG"


def version_import(  # noqa: PLR0915 - one import, top to bottom
    *, user: Actor, school_id: int, filename: str, content: bytes, name: str = ""
) -> ImportResult:
    """Import a FET or XHSTT file as a new draft of the school: week, subjects, groups, rooms, lessons and placements.

    Teachers are matched to the school's staff by name; the unmatched are listed (their lessons come in without a
    teacher). Groups not among the school's classes and teaching groups become groups under the school, rooms not
    among its rooms become classrooms. A file with problems is refused with every problem, and nothing is written.
    """
    school = access_unit(user=user, id=school_id, action="timetable.manage")
    if school.kind != OrgUnitKind.SCHOOL:
        raise DomainError(_("Timeplaner hører til skoler."), code="not_school")
    try:
        data = importing.parse_file(filename=filename, content=content)
    except importing.ImportError_ as exc:
        raise DomainError(
            _("Filen kan ikke importeres: %(problems)s") % {"problems": " ".join(exc.problems[:20])}
            + (_(" (og %(n)s problemer til)") % {"n": len(exc.problems) - 20} if len(exc.problems) > 20 else ""),
            code="bad_file",
            fields={"fil": exc.problems},
        ) from exc
    today = clock.today()
    year = school_year_on(municipality_id=school.municipality_id, day=today)
    start, end = (year.start_date, year.end_date) if year else (today, today + dt.timedelta(days=300))
    staff = _school_staff_by_name(school=school, day=today)
    teacher_of = {t: staff.get(" ".join(t.lower().split())) for t in data.teachers}
    unmatched = sorted(
        t for t, e in teacher_of.items() if e is None and any(t in r.teachers for r in data.requirements)
    )
    names = subject_names()
    by_name = {n.lower(): c for c, n in names.items()}
    with transaction.atomic():
        version = version_create(
            school_id=school.pk,
            name=(name.strip() or _("Import fra %(source)s: %(name)s") % {"source": data.source, "name": data.name})[
                :120
            ],
            valid_from=start,
            valid_to=end,
            school_year_id=year.id if year else 0,
            school_year_name=year.name if year else "",
            user=user,
            with_default_day=False,
        )
        version.days_per_week = len(data.days)
        Period.objects.bulk_create(
            [
                Period(version=version, position=i + 1, label=p.label, start_time=p.start, end_time=p.end)
                for i, p in enumerate(data.periods)
            ]
        )
        known = {g.name.lower(): g.id for g in timetable_groups(school_id=school.pk, day=today)}
        unit_of: dict[str, int] = {}
        new_groups: list[str] = []
        for index, group_name in enumerate(data.groups):
            if group_name.lower() in known:
                unit_of[group_name] = known[group_name.lower()]
                continue
            unit = orgunit_create(
                municipality=school.municipality,
                kind=OrgUnitKind.GROUP,
                code=f"timeplan-{version.pk}-{index + 1}",
                name=group_name[:200] or "?",
                valid_from=start,
                valid_to=end,
                parent=school,
            )
            unit_of[group_name] = unit.pk
            new_groups.append(group_name)
        rooms = {r.code.lower(): r for r in Room.objects.filter(school=school)}
        rooms |= {r.name.lower(): r for r in Room.objects.filter(school=school)}
        room_of: dict[str, Room] = {}
        new_rooms: list[str] = []
        for room_name, capacity in data.rooms:
            room = rooms.get(room_name.lower())
            if room is None:
                code = room_name[:40]
                suffix = 2
                while Room.objects.filter(school=school, code=code).exists():
                    code = f"{room_name[:36]}-{suffix}"
                    suffix += 1
                room = Room.objects.create(
                    school=school,
                    code=code,
                    name=room_name[:120],
                    capacity=min(capacity, 999),
                    kind=data.room_kinds.get(room_name, RoomKind.CLASSROOM),
                )
                rooms[room_name.lower()] = room
                new_rooms.append(room_name)
            room_of[room_name] = room
        per_day: dict[tuple[int, int], int] = defaultdict(int)
        for pl in data.placements:
            per_day[(pl.requirement, pl.day)] += pl.length
        created: list[Requirement] = []
        for index, ireq in enumerate(data.requirements):
            hours = sum(ireq.lengths)
            most_in_a_day = max((n for (r, _d), n in per_day.items() if r == index), default=0)
            req = Requirement.objects.create(
                version=version,
                subject_code=_subject_code(ireq.subject, by_name, set(names)),
                subject_name=ireq.subject[:200] or "?",
                group_id=unit_of[ireq.groups[0]],
                hours_per_week=hours,
                double_lessons=ireq.lengths.count(2),
                max_per_day=max(*ireq.lengths, -(-hours // len(data.days)), most_in_a_day),
                room_kind=ireq.room_kind,
            )
            req.classes.set([unit_of[c] for c in ireq.classes])
            req.teachers.set(sorted({e for t in ireq.teachers if (e := teacher_of.get(t)) is not None}))
            created.append(req)
        Lesson.objects.bulk_create(
            [
                Lesson(
                    version=version,
                    requirement=created[pl.requirement],
                    day=pl.day,
                    position=pl.period + 1,
                    length=pl.length,
                    room=room_of.get(pl.room),
                    locked=pl.locked,
                )
                for pl in data.placements
            ]
        )
        Unavailability.objects.bulk_create(
            [
                Unavailability(version=version, teacher_id=employee, day=day, position=period + 1)
                for teacher, day, period in dict.fromkeys(data.unavailable)
                if (employee := teacher_of.get(teacher)) is not None
            ]
            + [
                Unavailability(version=version, room=room_of[room], day=day, position=period + 1)
                for room, day, period in dict.fromkeys(data.room_unavailable)
                if room in room_of
            ]
        )
        matched = sorted({e for e in teacher_of.values() if e is not None})
        TeacherFrame.objects.bulk_create(
            [
                TeacherFrame(
                    version=version,
                    teacher_id=employee,
                    frame_hours=sum(r.hours_per_week for r in created if employee in {t.pk for t in r.teachers.all()}),
                )
                for employee in matched
            ]
        )
        version.import_report = {
            "source": data.source,
            "file": filename[:200],
            "requirements": len(created),
            "lessons": len(data.placements),
            "matched_teachers": len(matched),
            "unmatched_teachers": unmatched,
            "new_groups": new_groups,
            "new_rooms": new_rooms,
            "notes": data.notes,
        }
        version.save(update_fields=["days_per_week", "import_report"])
        audit_record(
            action="create",
            event="timetable.version.import",
            object_type="timetable.TimetableVersion",
            object_id=version.pk,
            details={"source": data.source, "file": filename[:200], "requirements": len(created)},
        )
    return ImportResult(version=version, unmatched_teachers=unmatched, new_groups=new_groups, new_rooms=new_rooms)


# --- The version's data, maintained by hand (requirements, frames, unavailable times, periods, rooms) -----------

DATA_KINDS = ("timekrav", "rammer", "utilgjengelig", "skoledagen", "rom", "uke", "blokker")


def _version_for_data(*, user: Actor, version_id: int, kind: str) -> TimetableVersion:
    version = access_object(
        user=user,
        queryset=TimetableVersion.objects.select_related("school"),
        id=version_id,
        action="timetable.version.manage",
    )
    if kind != "rom":  # rooms belong to the school, not to a version
        _editable(version)
    return version


def version_data_save(*, user: Actor, version_id: int, kind: str, form: ModelForm[Any]) -> Model:
    """Save a valid form of the version's data (``kind`` one of ``DATA_KINDS``); refused on a published version."""
    version = _version_for_data(user=user, version_id=version_id, kind=kind)
    if kind not in DATA_KINDS or not form.is_valid():
        raise DomainError(_("Skjemaet har feil."), code="invalid")
    created = form.instance.pk is None
    members: list[Requirement] = []
    if kind == "blokker":
        members = list(
            Requirement.objects.filter(version=version, pk__in=[r.pk for r in form.cleaned_data["requirements"]])
            .select_related("group", "block")
            .prefetch_related("teachers__person")
        )
        problems = parallel_block_problems(requirements=members, block_id=form.instance.pk)
        if problems or len(members) != len(form.cleaned_data["requirements"]):
            raise DomainError(" ".join(problems) or _("Skjemaet har feil."), code="invalid_block")
    with transaction.atomic():
        obj = form.save(commit=False)
        if kind == "rom":
            obj.school = version.school
        elif kind != "uke":
            obj.version = version
        obj.save()
        form.save_m2m()
        if kind == "blokker":
            assert isinstance(obj, ParallelBlock)
            Requirement.objects.filter(block=obj).exclude(pk__in=[r.pk for r in members]).update(block=None)
            Requirement.objects.filter(pk__in=[r.pk for r in members]).update(block=obj)
        if kind == "timekrav":
            assert isinstance(obj, Requirement)
            groups = {g.id: g for g in timetable_groups(school_id=version.school_id, day=clock.today())}
            found = groups.get(obj.group_id)
            obj.classes.set(
                list(found.class_ids) if found and found.kind != "class" and found.class_ids else [obj.group_id]
            )
        audit_record(
            action="create" if created else "update",
            event=f"timetable.data.{kind}.save",
            person_ids=[t.person_id for t in obj.teachers.all()]
            if isinstance(obj, Requirement)
            else sorted({t.person_id for r in members for t in r.teachers.all()}),
            object_type=f"timetable.{type(obj).__name__}",
            object_id=obj.pk,
        )
    return obj


def version_data_delete(*, user: Actor, version_id: int, kind: str, obj: Model) -> None:
    """Delete one row of the version's data; a period with lessons placed in it is refused."""
    version = _version_for_data(user=user, version_id=version_id, kind=kind)
    if isinstance(obj, Period) and version.lessons.filter(position=obj.position).exists():
        raise DomainError(
            _("Det ligger timer i denne timen. Flytt dem eller generer på nytt før du sletter den."), code="in_use"
        )
    if isinstance(obj, Room) and Lesson.objects.filter(room=obj, version__status=VersionStatus.PUBLISHED).exists():
        raise DomainError(_("Rommet brukes i en publisert timeplan og kan ikke slettes."), code="in_use")
    with transaction.atomic():
        object_type, object_id = f"timetable.{type(obj).__name__}", obj.pk
        obj.delete()
        audit_record(
            action="delete", event=f"timetable.data.{kind}.delete", object_type=object_type, object_id=object_id
        )
