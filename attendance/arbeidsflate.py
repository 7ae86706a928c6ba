"""Arbeidsflate tasks from attendance: today's absence reports and children who have not arrived."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from attendance.models import AbsenceReport, MissingArrival
from oas import clock
from oas.access.evaluation import access_queryset
from oas.arbeidsflate.registry import CountTask, TaskProvider
from oas.periods import DATED, active_on

if TYPE_CHECKING:
    from oas.access.principal import Actor


def _is_staff(user: Actor) -> bool:
    account = getattr(user, "account", None)
    return account is not None and getattr(account, "employee_id", None) is not None


def _absent_today(user: Actor) -> QuerySet[AbsenceReport]:
    reports = AbsenceReport.objects.filter(active_on(clock.today(), fields=DATED), cancelled_at__isnull=True)
    return access_queryset(user=user, action="attendance.absence.read", queryset=reports)


def _missing_arrival(user: Actor) -> QuerySet[MissingArrival]:
    missing = MissingArrival.objects.filter(day=clock.today(), resolved_at__isnull=True)
    return access_queryset(user=user, action="attendance.missing.read", queryset=missing)


ABSENCE_TODAY = CountTask(
    key="attendance.absence_today",
    module="attendance",
    title=gettext_lazy("Barn meldt fraværende i dag"),
    gate=_is_staff,
    rows=_absent_today,
    url=lambda: reverse("attendance:absences_today"),
)

MISSING_ARRIVAL = CountTask(
    key="attendance.missing_arrival",
    module="attendance",
    title=gettext_lazy("Barn som ikke er kommet og ikke meldt fraværende"),
    gate=_is_staff,
    rows=_missing_arrival,
    url=lambda: reverse("attendance:absences_today"),
    severity="danger",
)

TASKS: tuple[TaskProvider, ...] = (ABSENCE_TODAY, MISSING_ARRIVAL)
