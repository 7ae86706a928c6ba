"""Absence beyond the lesson list: documentation, the leaving-certificate count (§ 9-44) and thresholds.

Opplæringsforskrifta § 9-44: from 8th grade the leaving certificate (vitnemål) shows the days and single hours of
absence; up to 10 school days a year may be left out when the absence is documented (illness with a doctor's note,
granted leave for the reasons the regulation names, …). Documented single hours are left out like days: a school
day with documented single hours uses one of the 10 days, in date order with the documented whole days; undocumented
single hours are always counted.

Writes: ``absence_document``. Reads: ``certificate_absence``, ``absence_rates``, ``classes_over_threshold``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from oas import clock
from oas.access.getters import access_object
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError
from oas.people.models import Person
from school.models import DAY_LESSON, AbsenceReason, PupilAttendance, SchoolYear

CERTIFICATE_FROM_GRADE = 8
MAX_DAYS_LEFT_OUT = 10


def absence_document(*, user: Any, pupil_id: int | str, day: dt.date | str, note: str = "") -> int:
    """Mark a pupil's absence on ``day`` as documented; return the rows marked.

    Refused (nothing written, audit-logged): a pupil the user may not document for (404), a day in the future or
    not a date, a day without registered absence.
    """
    pupil = access_object(user=user, queryset=Person.objects.all(), id=pupil_id, action="school.absence.document")
    try:
        when = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
    except ValueError:
        when = None
    problem = ""
    rows = PupilAttendance.objects.none()
    if when is None or when > clock.today():
        problem = _("Velg en dag som har vært.")
    else:
        rows = PupilAttendance.objects.filter(pupil=pupil, day=when, present=False)
        if not rows.exists():
            problem = _("Eleven har ikke registrert fravær denne dagen.")
    if problem:
        audit_record(
            action=AuditAction.DENIED,
            event="school.absence.document.denied",
            person_ids=[pupil.pk],
            object_type="people.Person",
            object_id=pupil.pk,
            details={"reason": problem, "day": str(day)[:20]},
        )
        raise ValidationError(problem, code="absence_document_refused", fields={"dato": [problem]})
    assert when is not None
    with transaction.atomic():
        marked = rows.filter(documented=False).update(documented=True)
        audit_record(
            action=AuditAction.UPDATE,
            event="school.absence.document",
            person_ids=[pupil.pk],
            object_type="people.Person",
            object_id=pupil.pk,
            details={"day": when.isoformat(), "rows": marked, "note": (note or "")[:200]},
        )
    return marked


@dataclass(frozen=True)
class CertificateAbsence:
    """A pupil's absence in a school year as the leaving certificate counts it (§ 9-44)."""

    applies: bool  # 8th grade and above
    days: int
    hours: int
    documented_days: int
    days_left_out: int
    documented_hours: int = 0
    hours_left_out: int = 0

    @property
    def days_on_certificate(self) -> int:
        return self.days - self.days_left_out

    @property
    def hours_on_certificate(self) -> int:
        return self.hours - self.hours_left_out


def certificate_absence(*, pupil_id: int, school_year: SchoolYear, grade: int | None) -> CertificateAbsence:
    """Return the pupil's days and single hours of absence in the school year, and what documentation leaves out.

    A day counts when the pupil was absent on the day's registration (lesson 0); single hours are absent lessons on
    other days. A whole day is documented when every absence row that day is documented or granted leave; a single
    hour when its row is. Up to ``MAX_DAYS_LEFT_OUT`` school days with documented absence are left out, in date
    order: a documented whole day, or a day's documented single hours (its undocumented hours stay counted).
    """
    rows = PupilAttendance.objects.filter(
        pupil_id=pupil_id, present=False, day__gte=school_year.start_date, day__lte=school_year.end_date
    ).values_list("day", "registration__lesson", "documented", "reason")
    whole: set[dt.date] = set()
    lessons: dict[dt.date, int] = {}
    documented_lessons: dict[dt.date, int] = {}
    undocumented: set[dt.date] = set()
    for day, lesson, documented, reason in rows:
        is_documented = documented or reason == AbsenceReason.LEAVE
        if lesson == DAY_LESSON:
            whole.add(day)
        else:
            lessons[day] = lessons.get(day, 0) + 1
            if is_documented:
                documented_lessons[day] = documented_lessons.get(day, 0) + 1
        if not is_documented:
            undocumented.add(day)
    hours = sum(n for day, n in lessons.items() if day not in whole)
    documented_whole = whole - undocumented
    hour_days = {day: n for day, n in documented_lessons.items() if day not in whole}
    left_out = sorted(documented_whole | set(hour_days))[:MAX_DAYS_LEFT_OUT]
    return CertificateAbsence(
        applies=(grade or 0) >= CERTIFICATE_FROM_GRADE,
        days=len(whole),
        hours=hours,
        documented_days=len(documented_whole),
        days_left_out=sum(1 for day in left_out if day in documented_whole),
        documented_hours=sum(hour_days.values()),
        hours_left_out=sum(hour_days.get(day, 0) for day in left_out),
    )


@dataclass(frozen=True)
class AbsenceRate:
    pupil_id: int
    registrations: int
    absent: int

    @property
    def percent(self) -> float:
        return 100.0 * self.absent / self.registrations if self.registrations else 0.0


def absence_rates(*, group_ids: list[int], since: dt.date) -> dict[int, list[AbsenceRate]]:
    """Return, per class, each pupil's registrations and absences since ``since`` (granted leave not counted)."""
    rows = (
        PupilAttendance.objects.filter(registration__group_id__in=group_ids, day__gte=since)
        .values("registration__group_id", "pupil_id")
        .annotate(n=Count("id"), absent=Count("id", filter=Q(present=False) & ~Q(reason=AbsenceReason.LEAVE)))
        .order_by("registration__group_id", "pupil_id")
    )
    out: dict[int, list[AbsenceRate]] = {}
    for row in rows:
        out.setdefault(row["registration__group_id"], []).append(
            AbsenceRate(pupil_id=row["pupil_id"], registrations=row["n"], absent=row["absent"])
        )
    return out


def classes_over_threshold(*, group_ids: list[int], since: dt.date, percent: int) -> dict[int, list[AbsenceRate]]:
    """Return, per class, the pupils whose absence since ``since`` reaches ``percent`` of their registrations."""
    return {
        group_id: over
        for group_id, rates in absence_rates(group_ids=group_ids, since=since).items()
        if (over := [r for r in rates if r.percent >= percent])
    }


def term_start(day: dt.date) -> dt.date:
    """Return the first day of the term ``day`` is in (autumn from 1 August, spring from 1 January)."""
    return dt.date(day.year, 8, 1) if day.month >= 8 else dt.date(day.year, 1, 1)
