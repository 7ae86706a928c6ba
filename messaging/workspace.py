"""What messaging contributes to the staff arbeidsflate (and the leader snapshot) and the guardian portal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from messaging import selectors
from messaging.models import MissingContactTask
from oas.access.evaluation import access_filter
from oas.access.principal import principal_for
from oas.access.roles import Role
from oas.arbeidsflate.registry import CountTask, NotificationType, WorkspaceTask, registry
from oas.organisation.models import OrgUnit
from oas.portal.registry import AttentionItem, portal_registry

if TYPE_CHECKING:
    from oas.access.principal import Actor


def _staff_inbox(view: str) -> str:
    return reverse("messaging:staff-inbox") + f"?vis={view}"


def _missing_contact(user: Actor) -> QuerySet[MissingContactTask]:
    units = OrgUnit.objects.filter(access_filter(user=user, action="messaging.mailbox.manage", model=OrgUnit))
    return MissingContactTask.objects.filter(unit__in=units, resolved_at__isnull=True)


UNANSWERED = CountTask(
    key="messaging.unanswered",
    module="messaging",
    title=gettext_lazy("Meldinger som venter på svar"),
    rows=lambda user: selectors.staff_threads_unanswered(user=user),
    url=lambda: _staff_inbox("venter"),
)

NOTICES_TO_APPROVE = CountTask(
    key="messaging.notices_to_approve",
    module="messaging",
    title=gettext_lazy("Oppslag som venter på godkjenning"),
    rows=lambda user: selectors.notices_awaiting_approval(user=user),
    url=lambda: _staff_inbox("godkjenn"),
    severity="warning",
)

MISSING_CONTACT = CountTask(
    key="messaging.missing_contact",
    module="messaging",
    title=gettext_lazy("Foresatte uten kontaktinformasjon (fikk ikke varsel)"),
    rows=_missing_contact,
    url=lambda: _staff_inbox("kontakt"),
    severity="warning",
)


class OverdueThreads:
    """Messages waiting beyond the unit's response time, one line per unit (counted in the leader snapshot)."""

    key = "messaging.overdue"
    module = "messaging"

    def tasks_for(self, *, user: Actor) -> list[WorkspaceTask]:
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


class UnansweredTwoDays:
    """For each unit the user leads: threads whose latest message is a guardian's, unanswered for over two days.

    Always a line (also 0: the leader's snapshot shows the figure), linking to the inbox filtered to exactly the
    threads counted (``?vis=ubesvart&enhet=<unit>``, the same selector).
    """

    key = "messaging.unanswered_two_days"
    module = "messaging"

    def tasks_for(self, *, user: Actor) -> list[WorkspaceTask]:
        led = sorted(
            {(r.unit_id, r.unit_path) for r in principal_for(user).roles if r.role == Role.UNIT_LEADER},
        )
        if not led:
            return []
        base = selectors.staff_threads_unanswered_for_days(user=user)
        counts = base.aggregate(
            **{f"u{unit_id}": Count("pk", filter=Q(unit__path__startswith=path)) for unit_id, path in led}
        )
        tasks = []
        for unit_id, _path in led:
            count = counts.get(f"u{unit_id}") or 0
            tasks.append(
                WorkspaceTask(
                    key=self.key,
                    title=_("Ubesvarte meldinger eldre enn to dager"),
                    count=count,
                    url=_staff_inbox("ubesvart") + f"&enhet={unit_id}",
                    module=self.module,
                    severity="warning" if count else "info",
                    unit_id=unit_id,
                )
            )
        return tasks


class GuardianUnread:
    key = "messaging.guardian_unread"
    module = "messaging"

    def items_for(self, *, user: Actor, child_ids: list[int]) -> list[AttentionItem]:
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
    registry.register_task_providers(
        [UNANSWERED, OverdueThreads(), UnansweredTwoDays(), NOTICES_TO_APPROVE, MISSING_CONTACT]
    )
    portal_registry.register_attention_provider(GuardianUnread())
    registry.register_notification_type(
        NotificationType(key="messaging.unread", label=gettext_lazy("Uleste meldinger"), module="messaging")
    )
