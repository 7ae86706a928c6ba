"""What messaging contributes to the staff arbeidsflate (and the leader snapshot) and the guardian portal."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from messaging import selectors
from messaging.models import MissingContactTask
from oas.access.evaluation import access_filter
from oas.arbeidsflate.registry import NotificationType, WorkspaceTask, registry
from oas.organisation.models import OrgUnit
from oas.portal.registry import AttentionItem, portal_registry


class UnansweredThreads:
    key = "messaging.unanswered"
    module = "messaging"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        n = selectors.staff_threads_unanswered(user=user).count()
        if not n:
            return []
        return [
            WorkspaceTask(
                key=self.key,
                title=_("Meldinger som venter på svar"),
                count=n,
                url=reverse("messaging:staff-inbox") + "?vis=venter",
                module=self.module,
            )
        ]


class OverdueThreads:
    """Messages waiting beyond the unit's response time, one line per unit (counted in the leader snapshot)."""

    key = "messaging.overdue"
    module = "messaging"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        # Leaders see how many wait in their mailboxes (a figure, no content); others those they may read.
        overdue = selectors.overdue_threads_managed(user=user)
        rows = overdue.values("unit_id", "unit__name").annotate(n=Count("pk", distinct=True))
        return [
            WorkspaceTask(
                key=self.key,
                title=_("Meldinger over svarfristen – %(unit)s") % {"unit": r["unit__name"]},
                count=r["n"],
                url=reverse("messaging:staff-inbox") + f"?vis=forfalt&enhet={r['unit_id']}",
                module=self.module,
                severity="warning",
                unit_id=r["unit_id"],
            )
            for r in rows.order_by("unit_id")
        ]


class NoticesToApprove:
    key = "messaging.notices_to_approve"
    module = "messaging"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        n = selectors.notices_awaiting_approval(user=user).count()
        if not n:
            return []
        return [
            WorkspaceTask(
                key=self.key,
                title=_("Oppslag som venter på godkjenning"),
                count=n,
                url=reverse("messaging:staff-inbox") + "?vis=godkjenn",
                module=self.module,
                severity="warning",
            )
        ]


class MissingContactDetails:
    key = "messaging.missing_contact"
    module = "messaging"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        units = OrgUnit.objects.filter(access_filter(user=user, action="messaging.mailbox.manage", model=OrgUnit))
        n = MissingContactTask.objects.filter(unit__in=units, resolved_at__isnull=True).count()
        if not n:
            return []
        return [
            WorkspaceTask(
                key=self.key,
                title=_("Foresatte uten kontaktinformasjon (fikk ikke varsel)"),
                count=n,
                url=reverse("messaging:staff-inbox") + "?vis=kontakt",
                module=self.module,
                severity="warning",
            )
        ]


class GuardianUnread:
    key = "messaging.guardian_unread"
    module = "messaging"

    def items_for(self, *, user: Any, child_ids: list[int]) -> list[AttentionItem]:
        unread = selectors.guardian_threads(user=user).filter(unread_flag=True).count()  # type: ignore[misc]
        notices = selectors.guardian_notices(user=user).filter(read_at__isnull=True).count()
        items = []
        if unread or notices:
            items.append(
                AttentionItem(
                    key=self.key,
                    title=_("Du har %(n)s uleste meldinger og oppslag") % {"n": unread + notices},
                    url=reverse("messaging:guardian-inbox"),
                    module=self.module,
                )
            )
        return items


def register() -> None:
    for provider in (UnansweredThreads(), OverdueThreads(), NoticesToApprove(), MissingContactDetails()):
        registry.register_task_provider(provider)
    portal_registry.register_attention_provider(GuardianUnread())
    registry.register_notification_type(
        NotificationType(key="messaging.unread", label=gettext_lazy("Uleste meldinger"), module="messaging")
    )
