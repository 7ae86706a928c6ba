"""Guardian portal attention items from kindergarten admission: offers awaiting an answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from kindergarten.models import Offer, OfferStatus
from oas import clock
from oas.access.evaluation import access_queryset
from oas.portal.registry import AttentionItem

if TYPE_CHECKING:
    from oas.access.principal import Actor


class OffersAwaitingAnswerProvider:
    key = "kindergarten.offer_awaiting_answer"
    module = "kindergarten"

    def items_for(self, *, user: Actor, child_ids: list[int]) -> list[AttentionItem]:
        offers = access_queryset(
            user=user,
            action="kindergarten.offer.respond",
            queryset=Offer.objects.filter(
                status=OfferStatus.PENDING, deadline__gte=clock.today(), application__child_id__in=child_ids
            ),
        ).select_related("application__child", "programme__unit")
        return [
            AttentionItem(
                key=self.key,
                title=_("Svar på tilbud om plass i %(unit)s for %(name)s innen %(date)s")
                % {
                    "unit": o.programme.unit.name,
                    "name": o.application.child.first_name,
                    "date": f"{o.deadline:%d.%m.%Y}",
                },
                url=reverse("kindergarten_pages:portal_application", args=[o.application_id]),
                module=self.module,
                child_id=o.application.child_id,
                severity="warning",
            )
            for o in offers.order_by("deadline", "pk")
        ]
