"""Notifications: one row per (person, key), one delivery per channel, fan-out in batches; quiet hours.

Notifications never carry message content — only that something waits and where (sensitive messages
therefore never travel by e-mail or SMS). A person without contact details becomes a task for the unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from itertools import islice

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from messaging.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    MissingContactTask,
    Notification,
    NotificationPreference,
    PushSubscription,
    WorkingHours,
)
from oas import clock
from oas.people.models import Employee, Person

BATCH_SIZE = 500


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

    Staff notifications wait for the person's next working period unless ``bypass_quiet_hours``.
    Set-based SQL (``INSERT … SELECT … ON CONFLICT DO NOTHING``): 20,000 recipients cost a few statements.
    Delivery tasks are enqueued in batches when the transaction commits.
    """
    ids = sorted(set(person_ids))
    if not ids:
        return 0
    now = clock.now()
    after: dict[int, dt.datetime] = {}
    if staff and not bypass_quiet_hours:
        hours: dict[int, list[tuple[int, dt.time, dt.time]]] = {}
        for pid, weekday, start, end in WorkingHours.objects.filter(person_id__in=ids).values_list(
            "person_id", "weekday", "start", "end"
        ):
            hours.setdefault(pid, []).append((weekday, start, end))
        after = {pid: _next_working_moment(rows, now) for pid, rows in hours.items()}
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
    _deliveries_create(key=key, person_ids=new_ids, staff=staff, unit_id=unit_id, now=now)
    transaction.on_commit(_enqueue_dispatch)
    return len(new_ids)


def _deliveries_create(*, key: str, person_ids: list[int], staff: bool, unit_id: int | None, now: dt.datetime) -> None:
    """One delivery per wanted channel the person can be reached on; nobody reachable → a task for the unit."""
    t_notification = Notification._meta.db_table
    t_delivery = Delivery._meta.db_table
    t_pref = NotificationPreference._meta.db_table
    t_push = PushSubscription._meta.db_table
    t_person = Person._meta.db_table
    t_employee = Employee._meta.db_table
    # Staff are reached on their work e-mail/phone first.
    email = "coalesce(nullif(e.email, ''), nullif(p.email, ''))" if staff else "nullif(p.email, '')"
    phone = "coalesce(nullif(e.phone, ''), nullif(p.phone, ''))" if staff else "nullif(p.phone, '')"
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
                (%s, coalesce(pref.email, true) AND {email} IS NOT NULL),
                (%s, coalesce(pref.sms, true) AND {phone} IS NOT NULL),
                (%s, coalesce(pref.push, false) AND EXISTS (SELECT 1 FROM {t_push} s WHERE s.person_id = n.person_id))
            ) AS ch(channel, wanted)
            WHERE n.key = %s AND n.person_id = ANY(%s) AND ch.wanted
            ON CONFLICT (notification_id, channel) DO NOTHING
            """,  # noqa: S608 - only table names are interpolated; values are parameters
            [DeliveryStatus.PENDING, Channel.EMAIL, Channel.SMS, Channel.PUSH, key, person_ids],
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


def _enqueue_dispatch() -> None:
    from messaging.tasks import deliveries_dispatch

    deliveries_dispatch.delay()


def _lease_seconds() -> int:
    return int(getattr(settings, "MESSAGING_DELIVERY_LEASE_SECONDS", 120))


def deliveries_dispatch_batches(*, batch_size: int = BATCH_SIZE, lease_seconds: int | None = None) -> list[list[int]]:
    """Return the due deliveries in batches (pending and due, or claimed by a worker that vanished)."""
    lease_seconds = lease_seconds or _lease_seconds()
    now = clock.now()
    stale = now - dt.timedelta(seconds=lease_seconds)
    due = (
        Delivery.objects.filter(
            Q(status=DeliveryStatus.PENDING, deliver_after__lte=now)
            | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return list(_chunks(list(due), batch_size))


def deliveries_claim(*, ids: list[int], lease_seconds: int | None = None) -> list[int]:
    """Claim deliveries for sending with one conditional UPDATE; rows another worker holds are skipped.

    A row still SENDING after its lease ran out belonged to a worker that died: it is claimed and sent again (an
    e-mail with the same Message-ID, an SMS with the same reference, which the gateway deduplicates).
    """
    lease_seconds = lease_seconds or _lease_seconds()
    now = clock.now()
    stale = now - dt.timedelta(seconds=lease_seconds)
    with transaction.atomic():
        locked = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids)
            .filter(
                Q(status=DeliveryStatus.PENDING, deliver_after__lte=now)
                | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale)
            )
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=locked).update(status=DeliveryStatus.SENDING, claimed_at=now)
    return locked


def notification_mark_read(*, person_id: int, notification_id: int) -> None:
    """Mark the person's own notification read."""
    Notification.objects.filter(pk=notification_id, person_id=person_id, read_at__isnull=True).update(
        read_at=clock.now()
    )


def preference_set(*, person_id: int, email: bool, sms: bool, push: bool) -> NotificationPreference:
    """Store a person's channel preferences."""
    pref, _created = NotificationPreference.objects.update_or_create(
        person_id=person_id, defaults={"email": email, "sms": sms, "push": push}
    )
    return pref


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
