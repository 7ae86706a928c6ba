"""Notifications: one row per (person, key), one delivery per channel, fan-out in batches; quiet hours.

Notifications never carry message content — only that something waits and where (sensitive messages
therefore never travel by e-mail or SMS). A person without contact details becomes a task for the unit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from integrations.public import Claim, Leased, lease_bury_abandoned, lease_claim, lease_due_ids, publish_or_raise
from messaging.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    MessagingSettings,
    MissingContactTask,
    Notification,
    NotificationPreference,
    PushSubscription,
    StaffChannel,
    WorkingHours,
    _quiet_hours_valid,
)
from oas import clock
from oas.access.principal import Actor, principal_for
from oas.errors import NotFound, ValidationError
from oas.identity.models import AccountKind
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Employee, Employment, Person
from oas.periods import active_on

logger = logging.getLogger(__name__)
BATCH_SIZE = 500
DEFAULT_QUIET_START = dt.time(21, 0)
DEFAULT_QUIET_END = dt.time(7, 0)
WEEKDAYS = range(5)
# Default working hours from the employment: kindergartens and SFO follow their opening hours.
DEFAULT_HOURS = (dt.time(8, 0), dt.time(16, 0))
DEFAULT_HOURS_BY_KIND: dict[str, tuple[dt.time, dt.time]] = {
    OrgUnitKind.KINDERGARTEN: (dt.time(7, 0), dt.time(16, 30)),
    OrgUnitKind.SFO: (dt.time(7, 30), dt.time(16, 30)),
}


def default_working_hours(*, person_ids: Iterable[int]) -> dict[int, list[tuple[int, dt.time, dt.time]]]:
    """Working hours staff have until they set their own: Monday–Friday, from their current employment."""
    today = clock.today()
    rows = (
        Employment.objects.filter(active_on(today), employee__person_id__in=list(person_ids))
        .values_list("employee__person_id", "unit__kind")
        .order_by("employee__person_id", "-percentage", "pk")
    )
    out: dict[int, list[tuple[int, dt.time, dt.time]]] = {}
    for pid, kind in rows:
        if pid in out:
            continue  # the main (largest) employment decides
        start, end = DEFAULT_HOURS_BY_KIND.get(kind, DEFAULT_HOURS)
        out[pid] = [(d, start, end) for d in WEEKDAYS]
    return out


def working_hours_of(*, person_ids: Iterable[int]) -> dict[int, list[tuple[int, dt.time, dt.time]]]:
    """Each staff member's working periods: their own, or the default from their employment."""
    ids = list(person_ids)
    hours: dict[int, list[tuple[int, dt.time, dt.time]]] = {}
    for pid, weekday, start, end in WorkingHours.objects.filter(person_id__in=ids).values_list(
        "person_id", "weekday", "start", "end"
    ):
        hours.setdefault(pid, []).append((weekday, start, end))
    missing = [pid for pid in ids if pid not in hours]
    if missing:
        hours.update(default_working_hours(person_ids=missing))
    return hours


def guardian_quiet_hours(*, unit_id: int) -> tuple[dt.time, dt.time] | None:
    """The municipality's quiet hours for guardians (default 21:00–07:00), or None when switched off."""
    municipality_id = OrgUnit.objects.filter(pk=unit_id).values_list("municipality_id", flat=True).first()
    row = MessagingSettings.objects.filter(municipality_id=municipality_id).first() if municipality_id else None
    if row is None:
        return DEFAULT_QUIET_START, DEFAULT_QUIET_END
    if not row.guardian_quiet_hours:
        return None
    return row.guardian_quiet_start, row.guardian_quiet_end


def after_quiet_hours(*, at: dt.datetime, start: dt.time, end: dt.time) -> dt.datetime:
    """Return ``at`` outside the quiet period [start, end) (Oslo time, may wrap midnight), else its end."""
    local = at.astimezone(clock.OSLO)
    t = local.time()
    wraps = start > end
    inside = (t >= start or t < end) if wraps else (start <= t < end)
    if not inside:
        return at
    day = local.date()
    if wraps and t >= start:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=clock.OSLO).astimezone(dt.UTC)


def messaging_settings_set(*, municipality_id: int, enabled: bool, start: dt.time, end: dt.time) -> MessagingSettings:
    """Store a municipality's quiet hours for guardians; a period that is empty or over 12 hours is refused."""
    problem = _quiet_hours_valid(start, end)
    if problem:
        raise ValidationError(problem, fields={"guardian_quiet_end": [problem]}, code="quiet_hours")
    row, _created = MessagingSettings.objects.update_or_create(
        municipality_id=municipality_id,
        defaults={"guardian_quiet_hours": enabled, "guardian_quiet_start": start, "guardian_quiet_end": end},
    )
    return row


def next_working_moment(*, person_id: int, at: dt.datetime) -> dt.datetime:
    """Return ``at`` if it is within the person's working hours (or none are set), else the next start."""
    rows = list(WorkingHours.objects.filter(person_id=person_id).values_list("weekday", "start", "end"))
    return _next_working_moment(rows, at)


def _next_working_moment(rows: list[tuple[int, dt.time, dt.time]], at: dt.datetime) -> dt.datetime:
    if not rows:
        return at
    local = at.astimezone(clock.OSLO)
    for day_offset in range(8):
        day = local.date() + dt.timedelta(days=day_offset)
        for weekday, start, end in sorted(rows, key=lambda r: r[1]):
            if weekday != day.weekday():
                continue
            begin = dt.datetime.combine(day, start, tzinfo=clock.OSLO)
            finish = dt.datetime.combine(day, end, tzinfo=clock.OSLO)
            if day_offset == 0 and begin <= local < finish:
                return at
            if begin > local:
                return begin.astimezone(dt.UTC)
    return at


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    it = iter(ids)
    while chunk := list(islice(it, size)):
        yield chunk


def notify_persons(
    *,
    person_ids: Iterable[int],
    key: str,
    title: str,
    url: str,
    urgent: bool = False,
    staff: bool = False,
    bypass_quiet_hours: bool = False,
    unit_id: int | None = None,
) -> int:
    """Create notifications and their deliveries in bulk (idempotent per person and key); return how many are new.

    Staff notifications wait for the person's next working period (their own hours, or the default from their
    employment) unless ``bypass_quiet_hours``, and go through the channel the person chose for the kind
    (urgent or not; a digest collects them). Guardians' non-urgent notifications wait out the municipality's
    quiet hours (default 21:00–07:00) when they come from a unit (``unit_id``); urgent ones (only staff mark
    them) go at once.
    Set-based SQL (``INSERT … SELECT … ON CONFLICT DO NOTHING``): 20,000 recipients cost a few statements.
    Delivery tasks are enqueued in batches when the transaction commits.
    """
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    now = clock.now()
    after: dict[int, dt.datetime] = {}
    if staff and not bypass_quiet_hours:
        hours = working_hours_of(person_ids=ids)
        after = {pid: _next_working_moment(rows, now) for pid, rows in hours.items()}
    elif not staff and not urgent and not bypass_quiet_hours and unit_id is not None:
        # The quiet hours are the municipality's: they apply to what a unit sends (threads, notices, …).
        quiet = guardian_quiet_hours(unit_id=unit_id)
        if quiet is not None:
            held = after_quiet_hours(at=now, start=quiet[0], end=quiet[1])
            after = dict.fromkeys(ids, held)
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO {Notification._meta.db_table} (person_id, key, title, url, urgent, created_at, deliver_after)
            SELECT r.pid, %s, %s, %s, %s, %s, r.after
            FROM unnest(%s::bigint[], %s::timestamptz[]) AS r(pid, after)
            ON CONFLICT (person_id, key) DO NOTHING
            RETURNING person_id
            """,  # noqa: S608 - only table names are interpolated; values are parameters
            [key, title[:200], url[:300], urgent, now, ids, [after.get(pid, now) for pid in ids]],
        )
        new_ids = [row[0] for row in cur.fetchall()]
    if not new_ids:
        return 0
    _deliveries_create(key=key, person_ids=new_ids, staff=staff, urgent=urgent, unit_id=unit_id, now=now)
    transaction.on_commit(_enqueue_dispatch)
    return len(new_ids)


def _deliveries_create(
    *, key: str, person_ids: list[int], staff: bool, urgent: bool, unit_id: int | None, now: dt.datetime
) -> None:
    """One delivery per wanted channel the person can be reached on; nobody reachable → a task for the unit.

    Staff get the one channel they chose for the kind (default: e-mail, SMS when urgent); "digest" means no
    delivery of its own: the notification waits for the daily digest e-mail (``digests_send``).
    """
    t_notification = Notification._meta.db_table
    t_delivery = Delivery._meta.db_table
    t_pref = NotificationPreference._meta.db_table
    t_push = PushSubscription._meta.db_table
    t_person = Person._meta.db_table
    t_employee = Employee._meta.db_table
    # Staff are reached on their work e-mail/phone first.
    email = "coalesce(nullif(e.email, ''), nullif(p.email, ''))" if staff else "nullif(p.email, '')"
    phone = "coalesce(nullif(e.phone, ''), nullif(p.phone, ''))" if staff else "nullif(p.phone, '')"
    if staff:
        column, default = (
            ("staff_urgent_channel", StaffChannel.SMS) if urgent else ("staff_message_channel", StaffChannel.EMAIL)
        )
        choice = f"coalesce(pref.{column}, '{default.value}')"
        # SMS chosen but no phone: e-mail instead (the settings page refuses that choice; the default is SMS).
        want_email = f"({choice} = 'email' OR ({choice} = 'sms' AND {phone} IS NULL))"
        want_sms = f"{choice} = 'sms'"
    else:
        want_email, want_sms = "coalesce(pref.email, true)", "coalesce(pref.sms, true)"
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO {t_delivery} (notification_id, channel, status, attempts, deliver_after, last_error)
            SELECT n.id, ch.channel, %s, 0, n.deliver_after, ''
            FROM {t_notification} n
            JOIN {t_person} p ON p.id = n.person_id
            LEFT JOIN {t_employee} e ON e.person_id = n.person_id
            LEFT JOIN {t_pref} pref ON pref.person_id = n.person_id
            CROSS JOIN LATERAL (VALUES
                (%s, {want_email} AND {email} IS NOT NULL),
                (%s, {want_sms} AND {phone} IS NOT NULL),
                (%s, coalesce(pref.push, false) AND EXISTS (SELECT 1 FROM {t_push} s WHERE s.person_id = n.person_id))
            ) AS ch(channel, wanted)
            WHERE n.key = %s AND n.person_id = ANY(%s) AND ch.wanted
            ON CONFLICT (notification_id, channel) DO NOTHING
            """,  # noqa: S608 - only table names are interpolated; values are parameters
            [DeliveryStatus.PENDING, Channel.EMAIL, Channel.SMS, Channel.PUSH, key, person_ids],
        )
        if staff and not urgent:
            cur.execute(
                f"""
                UPDATE {t_notification} n SET digest_pending = true
                FROM {t_pref} pref
                WHERE pref.person_id = n.person_id AND pref.staff_message_channel = %s
                  AND n.key = %s AND n.person_id = ANY(%s)
                """,  # noqa: S608 - only table names are interpolated; values are parameters
                [StaffChannel.DIGEST, key, person_ids],
            )
        if staff or unit_id is None:
            return
        cur.execute(
            f"""
            SELECT p.id FROM {t_person} p
            WHERE p.id = ANY(%s) AND nullif(p.email, '') IS NULL AND nullif(p.phone, '') IS NULL
            """,  # noqa: S608 - only table names are interpolated; values are parameters
            [person_ids],
        )
        missing = [row[0] for row in cur.fetchall()]
    if missing:
        MissingContactTask.objects.bulk_create(
            [MissingContactTask(unit_id=unit_id, person_id=pid, created_at=now) for pid in missing],
            ignore_conflicts=True,
        )


# Deliveries are claimed by the same mechanism as the integrations outbox (integrations.outbox.lease): one
# conditional UPDATE … SKIP LOCKED with a lease, attempts counted at the claim, retries with the outbox's backoff,
# a dead letter (FAILED) when the attempts are used up. The table stays messaging's own: a notice to 20,000
# guardians is 40,000 rows sent in batches over one SMTP session each, not one outbox task per e-mail.
DELIVERIES = Leased(
    model=Delivery,
    pending=DeliveryStatus.PENDING,
    in_progress=DeliveryStatus.SENDING,
    dead=DeliveryStatus.FAILED,
    due_field="deliver_after",
)


def delivery_lease_seconds() -> int:
    """How long a worker holds claimed deliveries before another may take them (it vanished)."""
    return int(getattr(settings, "MESSAGING_DELIVERY_LEASE_SECONDS", 120))


def delivery_max_attempts() -> int:
    return int(settings.OUTBOX_MAX_ATTEMPTS)


def _enqueue_dispatch() -> None:
    """Ask a worker to dispatch now instead of at beat's next tick; if the broker is down, beat finds the rows.

    Only an optimisation: the rows are committed, and ``messaging.deliveries_dispatch`` (beat, every 30 s) lists
    every due delivery, so a failed kick loses nothing.
    """
    try:
        from messaging.tasks import deliveries_dispatch

        publish_or_raise(deliveries_dispatch)
    except Exception as exc:  # broker unavailable: the rows are safe in PostgreSQL
        logger.warning("messaging: could not signal the dispatcher (%s); beat will send the deliveries", exc)


def deliveries_dispatch_batches(*, batch_size: int = BATCH_SIZE) -> list[list[int]]:
    """Return the due deliveries in batches (pending and due, or held by a worker whose lease ran out); a read."""
    return list(_chunks(lease_due_ids(spec=DELIVERIES, max_attempts=delivery_max_attempts()), batch_size))


def deliveries_claim(*, ids: list[int]) -> list[Claim]:
    """Claim deliveries for sending through the shared lease claim; rows another worker holds are skipped.

    A row still SENDING after its lease ran out belonged to a worker that died: it is claimed and sent again (an
    e-mail with the same Message-ID, an SMS with the same reference, which the gateway deduplicates); one that
    used its last attempt that way becomes FAILED instead.
    """
    lease_bury_abandoned(
        spec=DELIVERIES,
        max_attempts=delivery_max_attempts(),
        reason=_("Ga opp etter %(attempts)s forsøk: arbeideren stoppet under sendingen.")
        % {"attempts": delivery_max_attempts()},
        also_set={"attempted_at": None},
    )
    if not ids:
        return []
    return lease_claim(
        spec=DELIVERIES,
        ids=ids,
        limit=len(ids),
        lease_seconds=delivery_lease_seconds(),
        max_attempts=delivery_max_attempts(),
    )


def notification_mark_read(*, person_id: int, notification_id: int) -> None:
    """Mark the person's own notification read."""
    Notification.objects.filter(pk=notification_id, person_id=person_id, read_at__isnull=True).update(
        read_at=clock.now()
    )


def contact_addresses(*, person_id: int) -> tuple[bool, bool]:
    """Return whether the person can be reached by (e-mail, SMS): their own or, for staff, their work address."""
    own = Person.objects.filter(pk=person_id).values_list("email", "phone").first() or ("", "")
    work = Employee.objects.filter(person_id=person_id).values_list("email", "phone").first() or ("", "")
    return bool(own[0] or work[0]), bool(own[1] or work[1])


def _no_address(field: str, channel: str) -> ValidationError:
    if channel == Channel.SMS:
        message = _("Du har ikke noe mobilnummer registrert, så vi kan ikke varsle deg på SMS. Velg e-post.")
    else:
        message = _("Du har ikke noen e-postadresse registrert, så vi kan ikke varsle deg på e-post. Velg SMS.")
    return ValidationError(message, fields={field: [message]}, code="no_address")


def preference_set(
    *,
    person_id: int,
    email: bool,
    sms: bool,
    push: bool,
    staff_message_channel: str | None = None,
    staff_urgent_channel: str | None = None,
    away_from: dt.date | None = None,
    away_until: dt.date | None = None,
) -> NotificationPreference:
    """Store a person's channel preferences (staff: a channel per kind and their absence).

    A channel the person has no address for is refused with a clear message, and nothing is written.
    """
    has_email, has_phone = contact_addresses(person_id=person_id)
    if email and not has_email:
        raise _no_address("email", Channel.EMAIL)
    if sms and not has_phone:
        raise _no_address("sms", Channel.SMS)
    defaults: dict[str, object] = {"email": email, "sms": sms, "push": push}
    for field, value in (
        ("staff_message_channel", staff_message_channel),
        ("staff_urgent_channel", staff_urgent_channel),
    ):
        if value is None:
            continue
        allowed = {c.value for c in StaffChannel} - (
            {StaffChannel.DIGEST} if field == "staff_urgent_channel" else set()
        )
        if value not in allowed:
            raise ValidationError(_("Ukjent varslingsvalg."), fields={field: [_("Ugyldig valg.")]})
        if value == StaffChannel.SMS and not has_phone:
            raise _no_address(field, Channel.SMS)
        if value in (StaffChannel.EMAIL, StaffChannel.DIGEST) and not has_email:
            raise _no_address(field, Channel.EMAIL)
        defaults[field] = value
    if (away_from is not None or away_until is not None) and (
        away_until is None or (away_from is not None and away_from > away_until)
    ):
        raise ValidationError(
            _("Fraværet må ha en sluttdato som ikke er før startdatoen."), fields={"away_until": [_("Ugyldig.")]}
        )
    defaults.update(away_from=away_from, away_until=away_until)
    pref, _created = NotificationPreference.objects.update_or_create(person_id=person_id, defaults=defaults)
    return pref


def digest_hour() -> int:
    return int(getattr(settings, "MESSAGING_DIGEST_HOUR", 15))


def digests_send() -> int:
    """Send each staff member whose notifications wait for a digest one e-mail saying how many; return how many.

    Runs hourly (beat); from ``MESSAGING_DIGEST_HOUR`` (Oslo time, default 15) once a day per person.
    """
    now = clock.now()
    local = now.astimezone(clock.OSLO)
    if local.hour < digest_hour():
        return 0
    waiting: dict[int, list[int]] = {}
    for pk, pid in Notification.objects.filter(digest_pending=True, deliver_after__lte=now).values_list(
        "pk", "person_id"
    ):
        waiting.setdefault(pid, []).append(pk)
    sent = 0
    for pid, pks in sorted(waiting.items()):
        with transaction.atomic():
            key = f"digest:{local.date().isoformat()}"
            if Notification.objects.filter(person_id=pid, key=key).exists():
                continue  # today's digest went already; these wait for tomorrow
            title = _("Du har %(n)s nye varsler i OAS") % {"n": len(pks)}
            created = Notification.objects.create(
                person_id=pid, key=key, title=title, url="/meldinger/", created_at=now, deliver_after=now
            )
            Delivery.objects.create(notification=created, channel=Channel.EMAIL, deliver_after=now)
            Notification.objects.filter(pk__in=pks).update(digest_pending=False)
            transaction.on_commit(_enqueue_dispatch)
            sent += 1
    return sent


def working_hours_set(*, person_id: int, periods: list[tuple[int, dt.time, dt.time]]) -> None:
    """Replace a staff member's working hours (weekday 0 = Monday)."""
    with transaction.atomic():
        WorkingHours.objects.filter(person_id=person_id).delete()
        for weekday, start, end in periods:
            row = WorkingHours(person_id=person_id, weekday=weekday, start=start, end=end)
            row.full_clean()
            row.save()


def push_subscribe(*, person_id: int, endpoint: str, p256dh: str, auth: str) -> PushSubscription:
    """Store (or refresh) a browser's push subscription."""
    sub, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint, defaults={"person_id": person_id, "p256dh": p256dh, "auth": auth, "created_at": clock.now()}
    )
    return sub


@dataclass(frozen=True)
class SettingsInput:
    """The notification settings form as typed (strings); ``notification_settings_save`` checks it."""

    email: bool = False
    sms: bool = False
    push: bool = False
    staff_message_channel: str = ""
    staff_urgent_channel: str = ""
    start: str = ""
    end: str = ""
    days: tuple[str, ...] = ()
    away_from: str = ""
    away_until: str = ""


def access_settings_person(*, user: Actor) -> tuple[int, bool]:
    """Return whose notification settings the user may change — only their own person — and whether staff."""
    principal = principal_for(user)
    if principal.person_id is None:
        raise NotFound(_("Fant ingen person for innloggingen."))
    return principal.person_id, principal.kind == AccountKind.STAFF


def _optional_date(raw: str) -> dt.date | None:
    raw = raw.strip()
    return dt.date.fromisoformat(raw) if raw else None


def notification_settings_save(*, user: Actor, form: SettingsInput) -> None:
    """Store the user's own channels (staff: a channel per kind, absence, working hours); bad input writes nothing."""
    person_id, is_staff = access_settings_person(user=user)
    periods: list[tuple[int, dt.time, dt.time]] = []
    away_from = away_until = None
    if is_staff:
        try:
            start, end = dt.time.fromisoformat(form.start), dt.time.fromisoformat(form.end)
            days = sorted({int(d) for d in form.days if d.isdigit() and int(d) <= 6})
            away_from, away_until = _optional_date(form.away_from), _optional_date(form.away_until)
        except ValueError:
            raise ValidationError(_("Ugyldig klokkeslett eller dato."), code="form") from None
        if start >= end:
            raise ValidationError(_("Arbeidstiden må slutte etter at den starter."), code="working_hours")
        periods = [(d, start, end) for d in days]
    with transaction.atomic():
        if is_staff:
            message_channel = form.staff_message_channel or StaffChannel.EMAIL
            urgent_channel = form.staff_urgent_channel or StaffChannel.SMS
            chosen = {message_channel, urgent_channel}
            preference_set(
                person_id=person_id,
                email=bool(chosen & {StaffChannel.EMAIL, StaffChannel.DIGEST}),
                sms=StaffChannel.SMS in chosen,
                push=form.push,
                staff_message_channel=message_channel,
                staff_urgent_channel=urgent_channel,
                away_from=away_from,
                away_until=away_until,
            )
            working_hours_set(person_id=person_id, periods=periods)
        else:
            preference_set(person_id=person_id, email=form.email, sms=form.sms, push=form.push)


def notification_settings_for(*, user: Actor) -> dict[str, Any]:
    """Return what the settings page shows: the user's channels, working hours (or the default), addresses."""
    person_id, is_staff = access_settings_person(user=user)
    pref = NotificationPreference.objects.filter(person_id=person_id).first()
    periods = [
        (h.weekday, h.start, h.end) for h in WorkingHours.objects.filter(person_id=person_id).order_by("weekday")
    ]
    if is_staff and not periods:  # the default from the employment, until they save their own
        periods = default_working_hours(person_ids=[person_id]).get(person_id, [])
    has_email, has_phone = contact_addresses(person_id=person_id)
    return {
        "pref": pref,
        "is_staff": is_staff,
        "hours": periods,
        "days": [p[0] for p in periods],
        "start": periods[0][1] if periods else dt.time(8, 0),
        "end": periods[0][2] if periods else dt.time(16, 0),
        "has_email": has_email,
        "has_phone": has_phone,
        "message_channel": pref.staff_message_channel if pref else StaffChannel.EMAIL,
        "urgent_channel": pref.staff_urgent_channel
        if pref
        else (StaffChannel.SMS if has_phone else StaffChannel.EMAIL),
        "push_subscribed": PushSubscription.objects.filter(person_id=person_id).exists(),
    }
