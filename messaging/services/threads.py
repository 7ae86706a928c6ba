"""Threads about a child: recipients by the access rules, one side per guardian, replies to own side only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from messaging.models import MAX_BODY_CHARS, AuthorKind, Mailbox, Message, MessageRead, Thread, ThreadSide
from messaging.selectors import guardian_message_recipients
from messaging.services.attachments import MAX_ATTACHMENTS, Upload, attachment_validate, attachments_store
from messaging.services.mailboxes import (
    mailbox_handler_ids,
    participants_add,
    staff_may_read_thread,
    staff_threads_visible,
    thread_staff_to_notify,
)
from messaging.services.notifications import notify_persons
from oas import clock
from oas.access.evaluation import has_action
from oas.access.principal import Actor, principal_for
from oas.access.relations import ChildRight, relation_rights
from oas.audit.services import audit_record
from oas.errors import NotFound, PermissionDenied, ValidationError
from oas.identity.models import Account, AccountKind
from oas.organisation.models import OrgUnit
from oas.people.models import Adressebeskyttelse, Person, PersonRelation
from oas.periods import active_on
from oas.text import text_check

CHILD_MESSAGE = "messaging.child.message"
THREAD_READ = "messaging.thread.read"
MAILBOX_USE = "messaging.mailbox.use"
RECALL_WINDOW = dt.timedelta(minutes=15)


def _guardian_rate_limit() -> int:
    return int(getattr(settings, "MESSAGING_GUARDIAN_MESSAGES_PER_HOUR", 20))


def mailbox_for_unit(*, unit: OrgUnit) -> Mailbox:
    """Return the unit's (or group's) mailbox, creating it on first use."""
    mailbox, _created = Mailbox.objects.get_or_create(unit=unit)
    return mailbox


def _clean_body(body: str) -> str:
    # Refused, not stripped: the message must be stored exactly as written or not at all.
    body = text_check(value=body or "", field="body", label=_("Meldingen")).strip()
    if not body:
        raise ValidationError(_("Meldingen er tom."), fields={"body": [_("Skriv en melding.")]}, code="empty")
    if len(body) > MAX_BODY_CHARS:
        raise ValidationError(
            _("Meldingen er for lang (høyst %(max)s tegn).") % {"max": MAX_BODY_CHARS},
            fields={"body": [_("For lang.")]},
            code="too_long",
        )
    return body


def _clean_subject(subject: str) -> str:
    subject = text_check(value=subject or "", field="subject", label=_("Emnet")).strip()
    if not subject or len(subject) > 200:
        raise ValidationError(_("Emnet må ha 1–200 tegn."), fields={"subject": [_("Ugyldig emne.")]}, code="subject")
    return subject


def thread_recipients(*, child: Person) -> list[Person]:
    """Return the adults who take part in threads about ``child`` by the access rules.

    Guardians with foreldreansvar always; a parent without it only with an explicit grant; foster parents
    and pick-up persons when the municipality's configuration gives them ``messaging.child.message``.
    Adults without an account yet: guardians with foreldreansvar only (they are notified by e-mail/SMS).
    """
    today = clock.today()
    relations = PersonRelation.objects.filter(active_on(today), child=child).select_related("adult")
    accounts = {
        a.person_id: a
        for a in Account.objects.filter(
            person_id__in=[r.adult_id for r in relations], kind=AccountKind.GUARDIAN
        ).select_related("user")
    }
    chosen: dict[int, Person] = {}
    for rel in relations:
        account = accounts.get(rel.adult_id)
        if account is not None:
            allowed = has_action(user=account.user, action=CHILD_MESSAGE, target=child)
        else:
            # The kernel relation policy: the adults with the information right.
            allowed = ChildRight.INFORMATION in relation_rights(
                kind=rel.kind,
                lives_with_child=rel.lives_with_child,
                child_strengt_fortrolig=child.adressebeskyttelse == Adressebeskyttelse.STRENGT_FORTROLIG,
            )
        if allowed:
            chosen[rel.adult_id] = rel.adult
    return sorted(chosen.values(), key=lambda p: p.pk)


def _deny(*, user: Actor, child_id: int, event: str) -> None:
    audit_record(
        action="denied",
        event=event,
        person_ids=[child_id] if Person.objects.filter(pk=child_id).exists() else [],
        object_type="person",
        object_id=child_id,
        user_id=user.pk,
    )


def _rate_limit_guardian(*, person_id: int) -> None:
    key = f"messaging:rate:{person_id}:{clock.now():%Y%m%d%H}"
    count = cache.get_or_set(key, 0, timeout=3700)
    if int(count or 0) >= _guardian_rate_limit():
        raise ValidationError(
            _("Du har sendt mange meldinger den siste timen. Vent litt før du sender flere."), code="rate_limited"
        )
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3700)


def _urgent_title(title: str, *, urgent: bool) -> str:
    """Urgent notifications say so in the e-mail subject, the SMS and the push text (never the content)."""
    return _("Haster: %(title)s") % {"title": title} if urgent else title


def _notify_guardians(*, thread: Thread, message: Message, guardian_ids: list[int]) -> None:
    title = (
        _("Du har en ny melding (sensitiv – logg inn for å lese)") if thread.sensitive else _("Du har en ny melding")
    )
    notify_persons(
        person_ids=guardian_ids,
        key=f"msg:{message.pk}",
        title=_urgent_title(title, urgent=message.urgent),
        url=f"/meldinger/portal/{thread.pk}/",
        # Only staff mark messages to guardians urgent: those go at once; the rest wait out the quiet hours.
        urgent=message.urgent,
        unit_id=thread.unit_id,
    )


def _notify_staff(*, thread: Thread, message: Message) -> int:
    """Tell the staff on the thread (or the mailbox's handlers; substitutes for the away) of a guardian's message.

    Whoever is told is on the thread from then on, so nobody is notified of something they may not open.
    """
    recipients = thread_staff_to_notify(thread=thread)
    participants_add(thread=thread, person_ids=recipients)
    return notify_persons(
        person_ids=recipients,
        key=f"msg:{message.pk}",
        title=_urgent_title(_("Ny melding fra foresatt"), urgent=message.urgent),
        url=f"/meldinger/{thread.pk}/",
        urgent=message.urgent,
        staff=True,
        bypass_quiet_hours=message.urgent and thread.mailbox.urgent_bypasses_quiet_hours,
        unit_id=thread.unit_id,
    )


def _guardian_urgent_allowed(*, mailbox: Mailbox, urgent: bool) -> None:
    if urgent and not mailbox.guardians_may_mark_urgent:
        raise ValidationError(
            _("Denne enheten tar ikke imot meldinger merket «haster». Ring enheten hvis det haster."),
            fields={"urgent": [_("Ikke tillatt her.")]},
            code="urgent_not_allowed",
        )


def guardian_may_mark_urgent(*, thread: Thread) -> bool:
    """Whether a guardian may mark a message in this thread urgent (the unit's mailbox allows it)."""
    return bool(thread.mailbox.guardians_may_mark_urgent)


def _author_name(user: Actor) -> str:
    return principal_for(user).display_name or getattr(user, "username", "")


def thread_start(
    *,
    user: Actor,
    child_id: int,
    unit_id: int,
    subject: str,
    body: str,
    sensitive: bool = False,
    urgent: bool = False,
    uploads: list[Upload] | None = None,
) -> Thread:
    """Start a thread about a child from a unit/group mailbox (staff) or to the child's unit (guardian)."""
    subject = _clean_subject(subject)
    body = _clean_body(body)
    uploads = uploads or []
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(_("Høyst %(max)s vedlegg.") % {"max": MAX_ATTACHMENTS}, code="too_many_attachments")
    content_types = [attachment_validate(upload=u) for u in uploads]
    # Access is checked before the transaction so that the "denied" audit row is kept.
    child = Person.objects.filter(pk=child_id).first()
    if child is None or not has_action(user=user, action=CHILD_MESSAGE, target=child):
        _deny(user=user, child_id=child_id, event="messaging.thread.start")
        raise NotFound(_("Fant ikke barnet."))
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise ValidationError(_("Ukjent enhet."), fields={"unit": [_("Ukjent enhet.")]})
    principal = principal_for(user)
    is_guardian = principal.kind == AccountKind.GUARDIAN
    if is_guardian:
        _rate_limit_guardian(person_id=principal.person_id or 0)
        # Only the recipients the portal offers: the child's group or unit, and never for a child whose unit the
        # guardian may not learn (one answer for every refusal, so the form cannot confirm where a child is).
        offered = {(o.child_id, o.unit_id) for o in guardian_message_recipients(user=user)}
        if (child.pk, unit.pk) not in offered:
            message = _("Velg en mottaker fra listen.")
            raise ValidationError(message, fields={"recipient": [message]}, code="recipient")
    mailbox = mailbox_for_unit(unit=unit)
    if is_guardian:
        _guardian_urgent_allowed(mailbox=mailbox, urgent=urgent)
    if not is_guardian and not has_action(user=user, action=MAILBOX_USE, target=mailbox):
        _deny(user=user, child_id=child_id, event="messaging.thread.start")
        raise PermissionDenied(_("Du kan ikke skrive fra denne postkassen."))
    with transaction.atomic():
        return _thread_create(
            user=user,
            child=child,
            unit=unit,
            mailbox=mailbox,
            is_guardian=is_guardian,
            guardian_id=principal.person_id,
            subject=subject,
            body=body,
            sensitive=sensitive,
            urgent=urgent,
            uploads=uploads,
            content_types=content_types,
        )


def _thread_create(
    *,
    user: Actor,
    child: Person,
    unit: OrgUnit,
    mailbox: Mailbox,
    is_guardian: bool,
    guardian_id: int | None,
    subject: str,
    body: str,
    sensitive: bool,
    urgent: bool,
    uploads: list[Upload],
    content_types: list[str],
) -> Thread:
    now = clock.now()
    thread = Thread(
        mailbox=mailbox,
        unit=unit,
        child=child,
        subject=subject,
        sensitive=sensitive,
        urgent=urgent,
        created_by_id=user.pk,
        created_at=now,
        last_message_at=now,
        awaiting_staff_since=now if is_guardian else None,
    )
    thread.full_clean()
    thread.save()
    if is_guardian:
        # A guardian writes on their own side only: the other parent does not see it.
        assert guardian_id is not None
        side = ThreadSide.objects.create(thread=thread, guardian_id=guardian_id)
        sides = [side]
    else:
        recipients = thread_recipients(child=child)
        if not recipients:
            raise ValidationError(_("Barnet har ingen foresatte som kan motta meldinger."), code="no_recipients")
        sides = [ThreadSide.objects.create(thread=thread, guardian=p) for p in recipients]
    # Need-to-know: the staff author is on the thread; a guardian's new thread goes to the mailbox's handlers.
    author_person = principal_for(user).person_id
    if is_guardian:
        participants_add(thread=thread, person_ids=mailbox_handler_ids(mailbox=mailbox, sensitive=sensitive))
    elif author_person is not None:
        participants_add(thread=thread, person_ids=[author_person])
    message = Message.objects.create(
        thread=thread,
        side=sides[0] if is_guardian else None,
        author_kind=AuthorKind.GUARDIAN if is_guardian else AuthorKind.STAFF,
        author_id=user.pk,
        author_name=_author_name(user),
        body=body,
        urgent=urgent,
        created_at=now,
    )
    attachments_store(message=message, uploads=uploads, content_types=content_types)
    audit_record(
        action="create",
        event="messaging.thread.start",
        person_ids=[child.pk],
        object_type="messaging.thread",
        object_id=thread.pk,
        # Never the content: sensitive or not, message text stays out of logs.
        details={"sensitive": sensitive, "sides": len(sides)},
        user_id=user.pk,
    )
    if is_guardian:
        _notify_staff(thread=thread, message=message)
        _out_of_office_reply(thread=thread, side=sides[0])
    else:
        _notify_guardians(thread=thread, message=message, guardian_ids=[s.guardian_id for s in sides])
    return thread


def _out_of_office_reply(*, thread: Thread, side: ThreadSide) -> None:
    mailbox = thread.mailbox
    today = clock.today()
    if not mailbox.out_of_office_message or (mailbox.out_of_office_until and mailbox.out_of_office_until < today):
        return
    already = Message.objects.filter(
        thread=thread, side=side, author_kind=AuthorKind.SYSTEM, created_at__date=clock.now().date()
    ).exists()
    if not already:
        Message.objects.create(
            thread=thread,
            side=side,
            author_kind=AuthorKind.SYSTEM,
            author_name=mailbox.unit.name,
            body=mailbox.out_of_office_message,
            created_at=clock.now(),
        )


def guardian_side_for(*, user: Actor, thread: Thread) -> ThreadSide | None:
    """Return the user's own side of the thread (guardians), or None."""
    principal = principal_for(user)
    if principal.kind != AccountKind.GUARDIAN or principal.person_id is None:
        return None
    return ThreadSide.objects.filter(thread=thread, guardian_id=principal.person_id).first()


def access_thread(*, user: Actor, id: int) -> tuple[Thread, ThreadSide | None]:
    """Fetch a thread the user may read: staff on it or handling its mailbox (need-to-know), guardians by side.

    Staff who work at the unit but may not read it get PermissionDenied (403); anyone else NotFound.
    """
    thread = Thread.objects.select_related("mailbox__unit", "child", "unit").filter(pk=id).first()
    if thread is not None:
        side = guardian_side_for(user=user, thread=thread)
        if side is not None:
            return thread, side
        if principal_for(user).kind == AccountKind.STAFF:
            if staff_may_read_thread(user=user, thread=thread):
                return thread, None
            if has_action(user=user, action=THREAD_READ, target=thread):
                # Works at the unit, so may know the mailbox exists, but is neither on the conversation nor a
                # handler of the mailbox (need-to-know): refused, not hidden.
                audit_record(
                    action="denied",
                    event="messaging.thread.read",
                    object_type="messaging.thread",
                    object_id=id,
                    user_id=user.pk,
                    person_ids=[thread.child_id],
                    details={"reason": "need_to_know"},
                )
                raise PermissionDenied(_("Du er ikke med i denne samtalen."), code="not_on_thread")
    audit_record(
        action="denied",
        event="messaging.thread.read",
        object_type="messaging.thread",
        object_id=id,
        user_id=user.pk,
        person_ids=[thread.child_id] if thread is not None else [],
    )
    raise NotFound(_("Fant ikke meldingstråden."))


def message_reply(
    *,
    user: Actor,
    thread_id: int,
    body: str,
    side_id: int | None = None,
    urgent: bool = False,
    uploads: list[Upload] | None = None,
    stepped_up: bool = False,
) -> Message:
    """Reply in a thread. Guardians always write on their own side; staff to one side or to every side.

    A guardian writes in a sensitive thread only after a level-high step-up (``stepped_up``), as for reading.
    """
    body = _clean_body(body)
    uploads = uploads or []
    if len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(_("Høyst %(max)s vedlegg.") % {"max": MAX_ATTACHMENTS}, code="too_many_attachments")
    content_types = [attachment_validate(upload=u) for u in uploads]
    thread, own_side = access_thread(user=user, id=thread_id)  # outside the transaction: keeps the denial row
    if own_side is not None:
        if thread.sensitive and not stepped_up:
            audit_record(
                action="denied",
                event="messaging.message.create",
                person_ids=[thread.child_id],
                object_type="messaging.thread",
                object_id=thread.pk,
                details={"reason": "stepup_required"},
                user_id=user.pk,
            )
            raise PermissionDenied(
                _("Sensitiv melding: logg inn med høyt sikkerhetsnivå for å svare."), code="stepup_required"
            )
        _guardian_urgent_allowed(mailbox=thread.mailbox, urgent=urgent)
    with transaction.atomic():
        return _message_create(
            user=user,
            thread=thread,
            own_side=own_side,
            side_id=side_id,
            body=body,
            urgent=urgent,
            uploads=uploads,
            content_types=content_types,
        )


def _message_create(
    *,
    user: Actor,
    thread: Thread,
    own_side: ThreadSide | None,
    side_id: int | None,
    body: str,
    urgent: bool,
    uploads: list[Upload],
    content_types: list[str],
) -> Message:
    now = clock.now()
    if own_side is not None:
        _rate_limit_guardian(person_id=own_side.guardian_id)
        side: ThreadSide | None = own_side
        kind = AuthorKind.GUARDIAN
    else:
        kind = AuthorKind.STAFF
        side = None
        if side_id is not None:
            side = ThreadSide.objects.filter(pk=side_id, thread=thread).first()
            if side is None:
                raise ValidationError(_("Ukjent mottaker."), fields={"side": [_("Ukjent mottaker.")]})
        author_person = principal_for(user).person_id
        if author_person is not None:
            participants_add(thread=thread, person_ids=[author_person])
    message = Message.objects.create(
        thread=thread,
        side=side,
        author_kind=kind,
        author_id=user.pk,
        author_name=_author_name(user),
        body=body,
        urgent=urgent,
        created_at=now,
    )
    attachments_store(message=message, uploads=uploads, content_types=content_types)
    thread.last_message_at = now
    thread.awaiting_staff_since = (thread.awaiting_staff_since or now) if kind == AuthorKind.GUARDIAN else None
    thread.save(update_fields=["last_message_at", "awaiting_staff_since"])
    audit_record(
        action="create",
        event="messaging.message.create",
        person_ids=[thread.child_id],
        object_type="messaging.message",
        object_id=message.pk,
        user_id=user.pk,
    )
    if kind == AuthorKind.GUARDIAN:
        _notify_staff(thread=thread, message=message)
        assert side is not None
        _out_of_office_reply(thread=thread, side=side)
    else:
        targets = [side.guardian_id] if side else list(thread.sides.values_list("guardian_id", flat=True))
        _notify_guardians(thread=thread, message=message, guardian_ids=targets)
    return message


def visible_messages(*, thread: Thread, side: ThreadSide | None) -> list[Message]:
    """Return the messages of a thread the viewer sees: staff all, a guardian staff messages and their side."""
    qs = thread.messages.select_related("side__guardian").prefetch_related("attachments", "reads")
    if side is not None:
        qs = qs.filter(Q(side__isnull=True) | Q(side=side))
    return list(qs)


def thread_guardian_names(*, thread: Thread) -> dict[int, str]:
    """The names of the guardians in a thread (for staff: who has read a message)."""
    return {s.guardian_id: s.guardian.full_name for s in thread.sides.select_related("guardian")}


def thread_mark_read(*, user: Actor, thread: Thread, side: ThreadSide | None) -> None:
    """Record read receipts for what the viewer sees and move their read marker."""
    principal = principal_for(user)
    now = clock.now()
    if side is not None:
        ids = list(
            thread.messages.filter(Q(side__isnull=True) | Q(side=side))
            .exclude(author_kind=AuthorKind.GUARDIAN)
            .values_list("pk", flat=True)
        )
        MessageRead.objects.bulk_create(
            [MessageRead(message_id=i, person_id=side.guardian_id, read_at=now) for i in ids], ignore_conflicts=True
        )
        ThreadSide.objects.filter(pk=side.pk).update(last_read_at=now)
    elif principal.person_id is not None:
        ids = list(thread.messages.filter(author_kind=AuthorKind.GUARDIAN).values_list("pk", flat=True))
        MessageRead.objects.bulk_create(
            [MessageRead(message_id=i, person_id=principal.person_id, read_at=now) for i in ids],
            ignore_conflicts=True,
        )


@transaction.atomic
def message_recall(*, user: Actor, message_id: int) -> Message:
    """Recall one's own message within the recall window; it then shows as recalled to everyone."""
    message = Message.objects.select_for_update().filter(pk=message_id, author_id=user.pk).first()
    if message is None:
        raise NotFound(_("Fant ikke meldingen."))
    if message.recalled_at is not None:
        return message
    if clock.now() - message.created_at > RECALL_WINDOW:
        raise ValidationError(_("Meldingen kan bare trekkes tilbake de første 15 minuttene."), code="recall_window")
    message.recalled_at = clock.now()
    message.save(update_fields=["recalled_at"])
    audit_record(
        action="update",
        event="messaging.message.recall",
        person_ids=[message.thread.child_id],
        object_type="messaging.message",
        object_id=message.pk,
        user_id=user.pk,
    )
    return message


def staff_threads(*, user: Actor) -> Any:
    """Return the threads the staff member may read (need-to-know; a queryset filtered in SQL)."""
    return staff_threads_visible(user=user).select_related("child", "unit").order_by("-last_message_at")
