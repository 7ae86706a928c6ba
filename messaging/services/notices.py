"""Notices (oppslag): one-way to groups, units, several units or the whole municipality; scheduled sending."""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from messaging.models import (
    MAX_BODY_CHARS,
    AuthorKind,
    Message,
    Notice,
    NoticeRecipient,
    NoticeStatus,
    Thread,
    ThreadSide,
)
from messaging.services.mailboxes import mailbox_handler_ids, participants_add
from messaging.services.notifications import notify_persons
from messaging.services.threads import (
    MAILBOX_USE,
    _author_name,
    _clean_body,
    _notify_staff,
    _rate_limit_guardian,
    _urgent_title,
    mailbox_for_unit,
)
from oas import clock
from oas.access.evaluation import has_action
from oas.access.principal import Actor, principal_for
from oas.access.relations import ChildRight, relation_active_q, relation_q
from oas.audit.services import audit_record
from oas.errors import NotFound, PermissionDenied, ValidationError
from oas.identity.models import Account, AccountKind
from oas.organisation.models import Municipality, OrgUnit
from oas.people.models import PersonRelation, Placement
from oas.periods import DATED, active_on
from oas.text import text_check

NOTICE_SEND = "messaging.notice.send"
NOTICE_APPROVE = "messaging.notice.approve"


def notice_create(  # noqa: PLR0912 - each target kind is checked separately
    *,
    user: Actor,
    sender_unit_id: int,
    title: str,
    body: str,
    target_unit_ids: list[int] | None = None,
    municipality_id: int | None = None,
    replies_to_sender: bool = False,
    urgent: bool = False,
    send_at: dt.datetime | None = None,
) -> Notice:
    """Create a notice; it is sent now, at ``send_at`` (beat), or after a leader approves it."""
    title = text_check(value=title or "", field="title", label=_("Tittelen")).strip()
    if not title or len(title) > 200:
        raise ValidationError(_("Tittelen må ha 1–200 tegn."), fields={"title": [_("Ugyldig tittel.")]})
    body = _clean_body(body)
    if len(body) > MAX_BODY_CHARS:
        raise ValidationError(_("Oppslaget er for langt."), fields={"body": [_("For lang.")]})
    target_unit_ids = sorted(set(target_unit_ids or []))
    if not target_unit_ids and municipality_id is None:
        raise ValidationError(_("Velg minst én mottakergruppe."), fields={"targets": [_("Velg mottakere.")]})
    sender_unit = OrgUnit.objects.filter(pk=sender_unit_id).first()
    if sender_unit is None:
        raise ValidationError(_("Ukjent avsender."), fields={"sender_unit": [_("Ukjent enhet.")]})
    mailbox = mailbox_for_unit(unit=sender_unit)
    if not has_action(user=user, action=MAILBOX_USE, target=mailbox) and not has_action(
        user=user, action=NOTICE_SEND, target=sender_unit
    ):
        raise PermissionDenied(_("Du kan ikke sende fra denne postkassen."))
    targets = list(OrgUnit.objects.filter(pk__in=target_unit_ids))
    if len(targets) != len(target_unit_ids):
        raise ValidationError(_("Ukjent mottakergruppe."), fields={"targets": [_("Ukjent enhet.")]})
    for unit in targets:
        if not has_action(user=user, action=NOTICE_SEND, target=unit):
            raise PermissionDenied(_("Du kan ikke sende oppslag til %(unit)s.") % {"unit": unit.name})
    municipality = None
    if municipality_id is not None:
        municipality = Municipality.objects.filter(pk=municipality_id).first()
        if municipality is None:
            raise ValidationError(_("Ukjent kommune."))
        top = OrgUnit.objects.filter(municipality=municipality, parent__isnull=True).first()
        if top is None or not has_action(user=user, action=NOTICE_SEND, target=top):
            raise PermissionDenied(_("Du kan ikke sende oppslag til hele kommunen."))
    now = clock.now()
    if send_at is not None and send_at < now - dt.timedelta(minutes=1):
        raise ValidationError(_("Sendetidspunktet er passert."), fields={"send_at": [_("Velg et senere tidspunkt.")]})
    needs_approval = mailbox.notices_need_approval and not has_action(
        user=user, action=NOTICE_APPROVE, target=sender_unit
    )
    with transaction.atomic():
        notice = Notice(
            mailbox=mailbox,
            unit=sender_unit,
            title=title,
            body=body,
            target_municipality=municipality,
            replies_to_sender=replies_to_sender,
            urgent=urgent,
            status=NoticeStatus.AWAITING_APPROVAL if needs_approval else NoticeStatus.SCHEDULED,
            send_at=send_at or now,
            created_by_id=user.pk,
            created_at=now,
        )
        notice.full_clean()
        notice.save()
        notice.target_units.set(targets)
        audit_record(
            action="create",
            event="messaging.notice.create",
            object_type="messaging.notice",
            object_id=notice.pk,
            user_id=user.pk,
        )
        if notice.status == NoticeStatus.SCHEDULED and notice.send_at <= now:
            notice_send(notice_id=notice.pk)
            notice.refresh_from_db()
    return notice


def notice_approve(*, user: Actor, notice_id: int) -> Notice:
    """Approve a notice waiting for a leader; it is then sent (now or at its time)."""
    notice = Notice.objects.filter(pk=notice_id, status=NoticeStatus.AWAITING_APPROVAL).first()
    if notice is None or not has_action(user=user, action=NOTICE_APPROVE, target=notice.unit):
        raise NotFound(_("Fant ikke oppslaget."))
    with transaction.atomic():
        notice.status = NoticeStatus.SCHEDULED
        notice.save(update_fields=["status"])
        audit_record(
            action="update",
            event="messaging.notice.approve",
            object_type="messaging.notice",
            object_id=notice.pk,
            user_id=user.pk,
        )
        if notice.send_at <= clock.now():
            notice_send(notice_id=notice.pk)
            notice.refresh_from_db()
    return notice


def _recipients_insert(notice: Notice) -> list[int]:
    """Record every adult the relation policy lets hear about a child placed under the targets; return their ids.

    One ``INSERT … SELECT DISTINCT ON`` (a guardian of several children gets the notice once).
    """
    today = clock.today()
    if notice.target_municipality_id is not None:
        in_targets = Q(unit__municipality_id=notice.target_municipality_id)
    else:
        paths = list(notice.target_units.values_list("path", flat=True))
        in_targets = reduce(or_, (Q(unit__path__startswith=p) | Q(group__path__startswith=p) for p in paths))
    children = Placement.objects.filter(in_targets, active_on(today, fields=DATED)).values("child_id")
    # The kernel relation policy: a notice to a unit names the child's unit, so it goes only to adults who may
    # learn it (never to the parent a strengt fortrolig child does not live with); a municipality-wide notice
    # names no unit of the child and goes to everyone with the information right.
    right = ChildRight.INFORMATION if notice.target_municipality_id is not None else ChildRight.WHEREABOUTS
    relations = PersonRelation.objects.filter(
        relation_active_q(on=today), relation_q(right=right), child_id__in=children
    ).values("adult_id", "child_id")
    sql, params = relations.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(
            f"""
            INSERT INTO {NoticeRecipient._meta.db_table} (notice_id, guardian_id, child_id)
            SELECT DISTINCT ON (r.adult_id) %s, r.adult_id, r.child_id
            FROM ({sql}) AS r(adult_id, child_id)
            ORDER BY r.adult_id, r.child_id
            ON CONFLICT (notice_id, guardian_id) DO NOTHING
            """,  # noqa: S608 - only table names are interpolated; values are parameters
            [notice.pk, *params],
        )
    return list(NoticeRecipient.objects.filter(notice=notice).values_list("guardian_id", flat=True))


def notice_send(*, notice_id: int) -> int:
    """Send a due notice: record recipients and fan notifications out in batches; idempotent."""
    with transaction.atomic():
        notice = Notice.objects.select_for_update().filter(pk=notice_id).first()
        if notice is None or notice.status != NoticeStatus.SCHEDULED:
            return 0
        guardian_ids = _recipients_insert(notice)
        notice.status = NoticeStatus.SENT
        notice.sent_at = clock.now()
        notice.save(update_fields=["status", "sent_at"])
        notify_persons(
            person_ids=guardian_ids,
            key=f"notice:{notice.pk}",
            title=_urgent_title(_("Nytt oppslag fra %(unit)s") % {"unit": notice.unit.name}, urgent=notice.urgent),
            url=f"/meldinger/portal/oppslag/{notice.pk}/",
            urgent=notice.urgent,
            unit_id=notice.unit_id,
        )
        audit_record(
            action="send",
            event="messaging.notice.send",
            object_type="messaging.notice",
            object_id=notice.pk,
            details={"recipients": len(guardian_ids)},
        )
    return len(guardian_ids)


def notices_send_due() -> int:
    """Send every scheduled notice whose time has come (beat)."""
    ids = list(
        Notice.objects.filter(status=NoticeStatus.SCHEDULED, send_at__lte=clock.now()).values_list("pk", flat=True)
    )
    return sum(notice_send(notice_id=i) for i in ids)


def notice_reply(*, user: Actor, notice_id: int, body: str) -> Thread:
    """Reply to a notice that allows it: the reply goes to the sender only, in a thread with one side."""
    body = _clean_body(body)
    principal = principal_for(user)
    recipient = (
        NoticeRecipient.objects.select_related("notice__mailbox__unit")
        .filter(notice_id=notice_id, guardian_id=principal.person_id)
        .first()
        if principal.kind == AccountKind.GUARDIAN
        else None
    )
    if recipient is None:
        raise NotFound(_("Fant ikke oppslaget."))
    notice = recipient.notice
    if not notice.replies_to_sender:
        raise ValidationError(_("Dette oppslaget kan ikke besvares."), code="no_replies")
    _rate_limit_guardian(person_id=recipient.guardian_id)
    now = clock.now()
    with transaction.atomic():
        side = (
            ThreadSide.objects.select_related("thread")
            .filter(thread__notice=notice, guardian_id=recipient.guardian_id)
            .first()
        )
        if side is None:
            thread = Thread.objects.create(
                mailbox=notice.mailbox,
                unit=notice.mailbox.unit,
                child_id=recipient.child_id,
                subject=(_("Svar: %(title)s") % {"title": notice.title})[:200],
                notice=notice,
                created_by_id=user.pk,
                created_at=now,
                last_message_at=now,
                awaiting_staff_since=now,
            )
            side = ThreadSide.objects.create(thread=thread, guardian_id=recipient.guardian_id)
            # The reply goes to the sender only: they are the one on the thread.
            sender = Account.objects.filter(user_id=notice.created_by_id, person__isnull=False).values_list(
                "person_id", flat=True
            )
            participants_add(thread=thread, person_ids=list(sender) or mailbox_handler_ids(mailbox=notice.mailbox))
        else:
            thread = side.thread
            thread.last_message_at = now
            thread.awaiting_staff_since = thread.awaiting_staff_since or now
            thread.save(update_fields=["last_message_at", "awaiting_staff_since"])
        message = Message.objects.create(
            thread=thread,
            side=side,
            author_kind=AuthorKind.GUARDIAN,
            author_id=user.pk,
            author_name=_author_name(user),
            body=body,
            created_at=now,
        )
        audit_record(
            action="create",
            event="messaging.notice.reply",
            person_ids=[recipient.child_id],
            object_type="messaging.message",
            object_id=message.pk,
            user_id=user.pk,
        )
        _notify_staff(thread=thread, message=message)
    return thread


def notice_mark_read(*, user: Actor, notice_id: int) -> None:
    """Mark a received notice read by the guardian."""
    person_id = principal_for(user).person_id
    NoticeRecipient.objects.filter(notice_id=notice_id, guardian_id=person_id, read_at__isnull=True).update(
        read_at=clock.now()
    )
