"""Writes for attendance: absence reports ("sykt barn"), check-in/out taps, missing-arrival alerts."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _
from psycopg.types.json import Jsonb

from attendance import selectors
from attendance.models import (
    AbsenceKind,
    AbsenceReport,
    AttendanceEvent,
    CheckKind,
    MissingArrival,
    UnitAttendanceSettings,
)
from attendance.tokens import TapGrant, tap_token_stale
from oas import clock
from oas.access.evaluation import has_action
from oas.access.getters import access_child, access_unit
from oas.access.principal import principal_for
from oas.access.privacy import child_placements_view
from oas.access.relations import ChildRight, relation_active_q, relation_q, user_has_child_right
from oas.audit.models import AuditAction
from oas.audit.services import audit_record, audit_values
from oas.db import prepared_cursor
from oas.errors import PermissionDenied, ValidationError
from oas.organisation.models import OrgUnit
from oas.people.models import Person, PersonRelation, Placement

logger = logging.getLogger(__name__)

MAX_ABSENCE_DAYS = 366
IDEMPOTENCY_KEY_MAX = 64
CHECK_KINDS = frozenset(CheckKind.values)


@dataclass(frozen=True)
class AbsenceResult:
    report: AbsenceReport
    unit_names: list[str]


def _acting_person_id(user: Any) -> int | None:
    account = getattr(user, "account", None)
    return getattr(account, "person_id", None)


def absence_report(
    *,
    user: Any,
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


def absence_cancel(*, user: Any, report_id: int | str) -> AbsenceReport:
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


def _check_fields(*, kind: str, key: str) -> str:
    """The tap's key, stripped; ValidationError for an unknown kind or a missing or too long key."""
    if kind not in CHECK_KINDS:
        raise ValidationError(_("Ukjent registrering."), fields={"kind": [_("Bruk «in» eller «out».")]})
    key = (key or "").strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError(_("Mangler idempotensnøkkel."), fields={"key": [_("Oppgi en nøkkel (høyst 64 tegn).")]})
    return key


def attendance_check(*, user: Any, unit_id: int | str, child_id: int | str, kind: str, key: str) -> CheckResult:
    """Check a child in or out of a unit; a replayed key or a repeated tap changes nothing.

    The common case is one prepared statement, one round trip (``_attendance_record``): the database function
    ``attendance_check_tap`` (migration 0004) authorises (the access layer's scope for ``attendance.checkin``
    from ``selectors``), finds the placement and locks the child's taps; then, with the lock held (so a concurrent
    tap for the same child is seen), it finds the placement again, reads the child's state and the key, inserts
    the tap unless it is a replay or repeats the state, resolves the missing-arrival alert on an arrival and
    writes the audit row. The tablet taps this all day: keep it lean.
    """
    key = _check_fields(kind=kind, key=key)
    unit_pk, child_pk = _int_or_zero(unit_id), _int_or_zero(child_id)
    now = clock.now()
    today = now.astimezone(clock.OSLO).date()
    result: CheckResult | None = None
    placed: tuple[int, int] | None = None
    decision = selectors.checkin_decision_params(user=user, child_id=child_pk, unit_id=unit_pk, day=today)
    if decision is not None:
        placed, result = _attendance_record(
            user_id=getattr(user, "pk", None), decision=decision, kind=kind, key=key, now=now
        )
    if result is not None:
        return result
    if placed is not None:
        return _replay_race(key=key, placed=placed)
    # The rare paths: a unit the user may not use (404 and an audit row), a replayed key, a child not placed.
    unit = access_unit(user=user, id=unit_id, action="attendance.checkin")
    return _replayed_or_not_placed(key=key, child_pk=child_pk, unit_pk=unit.pk)


def attendance_check_granted(
    *, grant: TapGrant, unit_id: int | str, child_id: int | str, kind: str, key: str
) -> CheckResult:
    """Check a child in or out with a tap token's grant (``attendance.tokens``) instead of a session.

    As ``attendance_check``, in the same one round trip; the statements also check that the grant still holds
    (account active, access epoch unchanged). The grant covers its own unit only (403 for another) and its own
    day; a grant that no longer holds is ``TapTokenRejected`` (401: the tablet fetches a new token and resends).
    The caller has put the grant's audit context in place (``attendance.tap``).
    """
    key = _check_fields(kind=kind, key=key)
    unit_pk, child_pk = _int_or_zero(unit_id), _int_or_zero(child_id)
    if unit_pk != grant.unit_id:
        raise PermissionDenied(
            _("Tilgangen gjelder krysselisten til en annen enhet."),
            code="wrong_unit",
            fields={"unit_id": [_("Ikke enheten til denne krysselisten.")]},
        )
    now = clock.now()
    today = now.astimezone(clock.OSLO).date()
    if grant.day != today:
        raise tap_token_stale()
    decision = selectors.checkin_grant_params(grant=grant, child_id=child_pk, day=today)
    placed, result = _attendance_record(user_id=grant.user_id, decision=decision, kind=kind, key=key, now=now)
    if result is not None:
        return result
    if placed is not None:
        return _replay_race(key=key, placed=placed)
    if not selectors.tap_grant_holds(grant=grant):
        raise tap_token_stale()
    return _replayed_or_not_placed(key=key, child_pk=child_pk, unit_pk=grant.unit_id)


def _replay_race(*, key: str, placed: tuple[int, int]) -> CheckResult:
    """A replay of this key committed between the two statements (the key was free, the insert conflicted)."""
    other = AttendanceEvent.objects.get(key=key)
    if other.child_id != placed[0]:
        raise _key_conflict()
    return CheckResult(other.child_id, other.unit_id, other.kind, other.at, duplicate=True)


def _replayed_or_not_placed(*, key: str, child_pk: int, unit_pk: int) -> CheckResult:
    """A replayed key of this child (the placement may have ended since), or a child not placed: audited, refused."""
    existing = AttendanceEvent.objects.filter(key=key, child_id=child_pk).first()
    if existing is not None:
        return CheckResult(existing.child_id, existing.unit_id, existing.kind, existing.at, duplicate=True)
    audit_record(
        action=AuditAction.DENIED,
        event="attendance.checkin.not_placed",
        person_ids=[child_pk] if Person.objects.filter(pk=child_pk).exists() else [],
        object_type="organisation.OrgUnit",
        object_id=unit_pk,
    )
    raise ValidationError(
        _("Barnet har ikke plass i denne enheten i dag."),
        code="not_placed",
        fields={"child_id": [_("Ikke plassert her.")]},
    )


def _key_conflict() -> ValidationError:
    """The key belongs to another child's tap (a client bug, or a guess): refuse without telling about it."""
    return ValidationError(
        _("Nøkkelen er brukt for en annen registrering."),
        code="key_conflict",
        fields={"key": [_("Lag en ny nøkkel for hver registrering.")]},
    )


def _int_or_zero(value: int | str) -> int:
    """The id as a database id (bigint), or 0 (no row has it) for anything else."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0


# The tap: one prepared statement calling the database function of migration 0004 (the lock on the child, then
# the write with a snapshot that sees a concurrent tap), in its own implicit transaction. Arguments in the
# function's order: the placement and access parameters (``selectors``), the tap, and the audit row's columns
# (from ``audit_values``; the object id is the new tap's id).
_CHECK_TAP_ARGUMENTS = (
    "lock_class::integer", "unit::bigint", "child::bigint", "services::text[]", "day::date", "everywhere::boolean",
    "prefixes::text[]", "grant_user::integer", "grant_epoch::bigint", "kind::text", "at::timestamptz", "key::text",
    "user::integer", "arrival::boolean", "a_at::timestamptz", "a_user_id::bigint", "a_actor_display::text",
    "a_acting_role::text", "a_action::text", "a_event::text", "a_person_ids::bigint[]", "a_object_type::text",
    "a_ip::text", "a_session_ref::text", "a_path::text", "a_method::text", "a_details::jsonb",
)  # fmt: skip
_CHECK_TAP = "SELECT * FROM attendance_check_tap({})".format(  # noqa: S608 - fixed names, no input
    ", ".join("%({})s::{}".format(*argument.split("::")) for argument in _CHECK_TAP_ARGUMENTS)
)


def _attendance_record(
    *, user_id: int | None, decision: dict[str, Any], kind: str, key: str, now: dt.datetime
) -> tuple[tuple[int, int] | None, CheckResult | None]:
    """Lock the child's taps and record the tap: one statement, one round trip (``attendance_check_tap``).

    Returns the placement's (child, unit) ids (None: not placed in a unit the user may use) and the result (None
    when a concurrent replay of the key won). The function takes the child's lock and then writes with a
    snapshot that sees a concurrent tap for the same child.
    """
    child_id = int(decision["child"])
    audit = audit_values(
        action=AuditAction.CREATE,
        event=f"attendance.check_{kind}",
        person_ids=[child_id],
        object_type="attendance.AttendanceEvent",
    )
    params: dict[str, Any] = {
        **decision,
        "kind": kind,
        "at": now,
        "key": key,
        "user": user_id,
        "arrival": kind == CheckKind.IN,
        **{f"a_{column}": value for column, value in audit.items() if column != "object_id"},
    }
    params["a_details"] = Jsonb(params["a_details"])
    with prepared_cursor() as cursor:
        cursor.execute(_CHECK_TAP, params)
        written = cursor.fetchone()
    assert written is not None
    locked_child, locked_unit, still_placed, new_id, state, *taken = written
    if locked_child is None or still_placed is None:  # not placed (or the placement ended after the lock)
        return None, None
    placed = (int(locked_child), int(locked_unit))
    if taken[0] is not None:  # the key was used before: the tablet replays a tap it had sent
        if taken[0] != child_id:  # not this child's tap: say nothing about it
            raise _key_conflict()
        return placed, CheckResult(taken[0], taken[1], taken[2], taken[3], duplicate=True)
    if new_id is not None:
        return placed, CheckResult(placed[0], placed[1], kind, now, duplicate=False)
    if (state or CheckKind.OUT) == kind:  # a double tap: the child is in that state already
        return placed, CheckResult(placed[0], placed[1], kind, now, duplicate=True)
    return placed, None


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
                selectors.active_on(day), unit=unit, service__in=selectors.CHECKIN_SERVICES
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
