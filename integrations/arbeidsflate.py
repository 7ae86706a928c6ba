"""Arbeidsflate task providers of the integrations: dead letters (sysadmin) and register changes (unit staff)."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from integrations.access import user_is_system_admin
from integrations.models import OutboxMessage, OutboxStatus, RegisterChangeNotice
from oas.access.evaluation import access_queryset
from oas.arbeidsflate.registry import WorkspaceTask, registry


def _admin_url(name: str, query: str = "") -> str:
    try:
        return reverse(name) + query
    except NoReverseMatch:  # admin not mounted
        return ""


class DeadLetterTaskProvider:
    """System administrators see failed deliveries to other systems, with a link to the admin (retry there)."""

    key = "integrations.outbox.dead_letters"
    module = "integrations"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not user_is_system_admin(user=user):
            return []
        count = OutboxMessage.objects.filter(status=OutboxStatus.DEAD).count()
        if not count:
            return []
        return [
            WorkspaceTask(
                key=self.key,
                title=_("Leveranser til andre systemer har feilet"),
                count=count,
                url=_admin_url("admin:integrations_outboxmessage_changelist", "?status__exact=dead"),
                module=self.module,
                severity="danger",
            )
        ]


class RegisterChangeTaskProvider:
    """Leaders and office staff of a unit see unresolved Folkeregisteret changes about children placed there."""

    key = "integrations.freg.register_changes"
    module = "integrations"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not getattr(user, "is_authenticated", False):
            return []
        rows = (
            access_queryset(
                user=user,
                action="integrations.register_change.read",
                queryset=RegisterChangeNotice.objects.filter(resolved_at__isnull=True),
            )
            .values_list("unit_id", "kind")
            .order_by("unit_id", "kind")
        )
        counts: dict[tuple[int, str], int] = {}
        for unit_id, kind in rows:
            counts[(unit_id, kind)] = counts.get((unit_id, kind), 0) + 1
        labels = dict(RegisterChangeNotice._meta.get_field("kind").flatchoices)
        return [
            WorkspaceTask(
                key=f"{self.key}.{kind}",
                title=str(labels.get(kind, kind)),
                count=count,
                url=reverse("integrations:register_changes"),
                module=self.module,
                severity="warning",
                unit_id=unit_id,
            )
            for (unit_id, kind), count in counts.items()
        ]


def register_providers() -> None:
    registry.register_task_provider(DeadLetterTaskProvider())
    registry.register_task_provider(RegisterChangeTaskProvider())
