"""The kernel's guardian-side attention providers."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from oas import clock
from oas.access.privacy import children_placements_view
from oas.people.models import Person
from oas.portal.registry import AttentionItem, portal_registry

if TYPE_CHECKING:
    from oas.access.principal import Actor


class PlacementStartingProvider:
    """A child starts in kindergarten, school or SFO within 30 days (unit hidden where the rules say so)."""

    key = "people.placement_starting"
    module = "people"

    def items_for(self, *, user: Actor, child_ids: list[int]) -> list[AttentionItem]:
        today = clock.today()
        items = []
        children = list(Person.objects.filter(pk__in=child_ids).order_by("pk"))
        placements = children_placements_view(user=user, children=children)
        for child in children:
            for p in placements[child.pk]:
                if today < p.start_date <= today + dt.timedelta(days=30):
                    title = _("%(name)s starter i %(unit)s %(date)s") % {
                        "name": child.first_name,
                        "unit": p.unit_name,
                        "date": date_format(p.start_date, "j. F"),
                    }
                    url = reverse("portal:child", args=[child.pk])
                    items.append(AttentionItem(self.key, title, url, self.module, child_id=child.pk))
        return items


def register_kernel_providers() -> None:
    """Register the kernel's guardian-side providers (called from AppConfig.ready)."""
    portal_registry.register_attention_provider(PlacementStartingProvider())
