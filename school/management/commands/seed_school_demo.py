"""Fill every demo school with a school year, subjects, teaching groups, teacher assignments and some attendance.

Idempotent: running it twice changes nothing. ``make up`` runs it after ``seed_demo``.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from attendance.public import is_expected_day
from oas import clock
from oas.access.services import roles_recompute_for_employees
from oas.demo_personas import DEMO_SCHOOL_CODE, PERSONAS
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Employee, Employment, GroupAssignment, GroupRole, Placement, Service
from oas.periods import DATED, active_on, overlapping
from school import selectors
from school.models import AbsenceReason, AttendanceRegistration, PupilAttendance, Subject, TeachingGroup
from school.services import membership_add, school_year_ensure, subjects_seed, teaching_group_create

TEACHER_POSITIONS = ("LAERER", "LEKTOR", "SPESPED")
ATTENDANCE_DAYS = 5


class Command(BaseCommand):
    help = "Fyll demoskolene med fag, undervisningsgrupper, lærere og noe fravær (kan kjøres flere ganger)."

    def handle(self, *args: Any, **options: Any) -> None:
        today = clock.today()
        subjects_seed()
        subjects = {s.code: s for s in Subject.objects.all()}
        rng = random.Random(16)
        schools = list(OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL).select_related("municipality").order_by("code"))
        assigned: set[int] = set()
        groups_made = 0
        with transaction.atomic():
            for school in schools:
                groups_made += self._school(school=school, subjects=subjects, today=today, assigned=assigned)
            roles_recompute_for_employees(employee_ids=sorted(assigned))
            registrations = self._attendance(schools=schools, today=today, rng=rng)
        self.stdout.write(f"Skoler: {len(schools)}, nye grupper: {groups_made}, nye registreringer: {registrations}")

    def _school(self, *, school: OrgUnit, subjects: dict[str, Subject], today: dt.date, assigned: set[int]) -> int:
        start_year = today.year if today.month >= 8 else today.year - 1
        year = school_year_ensure(municipality=school.municipality, start_year=start_year)
        valid_from = min(year.start_date, today)
        classes = list(
            OrgUnit.objects.filter(active_on(today), parent=school, kind=OrgUnitKind.CLASS).order_by("grade", "name")
        )
        teachers = list(
            Employee.objects.filter(
                pk__in=Employment.objects.filter(unit=school, position_code__in=TEACHER_POSITIONS).values("employee_id")
            ).order_by("employee_number")
        )
        if school.code == DEMO_SCHOOL_CODE:
            laerer = next(p for p in PERSONAS if p.key == "laerer")
            # The demo teacher first, so the persona teaches the first grade's groups (with class 1A).
            teachers.sort(key=lambda e: e.employee_number != laerer.employee_number)
        made = 0
        grades: dict[int, list[OrgUnit]] = {}
        for klass in classes:
            grades.setdefault(klass.grade or 0, []).append(klass)
        plan: list[tuple[str, str, str, list[OrgUnit]]] = []
        for grade, grade_classes in sorted(grades.items()):
            # English across the grade's classes (an undervisningsgruppe that crosses classes), maths per class.
            plan.append((f"{school.code}-UG{start_year}-{grade}-ENG", f"{grade}. trinn engelsk", "ENG", grade_classes))
            plan.extend(
                (f"{school.code}-UG{start_year}-{k.code.rsplit('-', 1)[-1]}-MAT", f"{k.name} matematikk", "MAT", [k])
                for k in grade_classes
            )
        for i, (code, name, subject_code, members_of) in enumerate(plan):
            tg = TeachingGroup.objects.filter(unit__code=code).select_related("unit").first()
            if tg is None:
                tg = teaching_group_create(
                    school=school, subject=subjects[subject_code], school_year=year, code=code, name=name
                )
                made += 1
                pupil_ids = [pid for k in members_of for pid in selectors.group_pupil_ids(group=k, day=today)]
                membership_add(group=tg.unit, pupil_ids=pupil_ids, valid_from=valid_from)
            if teachers and not GroupAssignment.objects.filter(group=tg.unit).exists():
                teacher = teachers[(i // 2) % len(teachers)]
                GroupAssignment.objects.create(
                    employee=teacher, group=tg.unit, role=GroupRole.GROUP_STAFF, valid_from=valid_from
                )
                assigned.add(teacher.pk)
        return made

    def _attendance(self, *, schools: list[OrgUnit], today: dt.date, rng: random.Random) -> int:
        days: list[dt.date] = []
        day = today
        while len(days) < ATTENDANCE_DAYS:
            day -= dt.timedelta(days=1)
            if is_expected_day(day):
                days.append(day)
        classes = list(OrgUnit.objects.filter(parent__in=schools, kind=OrgUnitKind.CLASS).order_by("pk"))
        done = set(
            AttendanceRegistration.objects.filter(group__in=classes, day__in=days, lesson=0).values_list(
                "group_id", "day"
            )
        )
        placements = list(
            Placement.objects.filter(
                overlapping(min(days), max(days), fields=DATED), service=Service.SCHOOL, group__in=classes
            )
            .values_list("group_id", "child_id", "start_date", "end_date")
            .order_by("group_id", "child_id")
        )
        now = clock.now()
        registrations = AttendanceRegistration.objects.bulk_create(
            [
                AttendanceRegistration(group=klass, day=day, lesson=0, registered_at=now)
                for klass in classes
                for day in days
                if (klass.pk, day) not in done
            ]
        )
        rows = []
        for registration in registrations:
            for group_id, pupil_id, start, end in placements:
                if group_id != registration.group_id or start > registration.day or (end and end < registration.day):
                    continue
                roll = rng.random()
                absent = roll < 0.08
                reason = "" if not absent else (AbsenceReason.SICK if roll < 0.05 else AbsenceReason.UNANNOUNCED)
                rows.append(
                    PupilAttendance(
                        registration=registration,
                        pupil_id=pupil_id,
                        day=registration.day,
                        present=not absent,
                        reason=reason,
                        guardians_notified=reason == AbsenceReason.UNANNOUNCED,
                    )
                )
        PupilAttendance.objects.bulk_create(rows)
        return len(registrations)
