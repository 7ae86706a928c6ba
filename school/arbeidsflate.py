"""Arbeidsflate tasks from school: groups without today's attendance, and pupils over the absence threshold."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from oas import clock
from oas.access.evaluation import access_queryset
from oas.arbeidsflate.registry import CountTask, WorkspaceTask
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.periods import active_on
from school import absence, selectors
from school.lessons import unregistered_lessons


def _groups(user: Any, action: str, kinds: tuple[str, ...]) -> list[OrgUnit]:
    account = getattr(user, "account", None)
    if account is None or getattr(account, "employee_id", None) is None:
        return []
    qs = OrgUnit.objects.filter(active_on(clock.today()), kind__in=kinds)
    return list(access_queryset(user=user, action=action, queryset=qs).order_by("name"))


class UnregisteredAttendanceProvider:
    """The teacher's lessons today that have ended without attendance (per lesson from the published timetable; a
    group without one counts the day). The count is the list on "Mine grupper" (``school.lessons``)."""

    key = "school.attendance_unregistered"
    module = "school"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        missing = unregistered_lessons(user=user)
        if not missing:
            return []
        names = list(dict.fromkeys(m.group.name for m in missing))
        return [
            WorkspaceTask(
                key=self.key,
                title=ngettext(
                    "%(count)s time uten registrert fravær i dag: %(names)s",
                    "%(count)s timer uten registrert fravær i dag: %(names)s",
                    len(missing),
                )
                % {"count": len(missing), "names": ", ".join(names[:5])},
                count=len(missing),
                url=reverse("school:my_groups") + "#ikke-registrert",
                module=self.module,
                severity="warning",
                details={
                    "groups": sorted({m.group.pk for m in missing}),
                    "lessons": [[m.group.pk, m.lesson] for m in missing],
                },
            )
        ]


class AbsenceThresholdProvider:
    """The contact teacher's pupils whose absence this term reaches the municipality's threshold."""

    key = "school.absence_threshold"
    module = "school"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        classes = _groups(user, "school.class.follow_up", (OrgUnitKind.CLASS,))
        if not classes:
            return []
        percent = selectors.school_settings_for(municipality_id=classes[0].municipality_id).absence_threshold_percent
        over = absence.classes_over_threshold(
            group_ids=[c.pk for c in classes], since=absence.term_start(clock.today()), percent=percent
        )
        count = sum(len(v) for v in over.values())
        if not count:
            return []
        first = next(c for c in classes if c.pk in over)
        return [
            WorkspaceTask(
                key=self.key,
                title=ngettext(
                    "%(count)s elev har fravær over %(percent)s %% dette halvåret",
                    "%(count)s elever har fravær over %(percent)s %% dette halvåret",
                    count,
                )
                % {"count": count, "percent": percent},
                count=count,
                url=reverse("school:absence_class", args=[first.pk]),
                module=self.module,
                severity="warning",
                details={"classes": sorted(over)},
            )
        ]


class PupilMoveProvider:
    """Pupils moving in or out of the leader's or office's schools, until each school marks its part done."""

    key = "school.pupil_moves"
    module = "school"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        from django.db.models import Q

        from school.models import PupilMove

        schools = _groups(user, "school.overview.read", (OrgUnitKind.SCHOOL,))
        if not schools:
            return []
        ids = [s.pk for s in schools]
        moves = list(
            PupilMove.objects.filter(
                Q(to_school_id__in=ids, to_done_at__isnull=True) | Q(from_school_id__in=ids, from_done_at__isnull=True)
            ).values_list("to_school_id", "from_school_id")
        )
        if not moves:
            return []
        school = next(s for s in schools if any(s.pk in m for m in moves))
        return [
            WorkspaceTask(
                key=self.key,
                title=ngettext(
                    "%(count)s elev flytter inn eller ut", "%(count)s elever flytter inn eller ut", len(moves)
                )
                % {"count": len(moves)},
                count=len(moves),
                url=reverse("school:office", args=[school.pk]),
                module=self.module,
                unit_id=school.pk,
            )
        ]


def register_providers() -> None:
    from oas.arbeidsflate.registry import registry

    registry.register_task_provider(UnregisteredAttendanceProvider())
    registry.register_task_provider(AbsenceThresholdProvider())
    registry.register_task_provider(PupilMoveProvider())


# --- Kontaktlærer for the new 1st-grade classes (opplæringslova § 14-2); registered by SchoolConfig.ready ---------


class FirstGradeContactTeacherProvider:
    """The principal's new 1st-grade classes (this or the coming school year) that have no kontaktlærer yet; the link
    goes to the school's page of groups and teachers, where one is assigned per class."""

    key = "school.first_grade_contact_teacher"
    module = "school"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        schools = _groups(user, "school.structure.manage", (OrgUnitKind.SCHOOL,))
        if not schools:
            return []
        missing = [
            (c.pk, c.parent_id, c.name)
            for c in selectors.new_first_grade_classes(schools=schools, day=clock.today())
            if not getattr(c, "has_contact_teacher", False)
        ]
        if not missing:
            return []
        school_id = missing[0][1]
        return [
            WorkspaceTask(
                key=self.key,
                title=ngettext(
                    "%(count)s ny klasse på 1. trinn mangler kontaktlærer: %(names)s",
                    "%(count)s nye klasser på 1. trinn mangler kontaktlærer: %(names)s",
                    len(missing),
                )
                % {"count": len(missing), "names": ", ".join(name for _pk, _school, name in missing[:6])},
                count=len(missing),
                url=reverse("school:school_groups", args=[school_id]) + "#kontaktlaerer-1-trinn",
                module=self.module,
                severity="warning",
                unit_id=school_id,
                details={"classes": [pk for pk, _school, _name in missing]},
            )
        ]


def register_first_grade_contact_teacher_task() -> None:
    from oas.arbeidsflate.registry import registry

    registry.register_task_provider(FirstGradeContactTeacherProvider())


# Individually adapted education: the yearly evaluation (årsrapport, opplæringslova § 11-11) that is missing for a
# running decision, for the principal and the special educators. The list it links to shows the same rows
# (``adapted_education.evaluation_missing_decisions``), each pupil linking to the page where the årsrapport is written.
IOP_EVALUATION_MISSING_KEY = "school.iop_evaluation_missing"


def _iop_evaluation_missing(user: Any) -> Any:
    from school.adapted_education import evaluation_missing_decisions

    return evaluation_missing_decisions(user=user)


def _iop_evaluation_missing_url() -> str:
    return reverse("school:iop_list") + f"?oppgave={IOP_EVALUATION_MISSING_KEY}"


IOP_EVALUATION_MISSING = CountTask(
    key=IOP_EVALUATION_MISSING_KEY,
    module="school",
    title=gettext_lazy("Årsrapporter for individuelt tilrettelagt opplæring som mangler"),
    action="school.iop.follow_up",
    rows=_iop_evaluation_missing,
    url=_iop_evaluation_missing_url,
    severity="warning",
)


def register_iop_providers() -> None:
    from oas.arbeidsflate.registry import registry

    registry.register_task_provider(IOP_EVALUATION_MISSING)
