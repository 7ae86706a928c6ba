"""Arbeidsflate task from the timetable: day changes that a new timetable could not carry to a lesson of it.

Publishing a version moves the day changes (a cancelled lesson, another room, a substitute) from today on to the
matching lessons of the new version; one without a match is kept and marked for follow-up on the version's page
(``daychanges.day_changes_carry``). The school's leaders see them here until the date has passed or the change is
withdrawn; the link goes to the first such version's page, where they are listed.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import ngettext

from oas import clock
from oas.access.evaluation import access_queryset
from oas.arbeidsflate.registry import WorkspaceTask
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.periods import active_on
from timetable.models import DayChange


class DayChangesToFollowUpProvider:
    key = "timetable.daychanges_follow_up"
    module = "timetable"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        schools = access_queryset(
            user=user,
            action="timetable.manage",
            queryset=OrgUnit.objects.filter(active_on(clock.today()), kind=OrgUnitKind.SCHOOL),
        )
        rows = list(
            DayChange.objects.filter(needs_attention_version__school__in=schools, date__gte=clock.today()).values_list(
                "needs_attention_version_id", "needs_attention_version__school_id"
            )
        )
        if not rows:
            return []
        version_id, school_id = min(rows)
        return [
            WorkspaceTask(
                key=self.key,
                title=ngettext(
                    "%(count)s dagsendring fulgte ikke med til den nye timeplanen",
                    "%(count)s dagsendringer fulgte ikke med til den nye timeplanen",
                    len(rows),
                )
                % {"count": len(rows)},
                count=len(rows),
                url=reverse("timetable:version", args=[version_id]),
                module=self.module,
                severity="warning",
                unit_id=school_id,
            )
        ]
