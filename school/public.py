"""The interface other apps may use (plain dataclasses; never models)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from oas.periods import active_on
from school.models import GroupMembership, TeachingGroup


@dataclass(frozen=True)
class TeachingGroupInfo:
    group_id: int
    school_id: int
    subject_code: str
    subject_name: str


def teaching_groups_info(*, group_ids: list[int]) -> dict[int, TeachingGroupInfo]:
    """Return the subject and school of each teaching group (undervisningsgruppe) among ``group_ids``."""
    rows = TeachingGroup.objects.filter(unit_id__in=group_ids).select_related("subject")
    return {
        tg.unit_id: TeachingGroupInfo(
            group_id=tg.unit_id, school_id=tg.school_id, subject_code=tg.subject.code, subject_name=tg.subject.name
        )
        for tg in rows
    }


def teaching_group_pupil_ids(*, group_id: int, day: dt.date) -> list[int]:
    """Return the ids of the pupils who are members of the teaching group on ``day``."""
    qs = GroupMembership.objects.filter(active_on(day), group_id=group_id)
    return sorted(set(qs.values_list("pupil_id", flat=True)))


def teaching_groups_pupil_ids(*, group_ids: list[int], day: dt.date) -> dict[int, set[int]]:
    """Return, per teaching group among ``group_ids``, the ids of its pupils on ``day`` (one query)."""
    out: dict[int, set[int]] = {}
    rows = GroupMembership.objects.filter(active_on(day), group_id__in=group_ids).values_list("group_id", "pupil_id")
    for group_id, pupil_id in rows:
        out.setdefault(group_id, set()).add(pupil_id)
    return out
