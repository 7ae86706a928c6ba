"""Arbeidsflate task providers of the integrations: dead letters (sysadmin) and register changes (unit staff)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from integrations.access import user_is_system_admin
from integrations.models import OutboxMessage, OutboxStatus, RegisterChangeNotice
from oas.access.evaluation import access_queryset
from oas.arbeidsflate.registry import CountTask, WorkspaceTask, admin_url, registry

if TYPE_CHECKING:
    from oas.access.principal import Actor


def _dead_letters(user: Actor) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(status=OutboxStatus.DEAD)


# System administrators see failed deliveries to other systems, with a link to the admin (retry there).
DEAD_LETTERS = CountTask(
    key="integrations.outbox.dead_letters",
    module="integrations",
    title=gettext_lazy("Leveranser til andre systemer har feilet"),
    gate=lambda user: user_is_system_admin(user=user),
    rows=_dead_letters,
    url=lambda: admin_url("admin:integrations_outboxmessage_changelist", "?status__exact=dead"),
    severity="danger",
)


class RegisterChangeTaskProvider:
    """Leaders and office staff of a unit see unresolved Folkeregisteret changes about children placed there."""

    key = "integrations.freg.register_changes"
    module = "integrations"

    def tasks_for(self, *, user: Actor) -> list[WorkspaceTask]:
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
    registry.register_task_providers([DEAD_LETTERS, RegisterChangeTaskProvider()])
