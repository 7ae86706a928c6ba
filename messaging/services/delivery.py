"""Sending claimed deliveries through e-mail, SMS and web push; status per delivery, retries with backoff.

E-mail is delivered **at least once**. SMTP cannot deduplicate, so every e-mail carries a stable ``Message-ID``
derived from its delivery (``delivery_message_id``): a copy sent again after a crash is the same message to the
recipient's mail system and recognisable as a duplicate. For each chunk of e-mails:

1. one UPDATE records ``attempted_at`` on the chunk's rows this worker still holds (status SENDING with our claim
   token; a row another worker re-claimed after our lease ran out is skipped) and commits;
2. each e-mail goes out through Django's e-mail backend (one SMTP session for the batch) and is marked SENT by an
   ordinary commit right after the server accepted it.

A notice to every guardian of a school is thousands of e-mails that differ only in the recipient and the
Message-ID. Django composes (and folds and encodes) the shared part once per batch (``_SharedMail``); each copy is
that part with its own ``To`` and ``Message-ID`` lines, sent through the backend's smtplib session. An address
that is not plain ASCII, or a backend that is not SMTP (tests' locmem), takes Django's ordinary path per e-mail.

A worker killed between the server's acceptance and that commit leaves the row SENDING with ``attempted_at`` set;
when the lease runs out it is claimed and sent again, with the same Message-ID. So a kill causes no loss and at
most one duplicate per e-mail that was in flight at that moment.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import smtplib
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.db import connection
from django.utils.translation import gettext as _

from integrations.public import PermanentError, SmsOutgoing, TransientError, backoff_seconds, get_sms_gateway
from messaging.models import Channel, Delivery, DeliveryStatus, PushSubscription
from messaging.services.notifications import deliveries_claim, delivery_lease_seconds, delivery_max_attempts
from oas import clock

logger = logging.getLogger(__name__)
SMS_BATCH = 100
MAIL_CHUNK = 50  # e-mails per "attempting" commit


def _absolute(url: str) -> str:
    return str(settings.OAS_BASE_URL).rstrip("/") + url


def delivery_message_id(*, delivery: Delivery) -> str:
    """The e-mail's Message-ID: the same for every attempt of this delivery, so a resent copy is recognisable."""
    domain = urlsplit(str(settings.OAS_BASE_URL)).hostname or "oas"
    return f"<{delivery.delivery_key}@{domain}>"


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

    E-mail in chunks of ``MAIL_CHUNK`` over one SMTP session (see the module docstring), SMS in requests of
    ``SMS_BATCH``, web push one by one; each is marked sent as soon as it went out.
    """
    claims = deliveries_claim(ids=ids)
    if not claims:
        return {}
    rows = list(
        Delivery.objects.filter(pk__in=[c.row_id for c in claims], claim_token=claims[0].claim_token)
        .select_related("notification__person", "notification__person__employee")
        .order_by("pk")
    )
    counts = {"sent": 0, "retry": 0, "failed": 0}
    mail_rows = [d for d in rows if d.channel == Channel.EMAIL]
    sms_rows = [d for d in rows if d.channel == Channel.SMS]
    push_rows = [d for d in rows if d.channel == Channel.PUSH]
    if mail_rows:
        mail, shared = get_connection(), _SharedMail()
        try:
            for start in range(0, len(mail_rows), MAIL_CHUNK):
                _send_email_chunk(mail, mail_rows[start : start + MAIL_CHUNK], counts, shared)
        finally:
            _smtp_close(mail)
    if sms_rows:
        sms = get_sms_gateway()
        try:
            for start in range(0, len(sms_rows), SMS_BATCH):
                _send_sms_chunk(sms, sms_rows[start : start + SMS_BATCH], counts)
        finally:
            sms.close()
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
        _mark_sent([d.pk], claim_token=str(d.claim_token))
        counts["sent"] += 1
    return counts


def _email_message(d: Delivery, mail: Any) -> EmailMessage:
    person = d.notification.person
    address = person.email or getattr(getattr(person, "employee", None), "email", "")
    return EmailMessage(
        subject=d.notification.title,
        body=_("%(title)s.\n\nLogg inn for å lese: %(url)s")
        % {"title": d.notification.title, "url": _absolute(d.notification.url)}
        + "\n",
        to=[address],
        headers={"Message-ID": delivery_message_id(delivery=d)},
        connection=mail,
    )


# An address that needs no encoding and cannot carry a header line of its own (no spaces, CR, LF, <, >, quotes).
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


class _SharedMail:
    """The part of a batch's e-mails that is the same for every recipient, composed once by Django per content."""

    def __init__(self) -> None:
        self._parts: dict[tuple[str, str, str], tuple[str, bytes]] = {}

    def send(self, mail: Any, message: EmailMessage) -> None:
        """Send ``message`` (one recipient) through ``mail``: the shared part plus its own To and Message-ID."""
        smtp = getattr(mail, "connection", None)
        to = message.to[0] if len(message.to) == 1 else ""
        if not isinstance(mail, SmtpBackend) or smtp is None or not _PLAIN_ADDRESS.fullmatch(to):
            mail.send_messages([message])  # Django's ordinary path (its refusals raise as smtplib's)
            return
        key = (str(message.subject), str(message.body), str(message.from_email))
        if key not in self._parts:
            shared = EmailMessage(
                subject=message.subject,
                body=message.body,
                from_email=message.from_email,
                headers={"Message-ID": "<shared@oas>"},
            ).message()
            del shared["Message-ID"]
            encoding = message.encoding or settings.DEFAULT_CHARSET
            self._parts[key] = (sanitize_address(message.from_email, encoding), shared.as_bytes(linesep="\r\n"))
        sender, body = self._parts[key]
        own = f"To: {to}\r\nMessage-ID: {message.extra_headers['Message-ID']}\r\n".encode("ascii")
        smtp.sendmail(sender, [to], own + body)


def _send_email_chunk(mail: Any, chunk: list[Delivery], counts: dict[str, int], shared: _SharedMail) -> None:
    """Mark the chunk "attempting" (committed), then send each e-mail and commit its "sent" mark at once."""
    token = chunk[0].claim_token
    owned = _mark_attempting([d.pk for d in chunk], claim_token=str(token)) if token is not None else set()
    for d in chunk:
        if d.pk not in owned:
            continue  # another worker holds it now (our lease ran out): it sends it, not us
        try:
            mail.open()  # one session for the batch: a no-op while open, reopens after a broken session
            shared.send(mail, _email_message(d, mail))
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as exc:
            # A refusal (the session stays usable: smtplib has reset it). 5xx is final, 4xx is tried again later.
            permanent = _refusal_code(exc) >= 500
            _mark_retry(d, str(exc), permanent=permanent)
            counts["failed" if permanent else "retry"] += 1
            continue
        except (smtplib.SMTPException, OSError) as exc:
            # The session broke (or never opened): drop it; the next e-mail opens a new one.
            _mark_retry(d, str(exc), permanent=False)
            counts["retry"] += 1
            _smtp_close(mail)
            continue
        _mark_sent([d.pk], claim_token=str(d.claim_token))
        counts["sent"] += 1


def _smtp_close(mail: Any) -> None:
    try:
        mail.close()
    except (smtplib.SMTPException, OSError):
        logger.debug("closing the SMTP session failed", exc_info=True)
        mail.connection = None


def _refusal_code(exc: smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused) -> int:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return min((code for code, _reply in exc.recipients.values()), default=500)
    return int(exc.smtp_code)


def _send_sms_chunk(sms: Any, chunk: list[Delivery], counts: dict[str, int]) -> None:
    token = chunk[0].claim_token
    owned = _mark_attempting([d.pk for d in chunk], claim_token=str(token), attempting=False) if token else set()
    chunk = [d for d in chunk if d.pk in owned]  # the rest another worker holds now (our lease ran out)
    if not chunk:
        return
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
    _mark_sent(ok, claim_token=str(chunk[0].claim_token))
    counts["sent"] += len(ok)


def _mark_attempting(ids: list[int], *, claim_token: str, attempting: bool = True) -> set[int]:
    """Record (and commit) that these e-mails are about to go out; return the ids this worker still holds.

    The lease of those rows starts again now: a batch that runs longer than one lease (a loaded machine) keeps the
    rows it is about to send instead of having them claimed and sent a second time by another worker meanwhile.
    ``attempting=False`` (SMS: the gateway deduplicates by reference) only renews the lease.
    """
    now = clock.now()
    attempted = "attempted_at = %s, " if attempting else ""
    with connection.cursor() as cursor:  # one conditional UPDATE: the rows it returns are ours to send
        cursor.execute(
            f"UPDATE {Delivery._meta.db_table} SET {attempted}lease_expires_at = %s "  # noqa: S608 - table name from model meta
            "WHERE id = ANY(%s::bigint[]) AND status = %s AND claim_token = %s RETURNING id",
            [
                *([now] if attempting else []),
                now + dt.timedelta(seconds=delivery_lease_seconds()),
                list(ids),
                DeliveryStatus.SENDING.value,
                claim_token,
            ],
        )
        return {int(row[0]) for row in cursor.fetchall()}


def _mark_sent(ids: list[int], *, claim_token: str) -> None:
    """Mark deliveries SENT (an ordinary commit) if this worker still holds them (the attempt counted at the claim).

    One plain UPDATE: it runs once per e-mail, and building it through the ORM cost a quarter of the worker's CPU.
    """
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Delivery._meta.db_table} SET status = %s, sent_at = %s, claim_token = NULL, "  # noqa: S608 - table name from model meta
            "lease_expires_at = NULL, last_error = '' WHERE id = ANY(%s::bigint[]) AND status = %s AND claim_token = %s",
            [DeliveryStatus.SENT.value, clock.now(), list(ids), DeliveryStatus.SENDING.value, claim_token],
        )


def _mark_retry(delivery: Delivery, error: str, *, permanent: bool) -> None:
    """Schedule a retry with the outbox's backoff, or make it a dead letter (FAILED) — only while we hold it."""
    held = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING, claim_token=delivery.claim_token)
    released = {"claim_token": None, "lease_expires_at": None, "attempted_at": None, "last_error": error[:300]}
    if permanent or delivery.attempts >= delivery_max_attempts():
        held.update(status=DeliveryStatus.FAILED, **released)
        return
    delay = dt.timedelta(seconds=backoff_seconds(attempts=delivery.attempts))
    held.update(status=DeliveryStatus.PENDING, deliver_after=clock.now() + delay, claimed_at=None, **released)
