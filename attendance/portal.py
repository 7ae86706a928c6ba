"""Guardian portal items ("trenger din oppmerksomhet") from attendance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from attendance import selectors
from attendance.models import MissingArrival
from oas import clock
from oas.portal.registry import AttentionItem

if TYPE_CHECKING:
    from oas.access.principal import Actor


class AttendanceAttentionProvider:
    key = "attendance.portal"
    module = "attendance"

    def items_for(self, *, user: Actor, child_ids: list[int]) -> list[AttentionItem]:
        """A child not registered today (expected, not checked in, not reported) and today's absences."""
        today = clock.today()
        url = reverse("attendance:portal_absence")
        items = [
            AttentionItem(
                key=f"{self.key}.missing.{child_id}",
                title=_("Barnet er ikke registrert i dag. Meld fravær eller kontakt enheten."),
                url=url,
                module=self.module,
                child_id=child_id,
                severity="danger",
            )
            for child_id in MissingArrival.objects.filter(
                child_id__in=child_ids, day=today, resolved_at__isnull=True
            ).values_list("child_id", flat=True)
        ]
        items += [
            AttentionItem(
                key=f"{self.key}.absent.{child_id}",
                title=_("Meldt fraværende i dag – trekk tilbake når barnet er friskt."),
                url=url,
                module=self.module,
                child_id=child_id,
            )
            for child_id in selectors.absences_covering(child_ids=child_ids, day=today)
        ]
        return items
