"""Reads of Kommunikasjon med hjemmet: inboxes, workspace figures, calendar and the ICS feed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import icalendar
from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from messaging.models import AuthorKind, Event, Message, Notice, NoticeRecipient, NoticeStatus, Thread, ThreadSide
from oas import clock
from oas.access.evaluation import access_queryset
from oas.access.principal import principal_for
from oas.access.relations import ChildRight, user_child_ids
from oas.organisation.models import OrgUnitKind
from oas.people.models import Placement
from oas.periods import DATED, active_on

if TYPE_CHECKING:
    from oas.access.principal import Actor

THREAD_READ = "messaging.thread.read"


def guardian_children_units(*, user: Actor) -> dict[int, list[str]]:
    """Return, for each child the user is guardian-side for, the paths of the child's current units and groups."""
    # The kernel relation policy: only children whose unit the adult may learn (not a parent without
    # foreldreansvar, not the parent a strengt fortrolig child does not live with).
    child_ids = sorted(user_child_ids(user=user, right=ChildRight.WHEREABOUTS))
    today = clock.today()
    out: dict[int, list[str]] = {}
    rows = Placement.objects.filter(active_on(today, fields=DATED), child_id__in=child_ids).values_list(
        "child_id", "unit__path", "group__path"
    )
    for child_id, unit_path, group_path in rows:
        out.setdefault(child_id, []).append(unit_path)
        if group_path:
            out[child_id].append(group_path)
    return out


def guardian_threads(*, user: Actor) -> QuerySet[ThreadSide]:
    """Return the guardian's sides (one inbox across all children, units and municipalities)."""
    person_id = principal_for(user).person_id
    unread = Message.objects.filter(thread=OuterRef("thread"), created_at__gt=OuterRef("last_read_at")).filter(
        Q(side__isnull=True) | Q(side=OuterRef("pk"))
    )
    never_read = Q(last_read_at__isnull=True)
    return (
        ThreadSide.objects.filter(guardian_id=person_id)
        .select_related("thread__unit", "thread__child")
        .annotate(has_unread=Exists(unread))
        .annotate(unread_flag=Q(has_unread=True) | never_read)
        .order_by("-thread__last_message_at")
    )


def guardian_notices(*, user: Actor) -> QuerySet[NoticeRecipient]:
    """Return the notices the guardian received, newest first."""
    person_id = principal_for(user).person_id
    return (
        NoticeRecipient.objects.filter(guardian_id=person_id, notice__status=NoticeStatus.SENT)
        .select_related("notice__unit", "child")
        .order_by("-notice__sent_at")
    )


def staff_threads(*, user: Actor) -> QuerySet[Thread]:
    """Return the threads the staff member may read (on them, or handling the mailbox), newest first (in SQL)."""
    from messaging.services.mailboxes import staff_threads_visible

    return staff_threads_visible(user=user).select_related("child", "unit").order_by("-last_message_at")


def _overdue(qs: QuerySet[Thread]) -> QuerySet[Thread]:
    deadline = ExpressionWrapper(
        F("awaiting_staff_since") + F("mailbox__response_time_hours") * dt.timedelta(hours=1),
        output_field=DateTimeField(),
    )
    return qs.filter(awaiting_staff_since__isnull=False).alias(deadline=deadline).filter(deadline__lt=clock.now())


def staff_threads_awaiting(*, user: Actor) -> QuerySet[Thread]:
    """Threads the user may read whose latest guardian message has waited longer than the response time."""
    return _overdue(staff_threads(user=user))


def overdue_threads_managed(*, user: Actor) -> QuerySet[Thread]:
    """Overdue threads the user may read or whose mailbox they manage (leaders): for counts, never content."""
    from messaging.models import Mailbox
    from messaging.services.mailboxes import staff_thread_filter

    mailboxes = access_queryset(user=user, action="messaging.mailbox.manage", queryset=Mailbox.objects.all())
    return _overdue(Thread.objects.filter(Q(mailbox__in=mailboxes.values("pk")) | staff_thread_filter(user=user)))


def staff_threads_unanswered(*, user: Actor) -> QuerySet[Thread]:
    """Threads where the latest guardian message has no staff answer yet."""
    return staff_threads(user=user).filter(awaiting_staff_since__isnull=False)


# "Unanswered messages older than two days" on the leader's snapshot (issue 15): a fixed 48 hours, whatever the
# mailbox's own response time (the overdue figure follows that).
UNANSWERED_AFTER = dt.timedelta(hours=48)


def staff_threads_unanswered_for_days(*, user: Actor, unit_path: str | None = None) -> QuerySet[Thread]:
    """Threads the user may read whose latest message is a guardian's, older than 48 hours, with no staff reply.

    ``unit_path`` keeps the threads to that unit and the units under it. The snapshot's count and the inbox list
    behind its link are both this queryset, so they agree.
    """
    latest_author = Message.objects.filter(thread=OuterRef("pk")).order_by("-created_at", "-pk").values("author_kind")
    qs = (
        staff_threads(user=user)
        .filter(awaiting_staff_since__isnull=False, last_message_at__lt=clock.now() - UNANSWERED_AFTER)
        .alias(latest_author=Subquery(latest_author[:1]))
        .filter(latest_author=AuthorKind.GUARDIAN)
    )
    if unit_path is not None:
        qs = qs.filter(unit__path__startswith=unit_path)
    return qs


def notices_awaiting_approval(*, user: Actor) -> QuerySet[Notice]:
    """Notices in units the user may approve that wait for approval."""
    from oas.access.evaluation import access_filter
    from oas.organisation.models import OrgUnit

    units = OrgUnit.objects.filter(access_filter(user=user, action="messaging.notice.approve", model=OrgUnit))
    return Notice.objects.filter(status=NoticeStatus.AWAITING_APPROVAL, unit__in=units)


def thread_guardian_view_hides_unit(*, user: Actor, thread: Thread) -> bool:
    """Strengt fortrolig: the unit stays hidden from a guardian who does not live with the child."""
    from oas.access.privacy import placement_is_hidden

    return placement_is_hidden(user=user, child=thread.child)


def last_staff_message_has_guardian_reply(*, thread: Thread) -> bool:
    return thread.messages.filter(author_kind=AuthorKind.GUARDIAN).exists()


def events_for_user(*, user: Actor, start: dt.datetime | None = None, include_cancelled: bool = False) -> list[Event]:
    """Return events relevant to the user: their children's units/groups (guardians) or their units (staff).

    Cancelled events are left out unless ``include_cancelled`` (the ICS feed keeps them, marked cancelled).
    """
    principal = principal_for(user)
    paths: set[str] = set()
    if principal.kind == "guardian":
        for child_paths in guardian_children_units(user=user).values():
            paths.update(child_paths)
    else:
        paths.update(r.unit_path for r in principal.roles)
    if not paths:
        return []
    from oas.organisation.models import OrgUnit

    ancestor_ids: set[int] = set()
    municipality_ids: set[int] = set()
    for unit_id, path, municipality_id in OrgUnit.objects.filter(path__in=paths).values_list(
        "pk", "path", "municipality_id"
    ):
        ancestor_ids.update(int(p) for p in path.strip("/").split("/") if p)
        ancestor_ids.add(unit_id)
        municipality_ids.add(municipality_id)
    qs = Event.objects.filter(Q(unit_id__in=ancestor_ids) | Q(municipality_id__in=municipality_ids))
    if not include_cancelled:
        qs = qs.filter(cancelled_at__isnull=True)
    if start is not None:
        qs = qs.filter(ends_at__gte=start)
    return list(qs.select_related("unit").order_by("starts_at"))


ICS_PAST_DAYS = 90  # events (also cancelled ones) that ended within this many days stay in the feed


def ics_feed(*, user: Actor) -> bytes:
    """Return the user's calendar as an iCalendar document (children's or own units' events).

    A cancelled event stays in the feed with STATUS:CANCELLED, and every change raises SEQUENCE and
    LAST-MODIFIED/DTSTAMP: that is how subscribed Outlook, Google and Apple calendars pick up an edit or a
    cancellation (RFC 5545 §3.8.7.4; without METHOD, DTSTAMP is the last change).
    """
    cal = icalendar.Calendar()
    cal.add("prodid", "-//OAS//Kommunikasjon med hjemmet//NB")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("OAS kalender"))
    start = clock.now() - dt.timedelta(days=ICS_PAST_DAYS)
    for event in events_for_user(user=user, start=start, include_cancelled=True):
        changed = event.updated_at or event.created_at
        item = icalendar.Event()
        item.add("uid", f"oas-event-{event.pk}@oas")
        item.add("summary", event.title)
        item.add("dtstart", event.starts_at)
        item.add("dtend", event.ends_at)
        item.add("dtstamp", changed)
        item.add("created", event.created_at)
        item.add("last-modified", changed)
        item.add("sequence", event.sequence)
        item.add("status", "CANCELLED" if event.cancelled_at is not None else "CONFIRMED")
        if event.location:
            item.add("location", event.location)
        if event.description:
            item.add("description", event.description)
        cal.add_component(item)
    return bytes(cal.to_ical())


def events_managed(*, user: Actor, start: dt.datetime | None = None) -> QuerySet[Event]:
    """Events the user may edit or cancel: their units' (subtrees) and, for sector roles, the municipality's."""
    from oas.organisation.models import OrgUnit

    units = access_queryset(user=user, action="messaging.event.manage", queryset=OrgUnit.objects.all())
    municipality_ids = units.filter(parent__isnull=True).values("municipality_id")
    qs = Event.objects.filter(Q(unit__in=units.values("pk")) | Q(municipality_id__in=municipality_ids))
    qs = qs.filter(cancelled_at__isnull=True)
    if start is not None:
        qs = qs.filter(ends_at__gte=start)
    return qs.select_related("unit", "municipality").order_by("starts_at")


def event_units(*, user: Actor) -> QuerySet[Any]:
    """Units/groups the user may put events in (for the staff calendar form)."""
    from oas.organisation.models import OrgUnit

    return access_queryset(user=user, action="messaging.event.manage", queryset=OrgUnit.objects.order_by("path"))


def child_picker(*, user: Actor, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Children the staff member may message, matching ``query`` by name: name, birth date and group only.

    Never addresses. One query for the children plus one for their current groups.
    """
    from oas.access.getters import children_queryset

    words = [w for w in (query or "").split() if w][:4]
    if not words or len(query) > 100:
        return []
    # Children only: never adults (guardians, employees) and so never an adult's birth date.
    qs = children_queryset()
    for word in words:
        qs = qs.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
    children = list(
        access_queryset(user=user, action="messaging.child.message", queryset=qs)
        .order_by("last_name", "first_name", "pk")
        .values("pk", "first_name", "last_name", "birth_date")[:limit]
    )
    today = clock.today()
    groups: dict[int, list[str]] = {}
    for child_id, unit_name, group_name in (
        Placement.objects.filter(active_on(today, fields=DATED), child_id__in=[c["pk"] for c in children])
        .values_list("child_id", "unit__name", "group__name")
        .order_by("unit__name")
    ):
        groups.setdefault(child_id, []).append(f"{unit_name} – {group_name}" if group_name else unit_name)
    for c in children:
        c["groups"] = groups.get(c["pk"], [])
    return children


@dataclass(frozen=True)
class RecipientOption:
    """Someone a guardian may start a message to about one child: the child's class/department or unit office."""

    child_id: int
    child_name: str
    unit_id: int
    label: str

    @property
    def value(self) -> str:
        return f"{self.child_id}:{self.unit_id}"


def _recipient_label(*, kind: str, name: str) -> str:
    if kind == OrgUnitKind.CLASS:
        return _("Kontaktlærer (%(group)s)") % {"group": name}
    if kind in (OrgUnitKind.DEPARTMENT, OrgUnitKind.GROUP):
        return _("Avdeling %(group)s") % {"group": name}
    return _("Kontoret – %(unit)s") % {"unit": name}


def guardian_message_recipients(*, user: Actor) -> list[RecipientOption]:
    """Return whom the guardian may start a message to, per child: the child's group and the unit's office.

    Only children the guardian may message (``messaging.child.message``) and whose unit the guardian may learn
    (the kernel relation policy's ``WHEREABOUTS``): the parent a strengt fortrolig child does not live with gets
    no recipient for that child, because every recipient names the unit.
    """
    from oas.access.evaluation import has_action

    child_ids = sorted(user_child_ids(user=user, right=ChildRight.WHEREABOUTS))
    placements = (
        Placement.objects.filter(active_on(clock.today(), fields=DATED), child_id__in=child_ids)
        .select_related("child", "unit", "group")
        .order_by("child__first_name", "child_id", "service", "pk")
    )
    options: list[RecipientOption] = []
    allowed: dict[int, bool] = {}
    for p in placements:
        if p.child_id not in allowed:
            allowed[p.child_id] = has_action(user=user, action="messaging.child.message", target=p.child)
        if not allowed[p.child_id]:
            continue
        name = p.child.first_name
        if p.group is not None:
            label = _recipient_label(kind=p.group.kind, name=p.group.name)
            options.append(RecipientOption(child_id=p.child_id, child_name=name, unit_id=p.group.pk, label=label))
        label = _recipient_label(kind=p.unit.kind, name=p.unit.name)
        options.append(RecipientOption(child_id=p.child_id, child_name=name, unit_id=p.unit_id, label=label))
    return list(dict.fromkeys(options))  # a child in one unit twice (school and SFO at one school) lists it once


NOTICE_SEND = "messaging.notice.send"


def notices_sent(*, user: Actor) -> QuerySet[Notice]:
    """Return the notices the user wrote from units they may still send for, newest first, with read counts."""
    from oas.organisation.models import OrgUnit

    units = access_queryset(user=user, action=NOTICE_SEND, queryset=OrgUnit.objects.all())
    return (
        Notice.objects.filter(created_by_id=user.pk, unit__in=units)
        .select_related("unit")
        .annotate(
            recipient_count=Count("recipients"),
            read_count=Count("recipients", filter=Q(recipients__read_at__isnull=False)),
        )
        .order_by("-created_at", "-pk")
    )


def access_notice_sent(*, user: Actor, id: int) -> Notice:
    """Return a notice the user wrote, if they may still send for its unit; else ``AccessNotFound`` (logged)."""
    from oas.access.getters import AccessNotFound, access_unit
    from oas.audit.models import AuditAction
    from oas.audit.services import audit_record

    notice = Notice.objects.filter(pk=id, created_by_id=user.pk).select_related("unit").first()
    if notice is None:
        audit_record(
            action=AuditAction.DENIED,
            event=f"{NOTICE_SEND}.denied",
            object_type="messaging.Notice",
            object_id=str(id),
            details={"action": NOTICE_SEND},
        )
        raise AccessNotFound(_("Ikke funnet."))
    access_unit(user=user, id=notice.unit_id, action=NOTICE_SEND)  # raises AccessNotFound (logged) if refused
    return notice


@dataclass(frozen=True)
class UnreadRecipient:
    guardian_id: int
    guardian_name: str
    child_name: str


def notice_unread_recipients(*, notice: Notice) -> list[UnreadRecipient]:
    """Return who has not read the notice yet (the guardian and the child it reached them through), by name."""
    rows = (
        NoticeRecipient.objects.filter(notice=notice, read_at__isnull=True)
        .select_related("guardian", "child")
        .order_by("guardian__last_name", "guardian__first_name", "pk")
    )
    return [
        UnreadRecipient(
            guardian_id=r.guardian_id,
            guardian_name=f"{r.guardian.first_name} {r.guardian.last_name}".strip(),
            child_name=f"{r.child.first_name} {r.child.last_name}".strip(),
        )
        for r in rows
    ]


@dataclass
class CalendarPage:
    """What the calendar page shows one user."""

    events: list[Event]
    feed_token: str
    open_slots: list[Any]
    my_slots: list[Any]
    children: list[Any]
    can_manage: bool


def calendar_page_for(*, user: Actor) -> CalendarPage:
    """Return the user's calendar: events for my children (or my units), open and booked slots, my feed token."""
    from messaging.models import CalendarFeedToken, EventSlot
    from oas.access.evaluation import has_action_anywhere
    from oas.identity.models import AccountKind
    from oas.people.models import Person

    principal = principal_for(user)
    events = events_for_user(user=user, start=clock.now() - dt.timedelta(days=1))
    token = CalendarFeedToken.objects.filter(user_id=user.pk, revoked_at__isnull=True).first()
    child_ids = list(guardian_children_units(user=user)) if principal.kind == AccountKind.GUARDIAN else []
    children = list(Person.objects.filter(pk__in=child_ids).only("first_name", "middle_name", "last_name"))
    names = {c.pk: c.full_name for c in children}
    slots = list(
        EventSlot.objects.filter(event__in=[e for e in events if e.bookable])
        .select_related("event")
        .order_by("starts_at")
    )
    me = principal.person_id
    mine = [s for s in slots if me is not None and s.booked_by_id == me]
    for s in mine:
        s.child_name = names.get(s.child_id or 0, "")  # type: ignore[attr-defined]
    return CalendarPage(
        events=events,
        feed_token=str(token.token) if token else "",
        open_slots=[s for s in slots if s.child_id is None],
        my_slots=mine,
        children=children,
        can_manage=has_action_anywhere(user=user, action="messaging.event.manage"),
    )
