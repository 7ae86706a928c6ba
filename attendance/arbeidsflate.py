"""Arbeidsflate tasks from attendance: today's absence reports and children who have not arrived."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from attendance.models import AbsenceReport, MissingArrival
from oas import clock
from oas.access.evaluation import access_queryset
from oas.arbeidsflate.registry import WorkspaceTask


def _is_staff(user: Any) -> bool:
    account = getattr(user, "account", None)
    return account is not None and getattr(account, "employee_id", None) is not None


class AbsenceTodayProvider:
    key = "attendance.absence_today"
    module = "attendance"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not _is_staff(user):
            return []
        today = clock.today()
        qs = AbsenceReport.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today), start_date__lte=today, cancelled_at__isnull=True
        )
        count = access_queryset(user=user, action="attendance.absence.read", queryset=qs).count()
        if not count:
            return []
        return [
            WorkspaceTask(
                key=self.key,
                title=_("Barn meldt fraværende i dag"),
                count=count,
                url=reverse("attendance:absences_today"),
                module=self.module,
            )
        ]


class MissingArrivalProvider:
    key = "attendance.missing_arrival"
    module = "attendance"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not _is_staff(user):
            return []
        qs = MissingArrival.objects.filter(day=clock.today(), resolved_at__isnull=True)
        count = access_queryset(user=user, action="attendance.missing.read", queryset=qs).count()
        if not count:
            return []
        return [
            WorkspaceTask(
                key=self.key,
                title=_("Barn som ikke er kommet og ikke meldt fraværende"),
                count=count,
                url=reverse("attendance:absences_today"),
                module=self.module,
                severity="danger",
            )
        ]
