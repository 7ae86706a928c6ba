"""DRF API under /api/v1/messaging/ (one view per operation; responses carry permitted_actions)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging import selectors
from messaging.models import Message, Thread, ThreadSide
from messaging.services import notices as notice_services
from messaging.services import threads as thread_services
from oas.access.evaluation import permitted_actions, permitted_actions_many
from oas.access.principal import Actor, principal_for
from oas.audit.services import audit_read
from oas.errors import PermissionDenied
from oas.identity.stepup import has_recent_high


def _thread_out(
    *,
    user: Actor,
    thread: Thread,
    side: ThreadSide | None,
    unread: bool = False,
    actions: list[str] | None = None,
    stepped_up: bool = True,
) -> dict[str, Any]:
    """One thread for the API; ``actions``: the staff's permitted actions when already computed for a list.

    A guardian sees a sensitive thread's subject only after a level-high step-up.
    """
    if side is not None:
        actions = ["messaging.thread.reply"]
    else:
        actions = list(actions) if actions is not None else permitted_actions(user=user, target=thread)
    if side is None and "messaging.thread.read" in actions:
        actions.append("messaging.thread.reply")
    return {
        "id": thread.pk,
        "subject": None if (side is not None and thread.sensitive and not stepped_up) else thread.subject,
        "child_id": thread.child_id,
        "unit_id": thread.unit_id,
        "sensitive": thread.sensitive,
        "urgent": thread.urgent,
        "last_message_at": thread.last_message_at,
        "awaiting_answer": thread.awaiting_staff_since is not None,
        "unread": unread,
        "permitted_actions": sorted(actions),
    }


def _message_out(message: Message, *, side: ThreadSide | None, names: dict[int, str] | None = None) -> dict[str, Any]:
    """One message; staff see which guardians read it (names), a guardian only whether they did themselves."""
    recalled = message.recalled_at is not None
    out: dict[str, Any] = {
        "id": message.pk,
        "author_kind": message.author_kind,
        "author_name": message.author_name,
        "side_id": message.side_id,
        "body": "" if recalled else message.body,
        "recalled": recalled,
        "urgent": message.urgent,
        "created_at": message.created_at,
        "attachments": []
        if recalled
        else [
            {"id": a.pk, "filename": a.filename, "content_type": a.content_type, "size": a.size}
            for a in message.attachments.all()
        ],
    }
    readers = [r.person_id for r in message.reads.all()]
    if side is not None:
        # Never whether the other parent has read a shared message.
        out["read_by_me"] = side.guardian_id in readers
    else:
        out["read_by"] = [{"person_id": pid, "name": (names or {}).get(pid, "")} for pid in readers]
    return out


class ThreadListApi(APIView):
    """My threads: staff see their shared mailboxes, guardians one inbox across all their children."""

    required_actions = ("messaging.inbox.view",)

    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="messaging_threads")
    def get(self, request: Request) -> Response:
        user = request.user
        if principal_for(user).kind == "guardian":
            stepped_up = has_recent_high(request._request)
            data = [
                _thread_out(user=user, thread=s.thread, side=s, unread=bool(s.unread_flag), stepped_up=stepped_up)  # type: ignore[attr-defined]
                for s in selectors.guardian_threads(user=user)[:200]
            ]
        else:
            threads = list(selectors.staff_threads(user=user)[:200])
            actions = permitted_actions_many(user=user, targets=threads)  # one query for the list, not one per row
            data = [_thread_out(user=user, thread=t, side=None, actions=actions[t.pk]) for t in threads]
        audit_read(event="messaging.api.threads", person_ids=[d["child_id"] for d in data])
        return Response({"results": data})


class ThreadStartApi(APIView):
    """Start a thread about a child."""

    required_actions = ("messaging.child.message",)

    class ThreadStartInputSerializer(serializers.Serializer):
        child_id = serializers.IntegerField()
        unit_id = serializers.IntegerField()
        subject = serializers.CharField(max_length=200)
        body = serializers.CharField(max_length=20_000, trim_whitespace=False)
        sensitive = serializers.BooleanField(default=False)
        urgent = serializers.BooleanField(default=False)

    @extend_schema(
        request=ThreadStartInputSerializer, responses={201: OpenApiTypes.OBJECT}, operation_id="messaging_thread_start"
    )
    def post(self, request: Request) -> Response:
        s = self.ThreadStartInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        thread = thread_services.thread_start(user=request.user, **s.validated_data)
        side = thread_services.guardian_side_for(user=request.user, thread=thread)
        return Response(_thread_out(user=request.user, thread=thread, side=side), status=201)


class ThreadDetailApi(APIView):
    """One thread with the messages the caller may see (sensitive: guardians need a level-high step-up)."""

    required_actions = ("messaging.inbox.view",)

    @extend_schema(responses=OpenApiTypes.OBJECT, operation_id="messaging_thread_detail")
    def get(self, request: Request, thread_id: int) -> Response:
        thread, side = thread_services.access_thread(user=request.user, id=thread_id)
        if thread.sensitive and side is not None and not has_recent_high(request._request):
            raise PermissionDenied(_("Sensitiv melding: logg inn med høyt sikkerhetsnivå."), code="stepup_required")
        thread_services.thread_mark_read(user=request.user, thread=thread, side=side)  # reading records receipts
        messages = thread_services.visible_messages(thread=thread, side=side)
        audit_read(
            event="messaging.api.thread",
            person_ids=[thread.child_id],
            object_type="messaging.thread",
            object_id=thread.pk,
        )
        out = _thread_out(user=request.user, thread=thread, side=side)
        names = {} if side is not None else thread_services.thread_guardian_names(thread=thread)
        out["messages"] = [_message_out(m, side=side, names=names) for m in messages]
        return Response(out)


class MessageCreateApi(APIView):
    """Reply in a thread (guardians on their own side; staff to one side or all; sensitive: guardians step up)."""

    required_actions = ("messaging.inbox.view",)

    class MessageCreateInputSerializer(serializers.Serializer):
        body = serializers.CharField(max_length=20_000, trim_whitespace=False)
        side_id = serializers.IntegerField(required=False, allow_null=True)
        urgent = serializers.BooleanField(default=False)

    @extend_schema(
        request=MessageCreateInputSerializer,
        responses={201: OpenApiTypes.OBJECT},
        operation_id="messaging_message_create",
    )
    def post(self, request: Request, thread_id: int) -> Response:
        s = self.MessageCreateInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        message = thread_services.message_reply(
            user=request.user, thread_id=thread_id, stepped_up=has_recent_high(request._request), **s.validated_data
        )
        side = message.side if message.author_kind == "guardian" else None
        return Response(_message_out(message, side=side), status=201)


class NoticeCreateApi(APIView):
    """Send (or schedule) a notice to groups/units or the municipality."""

    required_actions = ("messaging.notice.send",)

    class NoticeCreateInputSerializer(serializers.Serializer):
        sender_unit_id = serializers.IntegerField()
        title = serializers.CharField(max_length=200)
        body = serializers.CharField(max_length=20_000)
        target_unit_ids = serializers.ListField(child=serializers.IntegerField(), required=False)
        municipality_id = serializers.IntegerField(required=False, allow_null=True)
        replies_to_sender = serializers.BooleanField(default=False)
        urgent = serializers.BooleanField(default=False)
        send_at = serializers.DateTimeField(required=False, allow_null=True)

    @extend_schema(
        request=NoticeCreateInputSerializer,
        responses={201: OpenApiTypes.OBJECT},
        operation_id="messaging_notice_create",
    )
    def post(self, request: Request) -> Response:
        s = self.NoticeCreateInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        notice = notice_services.notice_create(user=request.user, **s.validated_data)
        return Response(
            {
                "id": notice.pk,
                "status": notice.status,
                "send_at": notice.send_at,
                "permitted_actions": permitted_actions(user=request.user, target=notice.unit),
            },
            status=201,
        )
