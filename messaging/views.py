"""Pages (htmx, bokmål): staff inbox/thread/notice compose; guardian inbox/thread/notice; calendar and ICS."""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from messaging import selectors
from messaging.models import (
    HANDLER_ROLE_CHOICES,
    Attachment,
    CalendarFeedToken,
    EventSlot,
    Notice,
    NoticeRecipient,
    StaffChannel,
)
from messaging.services import calendar as calendar_services
from messaging.services import mailboxes as mailbox_services
from messaging.services import notices as notice_services
from messaging.services import notifications as notification_services
from messaging.services import push as push_services
from messaging.services import threads as thread_services
from messaging.services.attachments import Upload, private_path, upload_from_request_file
from oas import clock
from oas.access.evaluation import access_queryset, has_action
from oas.access.markers import public, requires
from oas.access.principal import principal_for
from oas.audit.services import audit_read
from oas.errors import DomainError, NotFound, ValidationError
from oas.identity.models import AccountKind
from oas.identity.stepup import has_recent_high, stepup_url
from oas.organisation.models import OrgUnit


def _domain_errors(view: Any) -> Any:
    """Turn domain errors that escape a page into HTTP answers (not found → 404, refused → 403, bad → 400)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except DomainError as exc:
            return HttpResponse(exc.message, status=exc.http_status, content_type="text/plain; charset=utf-8")

    return wrapper


def _kind(request: HttpRequest) -> str:
    return principal_for(request.user).kind


def _uploads(request: HttpRequest) -> list[Upload]:
    return [upload_from_request_file(file=f, filename=f.name or "") for f in request.FILES.getlist("vedlegg")]


# --- staff ----------------------------------------------------------------------------------------


@requires("messaging.thread.read")
@require_GET
@_domain_errors
def staff_inbox(request: HttpRequest) -> HttpResponse:
    """The mailboxes the user shares: threads (newest first), filters for waiting and overdue."""
    show = request.GET.get("vis", "")
    if show == "venter":
        threads = selectors.staff_threads_unanswered(user=request.user)
    elif show == "forfalt":
        threads = selectors.staff_threads_awaiting(user=request.user)
    elif show == "ubesvart":
        # The leader's snapshot figure: exactly the threads it counts (to the unit, when one is given).
        enhet = request.GET.get("enhet", "")
        unit_path: str | None = None
        if enhet:
            unit_path = (
                OrgUnit.objects.filter(pk=int(enhet) if enhet.isdigit() else 0).values_list("path", flat=True).first()
            )
            unit_path = unit_path or "-"  # an unknown unit: nothing
        threads = selectors.staff_threads_unanswered_for_days(user=request.user, unit_path=unit_path)
    else:
        threads = selectors.staff_threads(user=request.user)
    rows = list(threads[:200])
    audit_read(event="messaging.staff_inbox", person_ids=[t.child_id for t in rows])
    approvals = list(selectors.notices_awaiting_approval(user=request.user)[:50])
    mailbox_units = list(
        access_queryset(
            user=request.user, action="messaging.mailbox.manage", queryset=OrgUnit.objects.order_by("path")
        )[:50]
    )
    return render(
        request,
        "messaging/staff_inbox.html",
        {"threads": rows, "show": show, "approvals": approvals, "mailbox_units": mailbox_units},
    )


@requires("messaging.thread.read")
@require_http_methods(["GET", "POST"])
@_domain_errors
def staff_thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    """One thread with every side; reply to all sides or to one guardian; give the thread to a colleague."""
    thread, side = thread_services.access_thread(user=request.user, id=thread_id)
    if side is not None or _kind(request) != AccountKind.STAFF:
        raise Http404
    error = ""
    if request.method == "POST":
        side_raw = request.POST.get("side") or ""
        try:
            if request.POST.get("op") == "legg-til":
                mailbox_services.thread_participant_add(
                    user=request.user, thread=thread, person_id=int(request.POST.get("person") or 0)
                )
            else:
                thread_services.message_reply(
                    user=request.user,
                    thread_id=thread.pk,
                    body=request.POST.get("body", ""),
                    side_id=int(side_raw) if side_raw.isdigit() else None,
                    urgent=bool(request.POST.get("urgent")),
                    uploads=_uploads(request),
                )
            return HttpResponseRedirect(reverse("messaging:staff-thread", args=[thread.pk]))
        except DomainError as exc:
            error = exc.message
        except ValueError:
            error = _("Ugyldig skjema.")
    messages = thread_services.visible_messages(thread=thread, side=None)
    if request.method == "GET":  # read receipts are recorded by reading, never by posting
        thread_services.thread_mark_read(user=request.user, thread=thread, side=None)
    audit_read(
        event="messaging.thread", person_ids=[thread.child_id], object_type="messaging.thread", object_id=thread.pk
    )
    sides = list(thread.sides.select_related("guardian"))
    names = {s.guardian_id: s.guardian.full_name for s in sides}
    for m in messages:
        m.read_by_names = [names[r.person_id] for r in m.reads.all() if r.person_id in names]  # type: ignore[attr-defined]
    participants = list(thread.participants.select_related("person").order_by("added_at"))
    on_thread = {p.person_id for p in participants}
    return render(
        request,
        "messaging/staff_thread.html",
        {
            "thread": thread,
            "messages": messages,
            "sides": sides,
            "participants": participants,
            "colleagues": [c for c in mailbox_services.colleagues_for_thread(thread=thread) if c.pk not in on_thread],
            "error": error,
            "now": clock.now(),
            "recall_after": clock.now() - thread_services.RECALL_WINDOW,
        },
        status=400 if error else 200,
    )


@requires("messaging.mailbox.use")
@require_http_methods(["GET", "POST"])
@_domain_errors
def staff_thread_new(request: HttpRequest) -> HttpResponse:
    """Start a thread about a child from a unit or group mailbox."""
    error = ""
    if request.method == "POST":
        try:
            thread = thread_services.thread_start(
                user=request.user,
                child_id=int(request.POST.get("child") or 0),
                unit_id=int(request.POST.get("unit") or 0),
                subject=request.POST.get("subject", ""),
                body=request.POST.get("body", ""),
                sensitive=bool(request.POST.get("sensitive")),
                urgent=bool(request.POST.get("urgent")),
                uploads=_uploads(request),
            )
            return HttpResponseRedirect(reverse("messaging:staff-thread", args=[thread.pk]))
        except DomainError as exc:
            error = exc.message
        except ValueError:
            error = _("Ugyldig skjema.")
    units = access_queryset(
        user=request.user, action="messaging.notice.send", queryset=OrgUnit.objects.order_by("path")
    )[:100]
    return render(
        request, "messaging/staff_thread_new.html", {"units": units, "error": error}, status=400 if error else 200
    )


@requires("messaging.mailbox.use")
@require_GET
@_domain_errors
def child_search(request: HttpRequest) -> HttpResponse:
    """htmx: children the staff member may message, by name — name, birth date and group, never addresses."""
    if _kind(request) != AccountKind.STAFF:
        raise Http404
    query = (request.GET.get("q") or "").strip()
    children = selectors.child_picker(user=request.user, query=query) if len(query) >= 2 else []
    if children:
        audit_read(event="messaging.child_search", person_ids=[c["pk"] for c in children])
    return render(request, "messaging/_child_picker.html", {"children": children, "query": query})


@requires("messaging.notice.send")
@require_http_methods(["GET", "POST"])
@_domain_errors
def notice_compose(request: HttpRequest) -> HttpResponse:
    """Compose a notice to groups/units (optionally scheduled, optionally with replies to the sender)."""
    error = ""
    units = list(
        access_queryset(user=request.user, action="messaging.notice.send", queryset=OrgUnit.objects.order_by("path"))[
            :200
        ]
    )
    if request.method == "POST":
        try:
            send_at_raw = request.POST.get("send_at") or ""
            send_at = parse_datetime(send_at_raw) if send_at_raw else None
            if send_at is not None and send_at.tzinfo is None:
                send_at = send_at.replace(tzinfo=clock.OSLO)
            sender_unit_id = int(request.POST.get("sender_unit") or 0)
            municipality_id = _optional_int(request.POST.get("municipality"))
        except ValueError:
            send_at, sender_unit_id, municipality_id, error = None, 0, None, _("Ugyldig skjema.")
        try:
            if error:
                raise DomainError(error)
            notice = notice_services.notice_create(
                user=request.user,
                sender_unit_id=sender_unit_id,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                target_unit_ids=[int(x) for x in request.POST.getlist("targets") if x.isdigit()],
                municipality_id=municipality_id,
                replies_to_sender=bool(request.POST.get("replies_to_sender")),
                urgent=bool(request.POST.get("urgent")),
                send_at=send_at,
            )
            return render(request, "messaging/notice_sent.html", {"notice": notice})
        except DomainError as exc:
            error = exc.message
    # The whole municipality is offered only to roles that may send to its top unit (sector roles).
    tops = [u for u in units if u.parent_id is None]
    return render(
        request,
        "messaging/notice_compose.html",
        {"units": units, "municipality_tops": tops, "error": error},
        status=400 if error else 200,
    )


@requires("messaging.notice.send")
@require_GET
@_domain_errors
def notices_sent(request: HttpRequest) -> HttpResponse:
    """The notices I sent, each with how many of its recipients have read it."""
    notices = list(selectors.notices_sent(user=request.user)[:200])
    return render(request, "messaging/notices_sent.html", {"notices": notices})


@requires("messaging.notice.send")
@require_GET
@_domain_errors
def notice_read_status(request: HttpRequest, notice_id: int) -> HttpResponse:
    """One notice I sent: how many have read it, and who has not (by name)."""
    notice = selectors.access_notice_sent(user=request.user, id=notice_id)
    unread = selectors.notice_unread_recipients(notice=notice)
    total = notice.recipients.count()
    audit_read(
        event="messaging.notice.read_status",
        person_ids=[r.guardian_id for r in unread],
        object_type="messaging.notice",
        object_id=notice.pk,
    )
    return render(
        request,
        "messaging/notice_read_status.html",
        {"notice": notice, "unread": unread, "total": total, "read": total - len(unread)},
    )


@requires("messaging.mailbox.manage")
@require_http_methods(["GET", "POST"])
@_domain_errors
def mailbox_settings(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The unit leader's page: who reads and is notified of the mailbox's conversations (need-to-know)."""
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None or not has_action(user=request.user, action="messaging.mailbox.manage", target=unit):
        raise Http404
    mailbox = thread_services.mailbox_for_unit(unit=unit)
    error = ""
    if request.method == "POST":
        try:
            substitute = _optional_int(request.POST.get("substitute"))
            handler_ids = [int(x) for x in request.POST.getlist("handlers")]
        except ValueError:
            error = _("Ugyldig skjema.")
        else:
            try:
                mailbox_services.mailbox_update(
                    user=request.user,
                    mailbox_id=mailbox.pk,
                    handler_roles=request.POST.getlist("handler_roles"),
                    handler_ids=handler_ids,
                    substitute_id=substitute,
                    guardians_may_mark_urgent=bool(request.POST.get("guardians_may_mark_urgent")),
                )
                return HttpResponseRedirect(reverse("messaging:mailbox-settings", args=[unit.pk]))
            except DomainError as exc:
                error = exc.message
    staff = mailbox_services.unit_staff(unit=unit)
    audit_read(event="messaging.mailbox", person_ids=[p.pk for p in staff])
    return render(
        request,
        "messaging/mailbox_settings.html",
        {
            "unit": unit,
            "mailbox": mailbox,
            "roles": HANDLER_ROLE_CHOICES,
            "effective_roles": mailbox_services.handler_roles_of(mailbox=mailbox),
            "handler_ids": set(mailbox.handlers.values_list("pk", flat=True)),
            "staff": staff,
            "error": error,
        },
        status=400 if error else 200,
    )


@requires("messaging.notice.approve")
@require_POST
@_domain_errors
def notice_approve(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice_services.notice_approve(user=request.user, notice_id=notice_id)
    return HttpResponseRedirect(reverse("messaging:staff-inbox") + "?vis=godkjenn")


@requires("messaging.inbox.view")
@require_POST
@_domain_errors
def message_recall(request: HttpRequest, message_id: int) -> HttpResponse:
    message = thread_services.message_recall(user=request.user, message_id=message_id)
    if _kind(request) == AccountKind.GUARDIAN:
        return HttpResponseRedirect(reverse("messaging:guardian-thread", args=[message.thread_id]))
    return HttpResponseRedirect(reverse("messaging:staff-thread", args=[message.thread_id]))


@requires("messaging.inbox.view")
@require_GET
@_domain_errors
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    """Serve an attachment only to someone who may see its message (same rules as the thread)."""
    attachment = Attachment.objects.select_related("message__thread").filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    thread, side = thread_services.access_thread(user=request.user, id=attachment.message.thread_id)
    message = attachment.message
    if side is not None and message.side_id not in (None, side.pk):
        raise Http404
    if message.recalled_at is not None:
        raise Http404
    if thread.sensitive and side is not None and not has_recent_high(request):
        raise Http404
    audit_read(
        event="messaging.attachment",
        person_ids=[thread.child_id],
        object_type="messaging.attachment",
        object_id=attachment.pk,
    )
    response = FileResponse(
        private_path(attachment.storage_name).open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- guardians ------------------------------------------------------------------------------------


def _guardian_only(request: HttpRequest) -> None:
    if _kind(request) != AccountKind.GUARDIAN:
        raise Http404


@requires("messaging.inbox.view")
@require_GET
@_domain_errors
def guardian_inbox(request: HttpRequest) -> HttpResponse:
    """One inbox for all my children (kindergarten, school, SFO; any municipality in the deployment)."""
    _guardian_only(request)
    sides = list(selectors.guardian_threads(user=request.user)[:200])
    notices = list(selectors.guardian_notices(user=request.user)[:200])
    stepped_up = has_recent_high(request)
    for s in sides:
        s.hide_unit = selectors.thread_guardian_view_hides_unit(user=request.user, thread=s.thread)  # type: ignore[attr-defined]
        s.hide_subject = s.thread.sensitive and not stepped_up  # type: ignore[attr-defined]
    return render(request, "messaging/guardian_inbox.html", {"sides": sides, "notices": notices})


@requires("messaging.inbox.view")
@require_http_methods(["GET", "POST"])
@_domain_errors
def guardian_thread_new(request: HttpRequest) -> HttpResponse:
    """Start a message about one of my children to the child's contact teacher, department or unit office."""
    _guardian_only(request)
    options = selectors.guardian_message_recipients(user=request.user)
    error = ""
    chosen = request.POST.get("recipient", "")
    if request.method == "POST":
        child_raw, _sep, unit_raw = chosen.partition(":")
        try:
            if not (child_raw.isdigit() and unit_raw.isdigit()):
                raise ValueError(chosen)
            thread = thread_services.thread_start(
                user=request.user,
                child_id=int(child_raw),
                unit_id=int(unit_raw),
                subject=request.POST.get("subject", ""),
                body=request.POST.get("body", ""),
                urgent=bool(request.POST.get("urgent")),
                uploads=_uploads(request),
            )
            return HttpResponseRedirect(reverse("messaging:guardian-thread", args=[thread.pk]))
        except DomainError as exc:
            error = exc.message
        except ValueError:
            error = _("Velg en mottaker fra listen.")
    children: dict[str, list[selectors.RecipientOption]] = {}
    for option in options:
        children.setdefault(option.child_name, []).append(option)
    return render(
        request,
        "messaging/guardian_thread_new.html",
        {
            "children": children,
            "chosen": chosen,
            "subject": request.POST.get("subject", ""),
            "body": request.POST.get("body", ""),
            "error": error,
        },
        status=400 if error else 200,
    )


@requires("messaging.inbox.view")
@require_http_methods(["GET", "POST"])
@_domain_errors
def guardian_thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    """A thread as one guardian sees it: staff messages and their own — never the other parent's."""
    _guardian_only(request)
    thread, side = thread_services.access_thread(user=request.user, id=thread_id)
    if side is None:
        raise Http404
    stepped_up = has_recent_high(request)
    if thread.sensitive and not stepped_up:
        # Sensitive content only after an ID-porten level-high step-up.
        return HttpResponseRedirect(stepup_url(request.get_full_path()))
    error = ""
    may_mark_urgent = thread_services.guardian_may_mark_urgent(thread=thread)
    if request.method == "POST":
        try:
            thread_services.message_reply(
                user=request.user,
                thread_id=thread.pk,
                body=request.POST.get("body", ""),
                urgent=bool(request.POST.get("urgent")),
                uploads=_uploads(request),
                stepped_up=stepped_up,
            )
            return HttpResponseRedirect(reverse("messaging:guardian-thread", args=[thread.pk]))
        except DomainError as exc:
            error = exc.message
    messages = thread_services.visible_messages(thread=thread, side=side)
    if request.method == "GET":  # read receipts are recorded by reading, never by posting
        thread_services.thread_mark_read(user=request.user, thread=thread, side=side)
    audit_read(
        event="messaging.thread", person_ids=[thread.child_id], object_type="messaging.thread", object_id=thread.pk
    )
    hide_unit = selectors.thread_guardian_view_hides_unit(user=request.user, thread=thread)
    return render(
        request,
        "messaging/guardian_thread.html",
        {
            "thread": thread,
            "messages": messages,
            "error": error,
            "hide_unit": hide_unit,
            "may_mark_urgent": may_mark_urgent,
            "recall_after": clock.now() - thread_services.RECALL_WINDOW,
        },
        status=400 if error else 200,
    )


@requires("messaging.inbox.view")
@require_http_methods(["GET", "POST"])
@_domain_errors
def guardian_notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    """A notice I received; reply to the sender only when the notice allows it."""
    _guardian_only(request)
    person_id = principal_for(request.user).person_id
    recipient = (
        NoticeRecipient.objects.select_related("notice__unit")
        .filter(notice_id=notice_id, guardian_id=person_id, notice__status="sent")
        .first()
    )
    if recipient is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            thread = notice_services.notice_reply(
                user=request.user, notice_id=notice_id, body=request.POST.get("body", "")
            )
            return HttpResponseRedirect(reverse("messaging:guardian-thread", args=[thread.pk]))
        except DomainError as exc:
            error = exc.message
    notice_services.notice_mark_read(user=request.user, notice_id=notice_id)
    notice: Notice = recipient.notice
    return render(
        request, "messaging/guardian_notice.html", {"notice": notice, "error": error}, status=400 if error else 200
    )


# --- notification settings -----------------------------------------------------------------------


@requires("messaging.inbox.view")
@require_http_methods(["GET", "POST"])
@_domain_errors
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Channels for everyone; staff: a channel per kind (SMS, e-mail or a daily digest), absence, working hours."""
    error = ""
    if request.method == "POST":
        post = request.POST
        form = notification_services.SettingsInput(
            email=bool(post.get("email")),
            sms=bool(post.get("sms")),
            push=bool(post.get("push")),
            staff_message_channel=post.get("staff_message_channel", ""),
            staff_urgent_channel=post.get("staff_urgent_channel", ""),
            start=post.get("start", ""),
            end=post.get("end", ""),
            days=tuple(post.getlist("days")),
            away_from=post.get("away_from", ""),
            away_until=post.get("away_until", ""),
        )
        try:
            notification_services.notification_settings_save(user=request.user, form=form)
            return HttpResponseRedirect(reverse("messaging:settings"))
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            error = exc.message
    context = notification_services.notification_settings_for(user=request.user)
    context.update(
        error=error,
        vapid_public_key=settings.VAPID_PUBLIC_KEY,
        channels=StaffChannel.choices,
        urgent_channels=[c for c in StaffChannel.choices if c[0] != StaffChannel.DIGEST],
        weekdays=list(
            enumerate([_("Mandag"), _("Tirsdag"), _("Onsdag"), _("Torsdag"), _("Fredag"), _("Lørdag"), _("Søndag")])
        ),
    )
    return render(request, "messaging/settings.html", context, status=400 if error else 200)


# --- calendar -------------------------------------------------------------------------------------


@requires("messaging.inbox.view")
@require_http_methods(["GET", "POST"])
@_domain_errors
def calendar_page(request: HttpRequest) -> HttpResponse:
    """Events for my children (or my units), slot booking, and my private subscription URL."""
    if request.method == "POST":
        try:
            calendar_services.calendar_act(
                user=request.user,
                op=request.POST.get("op", ""),
                slot=request.POST.get("slot", ""),
                child=request.POST.get("child", ""),
            )
        except DomainError as exc:
            return HttpResponse(exc.message, status=exc.http_status)
        return HttpResponseRedirect(reverse("messaging:calendar"))
    page = selectors.calendar_page_for(user=request.user)
    feed_url = request.build_absolute_uri(reverse("messaging:ics", args=[page.feed_token])) if page.feed_token else ""
    return render(
        request,
        "messaging/calendar.html",
        {
            "events": page.events,
            "feed_url": feed_url,
            "slots": page.open_slots,
            "mine": page.my_slots,
            "children": page.children,
            "can_manage": page.can_manage,
        },
    )


@public
@require_GET
def ics_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private ICS subscription: the token is the credential; a revoked or unknown token is 404."""
    row: Any = CalendarFeedToken.objects.select_related("user").filter(token=token, revoked_at__isnull=True).first()
    if row is None or not row.user.is_active:
        raise Http404
    return HttpResponse(
        selectors.ics_feed(user=row.user),
        content_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )


# --- staff calendar: create, edit and cancel events ----------------------------------------------


def _form_datetime(raw: str) -> dt.datetime:
    """A ``datetime-local`` value in Oslo time; raises ValueError when missing or malformed."""
    value = parse_datetime(raw or "")
    if value is None:
        raise ValueError(raw)
    return value if value.tzinfo is not None else value.replace(tzinfo=clock.OSLO)


def _optional_int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    return int(raw)


def _event_form_context(request: HttpRequest) -> dict[str, Any]:
    units = list(selectors.event_units(user=request.user)[:300])
    municipalities = {u.municipality_id: u for u in units if u.parent_id is None}
    return {"units": units, "municipality_tops": list(municipalities.values())}


@requires("messaging.event.manage")
@require_http_methods(["GET", "POST"])
@_domain_errors
def event_manage(request: HttpRequest) -> HttpResponse:
    """Staff: the events I may manage, and a form for a new one (planning day, parent meeting with slots …)."""
    error = ""
    if request.method == "POST":
        try:
            scope = request.POST.get("scope") or "enhet"
            whole = scope.startswith("kommune-")
            calendar_services.event_create(
                user=request.user,
                unit_id=None if whole else _optional_int(request.POST.get("target")) or 0,
                municipality_id=int(scope.removeprefix("kommune-")) if whole else None,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", "")[:5000],
                location=request.POST.get("location", "")[:200],
                starts_at=_form_datetime(request.POST.get("starts_at", "")),
                ends_at=_form_datetime(request.POST["ends_at"]) if request.POST.get("ends_at") else None,
                slot_minutes=_optional_int(request.POST.get("slot_minutes")) if request.POST.get("bookable") else None,
                slot_count=_optional_int(request.POST.get("slot_count")) if request.POST.get("bookable") else None,
            )
            return HttpResponseRedirect(reverse("messaging:event-manage"))
        except DomainError as exc:
            error = exc.message
        except ValueError:
            error = _("Ugyldig skjema: sjekk dato, klokkeslett og tall.")
    events = list(selectors.events_managed(user=request.user, start=clock.now() - dt.timedelta(days=1))[:200])
    booked = dict(
        EventSlot.objects.filter(event__in=events, child__isnull=False)
        .values("event_id")
        .annotate(n=Count("pk"))
        .values_list("event_id", "n")
    )
    for e in events:
        e.booked_count = booked.get(e.pk, 0)  # type: ignore[attr-defined]
    context = {"events": events, "error": error, "form": request.POST if error else {}}
    context.update(_event_form_context(request))
    return render(request, "messaging/event_manage.html", context, status=400 if error else 200)


@requires("messaging.event.manage")
@require_http_methods(["GET", "POST"])
@_domain_errors
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    """Staff: change an event's title, time, place and description; slots with their bookings."""
    event = calendar_services.access_event(user=request.user, id=event_id)
    error = ""
    if request.method == "POST":
        try:
            calendar_services.event_update(
                user=request.user,
                event_id=event.pk,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", "")[:5000],
                location=request.POST.get("location", "")[:200],
                starts_at=_form_datetime(request.POST.get("starts_at", "")),
                ends_at=_form_datetime(request.POST.get("ends_at", "")),
            )
            return HttpResponseRedirect(reverse("messaging:event-manage"))
        except DomainError as exc:
            error = exc.message
        except ValueError:
            error = _("Ugyldig skjema: sjekk dato og klokkeslett.")
    slots = list(event.slots.select_related("child").order_by("starts_at"))
    audit_read(
        event="messaging.event",
        person_ids=[s.child_id for s in slots if s.child_id],
        object_type="messaging.event",
        object_id=event.pk,
    )
    return render(
        request,
        "messaging/event_edit.html",
        {"event": event, "slots": slots, "error": error},
        status=400 if error else 200,
    )


@requires("messaging.event.manage")
@require_POST
@_domain_errors
def event_cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    """Staff: cancel an event; guardians who had booked a slot are notified (by the service)."""
    calendar_services.event_cancel(user=request.user, event_id=event_id)
    return HttpResponseRedirect(reverse("messaging:event-manage"))


# --- web push in the browser ---------------------------------------------------------------------

MAX_PUSH_JSON = 4096


def _json_body(request: HttpRequest) -> Any:
    """The request's JSON body, or a 400 for anything that is not small, well-formed JSON."""
    if len(request.body) > MAX_PUSH_JSON or not (request.content_type or "").startswith("application/json"):
        raise ValidationError(_("Forventet et lite JSON-dokument."))
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(_("Ugyldig JSON.")) from None


def _json_error(exc: DomainError) -> JsonResponse:
    return JsonResponse({"error": exc.message}, status=exc.http_status)


@requires("messaging.inbox.view")
@require_POST
def push_subscription_add(request: HttpRequest) -> JsonResponse:
    """Store the browser's push subscription (``PushSubscription.toJSON()``) for the logged-in person."""
    person_id = principal_for(request.user).person_id
    if person_id is None:
        raise Http404
    try:
        push_services.push_subscription_store(user=request.user, person_id=person_id, data=_json_body(request))
    except DomainError as exc:
        return _json_error(exc)
    return JsonResponse({"ok": True}, status=201)


@requires("messaging.inbox.view")
@require_POST
def push_subscription_remove(request: HttpRequest) -> JsonResponse:
    """Forget this browser's subscription (only the person's own)."""
    person_id = principal_for(request.user).person_id
    if person_id is None:
        raise Http404
    try:
        data = _json_body(request)
        endpoint = data.get("endpoint") if isinstance(data, dict) else None
        if not isinstance(endpoint, str) or not endpoint:
            raise ValidationError(_("Mangler adresse."))
    except DomainError as exc:
        return _json_error(exc)
    removed = push_services.push_subscription_delete(user=request.user, person_id=person_id, endpoint=endpoint)
    return JsonResponse({"ok": True, "removed": removed})


@functools.cache
def _service_worker_source() -> bytes:
    found = finders.find("messaging/sw.js")
    if not found or isinstance(found, list):
        raise Http404
    return Path(found).read_bytes()


@public
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the site root so that its scope covers every page."""
    return HttpResponse(
        _service_worker_source(),
        content_type="application/javascript; charset=utf-8",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )
