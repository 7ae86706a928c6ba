"""Sending claimed deliveries through e-mail, SMS and web push; status per delivery, retries with backoff."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import smtplib
import socket
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import sanitize_address
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _
from psycopg import pq

from integrations.common.errors import PermanentError, TransientError
from integrations.sms import get_sms_gateway
from integrations.sms.port import SmsOutgoing
from messaging.models import Channel, Delivery, DeliveryStatus, PushSubscription
from messaging.services.notifications import deliveries_claim
from oas import clock

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
SMS_BATCH = 100
MAIL_CHUNK = 25  # e-mails per durable "attempting" commit; the most a database crash can leave uncertain
_LEADING_DOT = re.compile(rb"(?m)^\.")
MARK_EVERY = 50  # push status is written every 50 sends


def _absolute(url: str) -> str:
    return str(settings.OAS_BASE_URL).rstrip("/") + url


def push_payload(*, title: str, url: str) -> str:
    """The Web Push payload: a title and where to go — never message content."""
    return json.dumps({"title": title, "url": url}, ensure_ascii=False)


def _send_push(delivery: Delivery) -> None:
    from pywebpush import WebPushException, webpush

    private_key = getattr(settings, "VAPID_PRIVATE_KEY", "")
    if not private_key:
        raise PermanentError("VAPID_PRIVATE_KEY is not configured", system="push")
    n = delivery.notification
    for sub in PushSubscription.objects.filter(person_id=n.person_id):
        try:
            webpush(
                subscription_info={"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
                data=push_payload(title=n.title, url=n.url),
                vapid_private_key=private_key,
                vapid_claims={"sub": str(getattr(settings, "VAPID_SUBJECT", "mailto:oas@localhost"))},
                timeout=10,
            )
        except ValueError as exc:  # an unreadable VAPID key or subscription key
            raise PermanentError(f"push: {exc}"[:200], system="push") from exc
        except WebPushException as exc:
            status = getattr(exc.response, "status_code", None)
            if status in (404, 410):
                sub.delete()  # the browser dropped the subscription
                continue
            raise TransientError(str(exc)[:200], system="push") from exc


def deliveries_send(*, ids: list[int]) -> dict[str, int]:
    """Claim and send these deliveries; return counts by outcome. Safe to run twice (claims are conditional).

    E-mail goes out in chunks of ``MAIL_CHUNK`` over one SMTP session (see ``_send_email_chunk`` for how each
    chunk is recorded); SMS in requests of ``SMS_BATCH``; web push one by one, marked every ``MARK_EVERY``.
    """
    claimed = deliveries_claim(ids=ids)
    if not claimed:
        return {}
    rows = list(
        Delivery.objects.filter(pk__in=claimed)
        .select_related("notification__person", "notification__person__employee")
        .order_by("pk")
    )
    counts = {"sent": 0, "retry": 0, "failed": 0}
    mail_rows = [d for d in rows if d.channel == Channel.EMAIL]
    sms_rows = [d for d in rows if d.channel == Channel.SMS]
    push_rows = [d for d in rows if d.channel == Channel.PUSH]
    if mail_rows:
        mail = get_connection()
        try:
            for start in range(0, len(mail_rows), MAIL_CHUNK):
                _send_email_chunk(mail, mail_rows[start : start + MAIL_CHUNK], counts)
        finally:
            mail.close()
    if sms_rows:
        sms = get_sms_gateway()
        try:
            for start in range(0, len(sms_rows), SMS_BATCH):
                _send_sms_chunk(sms, sms_rows[start : start + SMS_BATCH], counts)
        finally:
            sms.close()
    sent: list[int] = []
    try:
        for d in push_rows:
            try:
                _send_push(d)
            except (TransientError, OSError) as exc:
                _mark_retry(d, str(exc), permanent=False)
                counts["retry"] += 1
                continue
            except PermanentError as exc:
                _mark_retry(d, str(exc), permanent=True)
                counts["failed"] += 1
                continue
            counts["sent"] += 1
            sent.append(d.pk)
            if len(sent) >= MARK_EVERY:
                _mark_sent(sent)
                sent = []
    finally:
        _mark_sent(sent)
    return counts


def _send_email_chunk(mail: Any, chunk: list[Delivery], counts: dict[str, int]) -> None:
    """Send one chunk of e-mails over the open SMTP session; each e-mail is recorded the moment SMTP took it.

    SMTP cannot deduplicate, so the window between "SMTP accepted it" and "we recorded it" must be as small as
    possible, and what happens to an e-mail caught in that window must be decided on purpose:

    1. Before the chunk goes out, one UPDATE sets ``attempted_at`` on the chunk's rows that this worker still
       holds (status SENDING with our claim time; a row another worker re-claimed after our lease ran out is
       skipped, so it is not sent twice) and commits **durably**.
    2. Each e-mail is sent and at once marked SENT by its own small commit with ``synchronous_commit = off``:
       the commit returns before the WAL reaches the disk (~0.05 ms instead of ~1 ms), and it is lost only if
       PostgreSQL itself crashes within ~0.6 s (3 x wal_writer_delay) — a dying *worker* loses none of them.
    3. When a lease runs out, ``deliveries_claim`` looks at rows still SENDING with ``attempted_at`` set:
       - PostgreSQL has not restarted since the attempt (``pg_postmaster_start_time()``): the worker died and
         every e-mail it finished is marked, so these were not sent — or one was in flight at the moment of the
         kill — and they are sent again (at least once, with the same Message-ID);
       - PostgreSQL restarted after the attempt: fast marks may be lost, so these may well have gone out: they
         are marked UNCERTAIN and not sent again (at most once; visible in the admin). At most ``MAIL_CHUNK``
         e-mails per worker are affected, and only by a database crash.
    """
    try:
        mail.open()  # one SMTP session for the whole batch (a no-op once open)
    except OSError as exc:
        for d in chunk:
            _mark_retry(d, str(exc), permanent=False)
        counts["retry"] += len(chunk)
        return
    stamp = chunk[0].claimed_at
    owned = _mark_attempting([d.pk for d in chunk], claimed_at=stamp) if stamp is not None else set()
    _fast_commits(on=True)
    try:
        for d in chunk:
            if d.pk not in owned:
                continue  # another worker holds it now (our lease ran out): it sends it, not us
            try:
                mail.open()  # a no-op while the session is open; reopens it after a failed transfer
            except OSError as exc:
                _mark_retry(d, str(exc), permanent=False)
                counts["retry"] += 1
                continue
            person = d.notification.person
            address = person.email or getattr(getattr(person, "employee", None), "email", "")
            msg = EmailMessage(
                subject=d.notification.title,
                body=_("%(title)s.\n\nLogg inn for å lese: %(url)s")
                % {"title": d.notification.title, "url": _absolute(d.notification.url)}
                + "\n",
                to=[address],
                headers={"Message-ID": f"<{d.delivery_key}@oas>"},
                connection=mail,
            )
            try:
                _email_send_and_mark(mail, msg, pk=d.pk)
            except (TransientError, OSError) as exc:
                permanent = isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500
                _mark_retry(d, str(exc), permanent=permanent)
                counts["failed" if permanent else "retry"] += 1
                _smtp_reset(mail)
                continue
            except PermanentError as exc:
                _mark_retry(d, str(exc), permanent=True)
                counts["failed"] += 1
                continue
            counts["sent"] += 1
    finally:
        _fast_commits(on=False)


def _email_send_and_mark(mail: Any, msg: EmailMessage, *, pk: int) -> None:
    """Send one e-mail and record it as sent, so that a worker killed at any moment never causes a duplicate.

    Over SMTP (Django's SMTP backend) the message is transferred up to, but not including, the end-of-data
    line; then the "sent" mark is handed to the kernel (held back by TCP_CORK), the end-of-data line written and
    the mark released (``_mark_sent_then``). A worker killed before the mark leaves a transfer the server discards
    (the row is sent again later); killed after the end-of-data line, both reach their servers. The only window
    in which an e-mail is marked sent but not delivered lies between two system calls. If the server refuses the
    message after the end of data, the mark is taken back (``_mark_retry`` by the caller). Other backends (tests,
    console) send first and mark right after.
    """
    smtp = getattr(mail, "connection", None)
    if not isinstance(smtp, smtplib.SMTP):
        msg.send()
        _mark_one_sent(pk)
        return
    if smtp.sock is not None:
        # The end-of-data line leaves in a write of its own: without TCP_NODELAY, Nagle's algorithm holds it until
        # the server ACKs the body, which a delayed ACK postpones by up to ~40 ms per e-mail.
        smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    encoding = msg.encoding or settings.DEFAULT_CHARSET
    sender = sanitize_address(msg.from_email, encoding)
    recipients = [sanitize_address(address, encoding) for address in msg.recipients()]
    data = msg.message().as_bytes(linesep="\r\n")
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    for recipient in recipients:
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        raise smtplib.SMTPDataError(code, reply)
    body = _LEADING_DOT.sub(b"..", data)  # dot-stuffing (RFC 5321 4.5.2)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    try:
        smtp.send(body)
        _mark_sent_then(pk, then=lambda: smtp.send(b".\r\n"))
    except BaseException:
        # Mid-DATA the session can only be abandoned: drop the socket without QUIT (which the server would read
        # as a line of the message), so the server discards the unfinished message; the next e-mail reconnects.
        smtp.close()
        mail.connection = None
        raise
    code, reply = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)


def _smtp_reset(mail: Any) -> None:
    """After a failed transfer the SMTP session may be mid-command: close it; the next e-mail reopens it."""
    try:
        mail.close()
    except OSError:
        logger.debug("closing the SMTP session after a failure failed", exc_info=True)


def _send_sms_chunk(sms: Any, chunk: list[Delivery], counts: dict[str, int]) -> None:
    messages = []
    for d in chunk:
        person = d.notification.person
        phone = person.phone or getattr(getattr(person, "employee", None), "phone", "")
        text = _("%(title)s. Logg inn: %(url)s") % {"title": d.notification.title, "url": _absolute(d.notification.url)}
        messages.append(SmsOutgoing(recipient=phone, text=text, reference=d.delivery_key))
    try:
        results = {r.reference: r for r in sms.send_batch(messages=messages)}
    except (TransientError, OSError) as exc:
        for d in chunk:
            _mark_retry(d, str(exc), permanent=False)
        counts["retry"] += len(chunk)
        return
    except PermanentError as exc:
        for d in chunk:
            _mark_retry(d, str(exc), permanent=True)
        counts["failed"] += len(chunk)
        return
    ok = []
    for d in chunk:
        result = results.get(d.delivery_key)
        if result is not None and result.ok:
            ok.append(d.pk)
        elif result is not None:
            _mark_retry(d, result.error or "refused by the gateway", permanent=True)
            counts["failed"] += 1
        else:
            _mark_retry(d, "no answer for this message", permanent=False)
            counts["retry"] += 1
    _mark_sent(ok)
    counts["sent"] += len(ok)


def _mark_sent(ids: list[int]) -> None:
    """Mark deliveries SENT with one UPDATE ... WHERE id = ANY(...) (a normal, durable commit)."""
    if not ids:
        return
    table = Delivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, attempts = attempts + 1, last_error = '' "  # noqa: S608 - table name from model meta
            "WHERE id = ANY(%s)",
            [DeliveryStatus.SENT.value, clock.now(), list(ids)],
        )


def _fast_commits(*, on: bool) -> None:
    """Let this connection's commits return before the WAL is on disk (``synchronous_commit = off``), or not.

    Only the per-e-mail "sent" marks use it (see ``_send_email_chunk``). Inside a caller's transaction the marks
    commit with it; its settings are left alone.
    """
    if connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off" if on else "RESET synchronous_commit")


def _mark_one_sent(pk: int) -> None:
    # The same write as _mark_sent for one row, without the ORM's per-query overhead (it runs once per e-mail).
    table = Delivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, attempts = attempts + 1, last_error = '' "  # noqa: S608 - table name from model meta
            "WHERE id = %s",
            [DeliveryStatus.SENT.value, clock.now(), pk],
        )


def _mark_sent_then(pk: int, *, then: Callable[[], object]) -> None:
    """Hand the "sent" mark to the kernel for PostgreSQL, run ``then`` (the end-of-data write), then release the mark.

    SIGKILL cannot be caught, so what matters is where it can fall:

    - Before the mark is written: nothing reached either server. The transfer is discarded by the SMTP server and
      the row (still "attempting") is sent again later.
    - After the end-of-data line is written: the message is at the SMTP server, and the mark is in this socket's
      send queue. A dying process's sockets are closed by the kernel, which sends what is queued before the FIN,
      and PostgreSQL runs a statement it has received even when the connection closes right behind it. So the
      mark is committed: delivered once, marked once.
    - Between the two writes: the mark reaches PostgreSQL, the end of data does not. This window is two system
      calls apart, a few microseconds of this process's own code.

    Over TCP the mark is written with ``TCP_CORK`` set, so it waits in the kernel until the end-of-data line has
    gone. Without the cork the mark would wake the PostgreSQL backend, which (woken on the same core, as socket
    wake-ups usually are) preempts this process. A SIGKILL sent while this process waits for the core would then
    fall in the window between the two writes for as long as the database takes to run the UPDATE. Without the
    cork, one of three ``benchmarks/fanout.py --kill`` runs lost one e-mail, most likely so; with it, none of 12
    did. Over a Unix socket there is no cork and the mark goes out at once (the earlier behaviour).

    If the database refuses the mark, the error is raised after ``then``; the e-mail went out unmarked and is sent
    again later (a duplicate only on a database error).
    """
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    table = Delivery._meta.db_table
    query = (
        f"UPDATE {table} SET status = $1, sent_at = $2, attempts = attempts + 1, last_error = '' WHERE id = $3"  # noqa: S608 - table name from model meta
    ).encode()
    corked = _corked_socket(pgconn.socket)
    try:
        pgconn.send_query_params(
            query, [DeliveryStatus.SENT.value.encode(), clock.now().isoformat().encode(), b"%d" % pk]
        )
        while pgconn.flush() != 0:  # psycopg keeps libpq non-blocking: push the whole statement out first
            continue
        then()
    finally:
        if corked is not None:
            corked.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 0)  # the mark leaves now
            corked.close()  # our duplicate of libpq's descriptor only; the connection stays open
        failure = b""
        while (result := pgconn.get_result()) is not None:
            if result.status != pq.ExecStatus.COMMAND_OK:
                failure = result.error_message or b"error"
        if failure:
            raise DatabaseError(failure.decode("utf-8", "replace"))


def _corked_socket(fd: int) -> socket.socket | None:
    """A duplicate of the database connection's descriptor with ``TCP_CORK`` set, or None if it is not TCP."""
    sock = socket.socket(fileno=os.dup(fd))
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or not hasattr(socket, "TCP_CORK"):
        sock.close()
        return None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
    return sock


def _mark_attempting(ids: list[int], *, claimed_at: dt.datetime) -> set[int]:
    """Record (and commit) that these e-mails are about to go out; return the ids this worker still holds."""
    table = Delivery._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = on")  # durable, whatever the session says
        cursor.execute(
            f"UPDATE {table} SET attempted_at = %s "  # noqa: S608 - table name from model meta
            "WHERE id = ANY(%s) AND status = %s AND claimed_at = %s RETURNING id",
            [clock.now(), list(ids), DeliveryStatus.SENDING.value, claimed_at],
        )
        return {int(row[0]) for row in cursor.fetchall()}


def _mark_retry(delivery: Delivery, error: str, *, permanent: bool) -> None:
    attempts = delivery.attempts + 1
    if permanent or attempts >= MAX_ATTEMPTS:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, attempts=attempts, attempted_at=None, last_error=error[:300]
        )
        return
    backoff = dt.timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING,
        attempts=attempts,
        deliver_after=clock.now() + backoff,
        claimed_at=None,
        attempted_at=None,
        last_error=error[:300],
    )
