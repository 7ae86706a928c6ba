"""Arbeidsflate (staff workspace) tasks from kindergarten admission, filtered with ``oas.access``.

Sector office (``kindergarten.application.decide`` / ``kindergarten.round.manage``): applications whose
documentation must be checked, offers expiring, appeals to decide. Kindergarten leaders
(``kindergarten.application.approve_private`` on their unit): children starting in the next 30 days.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from kindergarten import selectors
from kindergarten.models import Appeal, AppealStatus, Application, Offer, OfferStatus
from oas import clock
from oas.access.evaluation import access_queryset, has_action_anywhere
from oas.arbeidsflate.registry import WorkspaceTask
from oas.organisation.models import OrgUnit


class ApplicationsToCheckProvider:
    key = "kindergarten.applications_to_check"
    module = "kindergarten"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not has_action_anywhere(user=user, action="kindergarten.application.decide"):
            return []
        allowed = access_queryset(user=user, action="kindergarten.application.read", queryset=Application.objects.all())
        count = selectors.applications_to_check().filter(pk__in=allowed.values("pk")).count()
        if not count:
            return []
        return [
            WorkspaceTask(
                key=self.key,
                title=_("Søknader om barnehageplass med dokumentasjon som må kontrolleres"),
                count=count,
                url=reverse("kindergarten_pages:office_applications") + "?dokumentasjon=ukontrollert",
                module=self.module,
                severity="warning",
            )
        ]


class OffersExpiringProvider:
    key = "kindergarten.offers_expiring"
    module = "kindergarten"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not has_action_anywhere(user=user, action="kindergarten.round.manage"):
            return []
        count = selectors.offers_expiring().count()
        if not count:
            return []
        return [
            WorkspaceTask(
                key=self.key,
                title=_("Tilbud om barnehageplass med svarfrist de neste tre dagene"),
                count=count,
                url=reverse("kindergarten_pages:office_applications") + "?status=offered",
                module=self.module,
            )
        ]


class AppealsProvider:
    key = "kindergarten.appeals"
    module = "kindergarten"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        allowed = access_queryset(
            user=user, action="kindergarten.appeal.decide", queryset=Application.objects.all()
        ).values("pk")
        count = Appeal.objects.filter(status=AppealStatus.REGISTERED, application__in=allowed).count()
        if not count:
            return []
        return [
            WorkspaceTask(
                key=self.key,
                title=_("Klager på vedtak om barnehageplass som skal behandles"),
                count=count,
                url=reverse("kindergarten_pages:office_applications"),
                module=self.module,
                severity="warning",
            )
        ]


class NewChildrenStartingProvider:
    key = "kindergarten.children_starting"
    module = "kindergarten"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        units = access_queryset(
            user=user,
            action="kindergarten.application.approve_private",
            queryset=OrgUnit.objects.filter(kind="kindergarten"),
        ).values("pk")
        today = clock.today()
        count = Offer.objects.filter(
            status=OfferStatus.ACCEPTED,
            programme__unit__in=units,
            start_date__gte=today,
            start_date__lte=today + dt.timedelta(days=30),
        ).count()
        if not count:
            return []
        return [
            WorkspaceTask(
                key=self.key,
                title=_("Nye barn som begynner de neste 30 dagene"),
                count=count,
                url="/arbeidsflate/",
                module=self.module,
            )
        ]


class ApplicantsToApproveProvider:
    key = "kindergarten.applicants_to_approve"
    module = "kindergarten"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not has_action_anywhere(user=user, action="kindergarten.application.approve_private"):
            return []
        units = access_queryset(
            user=user,
            action="kindergarten.application.approve_private",
            queryset=OrgUnit.objects.filter(kind="kindergarten", ownership="private"),
        )
        count = selectors.assignments_to_approve(units=units).count()
        if not count:
            return []
        return [
            WorkspaceTask(
                key=self.key,
                title=_("Søkere til barnehagen som skal godkjennes"),
                count=count,
                url=reverse("kindergarten_pages:unit_approvals"),
                module=self.module,
                severity="warning",
            )
        ]
