"""Arbeidsflate tasks from assessment: grade appeals waiting for the school's processing (the principal)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from assessment.models import Appeal
from assessment.selectors import appeals_waiting
from oas.arbeidsflate.registry import CountTask, TaskProvider

if TYPE_CHECKING:
    from oas.access.principal import Actor


def _appeals_waiting(user: Actor) -> QuerySet[Appeal]:
    return appeals_waiting(user=user)


APPEALS_WAITING = CountTask(
    key="assessment.appeals_waiting",
    module="assessment",
    title=gettext_lazy("Klager på standpunktkarakter som venter på behandling"),
    action="assessment.appeal.process",
    rows=_appeals_waiting,
    # The list shows the same rows (``appeals_waiting``), each linking to the page where it is processed.
    url=lambda: reverse("assessment:appeals_waiting"),
    severity="warning",
)

TASKS: tuple[TaskProvider, ...] = (APPEALS_WAITING,)
