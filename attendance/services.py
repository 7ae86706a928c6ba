"""Writes for attendance: absence reports ("sykt barn"), check-in/out taps, missing-arrival alerts."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, NoReturn

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from attendance import selectors
from attendance.models import (
    AbsenceKind,
    AbsenceReport,
    AbsenceSource,
    AttendanceEvent,
    CheckKind,
    MissingArrival,
    UnitAttendanceSettings,
)
from oas import clock
from oas.access.evaluation import has_action
from oas.access.getters import access_child, access_unit
from oas.access.principal import principal_for
from oas.access.privacy import child_placements_view
from oas.access.relations import ChildRight, relation_active_q, relation_q, user_has_child_right
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import PermissionDenied, ValidationError
from oas.organisation.models import OrgUnit
from oas.people.models import Person, PersonRelation, Placement
from oas.periods import DATED, active_on

if TYPE_CHECKING:
    from oas.access.principal import Actor

logger = logging.getLogger(__name__)

MAX_ABSENCE_DAYS = 366
# Planned leave from school: at most this many school days at a time (opplæringslova § 2-2, rules §8.4).
MAX_SCHOOL_LEAVE_DAYS = 10
SCHOOL_LEAVE_KINDS = frozenset({AbsenceKind.PLANNED, AbsenceKind.HOLIDAY})
IDEMPOTENCY_KEY_MAX = 64
CHECK_KINDS = frozenset(CheckKind.values)


@dataclass(frozen=True)
class AbsenceResult:
    report: AbsenceReport
    unit_names: list[str]


def _acting_person_id(user: Actor) -> int | None:
    account = getattr(user, "account", None)
    return getattr(account, "person_id", None)


def absence_report(
    *,
    user: Actor,
    child_id: int | str,
    kind: str = AbsenceKind.SICK,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    until_further_notice: bool = False,
    note: str = "",
) -> AbsenceResult:
    """Report a child absent from ``start_date`` (today) to ``end_date``; one report reaches every unit."""
    child = access_child(user=user, id=child_id, action="attendance.absence.report", audit_event="")
    if (
        until_further_notice
        and principal_for(user).kind == "guardian"
        and not user_has_child_right(user=user, child_id=child.pk, right=ChildRight.RESIDENCE)
    ):
        # Barneloven § 37: long-term absence is a decision for the parent the child lives with.
        raise PermissionDenied(
            _("Fravær inntil videre kan bare meldes av den barnet bor fast hos."), code="not_resident_parent"
        )
    today = clock.today()
    start = start_date or today
    errors: dict[str, list[str]] = {}
    if kind not in AbsenceKind.values:
        errors["kind"] = [_("Ukjent type fravær.")]
    if start < today:
        errors["start_date"] = [_("Fravær kan ikke meldes tilbake i tid.")]
    end = None if until_further_notice else (end_date if end_date is not None else start)
    if end is not None and end < start:
        errors["end_date"] = [_("Sluttdato kan ikke være før startdato.")]
    if end is not None and (end - start).days > MAX_ABSENCE_DAYS:
        errors["end_date"] = [_("Fraværet kan vare høyst ett år; bruk «inntil videre».")]
    if len(note) > 300:
        errors["note"] = [_("Merknaden kan være høyst 300 tegn.")]
    if not errors and kind in SCHOOL_LEAVE_KINDS:
        _school_leave_check(child_id=child.pk, start=start, end=end, errors=errors)
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], fields=errors)
    # Unit names as this user may see them: a strengt fortrolig child's unit stays hidden (privacy layer).
    units = [
        p.unit_name
        for p in child_placements_view(user=user, child=child)
        if p.start_date <= start and (p.end_date is None or p.end_date >= start)
    ]
    with transaction.atomic():
        report = AbsenceReport(
            child=child,
            kind=kind,
            start_date=start,
            end_date=end,
            note=note.strip(),
            reported_by_id=_acting_person_id(user),
            reported_by_user_id=getattr(user, "pk", None),
            reported_at=clock.now(),
            source=AbsenceSource.GUARDIAN if principal_for(user).kind == "guardian" else AbsenceSource.STAFF,
        )
        report.full_clean()
        report.save()
        if start == today:
            MissingArrival.objects.filter(child=child, day=today, resolved_at__isnull=True).update(
                resolved_at=clock.now()
            )
        audit_record(
            action=AuditAction.CREATE,
            event="attendance.absence.report",
            person_ids=[child.pk],
            object_type="attendance.AbsenceReport",
            object_id=report.pk,
            details={"kind": kind, "start": start.isoformat(), "end": end.isoformat() if end else None, "units": units},
        )
    return AbsenceResult(report=report, unit_names=units)


def absence_mark(
    *, user: Any, unit_id: int, child_id: int, kind: str = AbsenceKind.SICK, note: str = ""
) -> AbsenceReport:
    """Mark a child absent or sick today from the krysseliste of ``unit_id``, as a guardian's report would.

    The user may check children in at the unit (else 404 and an audit row) and the child has a check-in placement
    there today. A child already reported absent today, or checked in right now, is refused (nothing written).
    """
    unit = access_unit(user=user, id=unit_id, action="attendance.checkin")
    errors: dict[str, list[str]] = {}
    if kind not in AbsenceKind.values:
        errors["kind"] = [_("Ukjent type fravær.")]
    if len(note) > 300:
        errors["note"] = [_("Merknaden kan være høyst 300 tegn.")]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], fields=errors)
    now = clock.now()
    today = now.astimezone(clock.OSLO).date()
    with transaction.atomic():
        placement = selectors.checkin_placement(child_id=child_id, unit=unit, day=today, lock=True)
        if placement is not None:
            return _absence_mark_placed(user=user, placement=placement, kind=kind, note=note, now=now)
    # Outside the transaction: the refusal's audit row stays.
    _not_placed(child_id=child_id, unit_id=unit.pk)


def _absence_mark_placed(*, user: Any, placement: Placement, kind: str, note: str, now: dt.datetime) -> AbsenceReport:
    """Write the staff's absence for a placed child whose placement this transaction has locked."""
    child_id, today = placement.child_id, now.astimezone(clock.OSLO).date()
    if selectors.absences_covering(child_ids=[child_id], day=today):
        raise ValidationError(
            _("Barnet er allerede meldt fraværende i dag."),
            code="already_absent",
            fields={"child_id": [_("Allerede meldt fraværende.")]},
        )
    if selectors.current_state(child_id=child_id, unit_id=placement.unit_id, day=today) == CheckKind.IN:
        raise ValidationError(
            _("Barnet er krysset inn. Kryss barnet ut før du melder fravær."),
            code="checked_in",
            fields={"child_id": [_("Krysset inn.")]},
        )
    report = AbsenceReport(
        child_id=child_id,
        kind=kind,
        start_date=today,
        end_date=today,
        note=note.strip(),
        reported_by_id=_acting_person_id(user),
        reported_by_user_id=getattr(user, "pk", None),
        reported_at=now,
        source=AbsenceSource.STAFF,
    )
    report.full_clean(exclude=["child", "reported_by"])
    report.save()
    MissingArrival.objects.filter(child_id=child_id, day=today, resolved_at__isnull=True).update(resolved_at=now)
    audit_record(
        action=AuditAction.CREATE,
        event="attendance.absence.mark",
        person_ids=[child_id],
        object_type="attendance.AbsenceReport",
        object_id=report.pk,
        details={"kind": kind, "unit": placement.unit_id, "day": today.isoformat()},
    )
    return report


def _not_placed(*, child_id: int, unit_id: int) -> NoReturn:
    """Refuse a child without a check-in placement in the unit today (audited; says nothing more about the child)."""
    audit_record(
        action=AuditAction.DENIED,
        event="attendance.checkin.not_placed",
        person_ids=[child_id] if Person.objects.filter(pk=child_id).exists() else [],
        object_type="organisation.OrgUnit",
        object_id=unit_id,
    )
    raise ValidationError(
        _("Barnet har ikke plass i denne enheten i dag."),
        code="not_placed",
        fields={"child_id": [_("Ikke plassert her.")]},
    )


def _school_leave_check(*, child_id: int, start: dt.date, end: dt.date | None, errors: dict[str, list[str]]) -> None:
    """Refuse planned absence (holiday, other planned leave) of more than 10 school days for a pupil.

    Opplæringslova § 2-2 (rules §8.4): the school may give leave from grunnskoleopplæring for up to 10 school days
    at a time; longer leave needs an application and the school's decision, which OAS does not handle yet. So a
    guardian's own report stops at the limit, and "until further notice" is no planned leave for a pupil.
    """
    last = end if end is not None else start + dt.timedelta(days=MAX_ABSENCE_DAYS)
    days = selectors.school_days_absent(child_id=child_id, start=start, end=last, stop_after=MAX_SCHOOL_LEAVE_DAYS)
    if days > MAX_SCHOOL_LEAVE_DAYS:
        message = _(
            "Planlagt fravær fra skolen kan vare høyst %(days)s skoledager om gangen. For lengre permisjon må du "
            "søke skolen."
        ) % {"days": MAX_SCHOOL_LEAVE_DAYS}
        errors["end_date"] = [message]


def absence_cancel(*, user: Actor, report_id: int | str) -> AbsenceReport:
    """Withdraw an absence report (e.g. the child got well); the days already passed stay reported."""
    report = AbsenceReport.objects.select_related("child").filter(pk=report_id, cancelled_at__isnull=True).first()
    if report is None or not has_action(user=user, action="attendance.absence.report", target=report.child):
        audit_record(
            action=AuditAction.DENIED,
            event="attendance.absence.report.denied",
            person_ids=[report.child_id] if report else [],
            object_type="attendance.AbsenceReport",
            object_id=str(report_id)[:64],
        )
        raise ValidationError(_("Fant ikke fraværsmeldingen."), code="not_found")
    today = clock.today()
    with transaction.atomic():
        if report.start_date >= today:
            report.cancelled_at = clock.now()
            report.save(update_fields=["cancelled_at"])
        else:
            # The days already passed stay absent; the report ends yesterday.
            report.end_date = today - dt.timedelta(days=1)
            report.save(update_fields=["end_date"])
        audit_record(
            action=AuditAction.UPDATE,
            event="attendance.absence.cancel",
            person_ids=[report.child_id],
            object_type="attendance.AbsenceReport",
            object_id=report.pk,
        )
    return report


@dataclass(frozen=True)
class CheckResult:
    child_id: int
    unit_id: int
    kind: str
    at: dt.datetime
    duplicate: bool


def attendance_check(*, user: Actor, unit_id: int, child_id: int, kind: str, key: str) -> CheckResult:
    """Check a child in or out of a unit; a replayed key or a repeated tap changes nothing.

    The unit is one the user may check children in (else 404 and an audit row), the child has a check-in
    placement there (the kindergarten or SFO, or a department as its group). Two taps for one child are decided
    one after the other: the first takes a row lock on the child's placement, the second waits for its commit and
    then sees its tap. ``key`` is the tablet's idempotency key (unique): a replay returns the first tap.
    """
    key = _check_fields(kind=kind, key=key)
    unit = access_unit(user=user, id=unit_id, action="attendance.checkin")
    now = clock.now()
    today = now.astimezone(clock.OSLO).date()
    with transaction.atomic():
        placement = selectors.checkin_placement(child_id=child_id, unit=unit, day=today, lock=True)
        if placement is not None:
            return _attendance_record(user=user, placement=placement, kind=kind, key=key, now=now)
    # Outside the transaction: the refusal's audit row stays.
    return _replayed_or_not_placed(key=key, child_id=child_id, unit_id=unit.pk)


def _attendance_record(*, user: Actor, placement: Placement, kind: str, key: str, now: dt.datetime) -> CheckResult:
    """Record the tap of a placed child whose lock this transaction holds (or see it is a replay or double tap)."""
    child_id, today = placement.child_id, now.astimezone(clock.OSLO).date()
    # One read after the lock: the tap with this key if it exists (a replay), else the child's last tap today.
    last = selectors.replayed_or_last_tap(key=key, child_id=child_id, unit_id=placement.unit_id, day=today)
    if last is not None and last.key == key:  # the tablet replays a tap it had sent
        if last.child_id != child_id:  # not this child's tap: say nothing about it
            raise _key_conflict()
        return CheckResult(last.child_id, last.unit_id, last.kind, last.at, duplicate=True)
    state = last.kind if last is not None else None
    if (state or CheckKind.OUT) == kind:  # a double tap: the child is in that state already
        return CheckResult(child_id, placement.unit_id, kind, now, duplicate=True)
    event = AttendanceEvent(
        child_id=child_id,
        unit_id=placement.unit_id,
        day=today,
        kind=kind,
        at=now,
        key=key,
        user_id=getattr(user, "pk", None),
    )
    # The child, the unit and the key were checked above (and the key is unique in the database too).
    event.full_clean(exclude=["child", "unit"], validate_unique=False, validate_constraints=False)
    event.save()
    if kind == CheckKind.IN:
        MissingArrival.objects.filter(
            child_id=child_id, unit_id=placement.unit_id, day=today, resolved_at__isnull=True
        ).update(resolved_at=now)
    audit_record(
        action=AuditAction.CREATE,
        event=f"attendance.check_{kind}",
        person_ids=[child_id],
        object_type="attendance.AttendanceEvent",
        object_id=event.pk,
    )
    return CheckResult(child_id, placement.unit_id, kind, now, duplicate=False)


def _check_fields(*, kind: str, key: str) -> str:
    """The tap's key, stripped; ValidationError for an unknown kind or a missing or too long key."""
    if kind not in CHECK_KINDS:
        raise ValidationError(_("Ukjent registrering."), fields={"kind": [_("Bruk «in» eller «out».")]})
    key = (key or "").strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError(_("Mangler idempotensnøkkel."), fields={"key": [_("Oppgi en nøkkel (høyst 64 tegn).")]})
    return key


def _replayed_or_not_placed(*, key: str, child_id: int, unit_id: int) -> CheckResult:
    """A replayed key of this child (the placement may have ended since), or a child not placed: audited, refused."""
    existing = AttendanceEvent.objects.filter(key=key, child_id=child_id).first()
    if existing is not None:
        return CheckResult(existing.child_id, existing.unit_id, existing.kind, existing.at, duplicate=True)
    _not_placed(child_id=child_id, unit_id=unit_id)


def _key_conflict() -> ValidationError:
    """The key belongs to another child's tap (a client bug, or a guess): refuse without telling about it."""
    return ValidationError(
        _("Nøkkelen er brukt for en annen registrering."),
        code="key_conflict",
        fields={"key": [_("Lag en ny nøkkel for hver registrering.")]},
    )


def attendance_settings_set(
    *, unit: OrgUnit, expected_by: dt.time, notify_guardians: bool = True
) -> UnitAttendanceSettings:
    """Set the time by which the unit's expected children should be checked in or reported absent."""
    row, _created = UnitAttendanceSettings.objects.update_or_create(
        unit=unit, defaults={"expected_by": expected_by, "notify_guardians": notify_guardians}
    )
    return row


def _guardian_emails(child_id: int, day: dt.date) -> list[str]:
    # The kernel relation policy: the e-mail names the unit, so only adults who may learn it.
    return [
        email
        for email in PersonRelation.objects.filter(
            relation_active_q(on=day), relation_q(right=ChildRight.WHEREABOUTS), child_id=child_id
        ).values_list("adult__email", flat=True)
        if email
    ]


def missing_arrivals_check() -> int:
    """Flag children expected now, not checked in and not reported absent; notify guardians; return how many."""
    local = clock.local_now()
    day = local.date()
    if not selectors.is_expected_day(day):
        return 0  # a weekend or a public holiday
    created = 0
    due = list(UnitAttendanceSettings.objects.filter(expected_by__lte=local.time()).select_related("unit"))
    closed = selectors.closures_on(units=[setting.unit for setting in due], day=day)
    for setting in due:
        unit = setting.unit
        if unit.pk in closed:
            continue  # a closing day of the unit, a unit above it or the whole municipality
        closed_paths = tuple(selectors.closed_subunit_paths(unit=unit, day=day))
        child_ids = {
            child_id
            for child_id, group_path in Placement.objects.filter(
                active_on(day, fields=DATED), unit=unit, service__in=selectors.CHECKIN_SERVICES
            ).values_list("child_id", "group__path")
            if not (closed_paths and group_path and group_path.startswith(closed_paths))
        }
        checked = set(AttendanceEvent.objects.filter(unit=unit, day=day).values_list("child_id", flat=True))
        absent = set(selectors.absences_covering(child_ids=list(child_ids), day=day))
        flagged = set(MissingArrival.objects.filter(unit=unit, day=day).values_list("child_id", flat=True))
        for child_id in sorted(child_ids - checked - absent - flagged):
            with transaction.atomic():
                row, was_created = MissingArrival.objects.get_or_create(
                    child_id=child_id, unit=unit, day=day, defaults={"created_at": clock.now()}
                )
                if not was_created:
                    continue
                emails = _guardian_emails(child_id, day) if setting.notify_guardians else []
                if emails:
                    # messaging/public.py has no sending API yet: plain e-mail through Django.
                    subject = _("%(unit)s: barnet ditt er ikke registrert i dag") % {"unit": unit.name}
                    body = _(
                        "Barnet er ikke krysset inn og ikke meldt fraværende i dag. "
                        "Meld fravær i foresattportalen eller kontakt %(unit)s."
                    ) % {"unit": unit.name}
                    transaction.on_commit(partial(send_mail, subject, body, settings.DEFAULT_FROM_EMAIL, emails))
                row.guardians_notified = len(emails)
                row.save(update_fields=["guardians_notified"])
                audit_record(
                    action=AuditAction.CREATE,
                    event="attendance.missing_arrival",
                    person_ids=[child_id],
                    object_type="attendance.MissingArrival",
                    object_id=row.pk,
                    details={"unit": unit.pk, "notified": len(emails)},
                )
                created += 1
    return created
