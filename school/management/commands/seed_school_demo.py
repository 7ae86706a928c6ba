"""Fill every demo school with a school year, subjects, teaching groups, teacher assignments and some attendance.

Idempotent: running it twice changes nothing. ``make up`` runs it after ``seed_demo``.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from attendance.public import is_expected_day
from oas import clock
from oas.access.services import roles_recompute_for_employees
from oas.demo_personas import DEMO_SCHOOL_CODE, PERSONAS
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Employee, Employment, GroupAssignment, GroupRole, PersonRelation, Placement, Service
from oas.periods import DATED, active_on, overlapping
from school import selectors
from school.adapted_education import adapted_grants_for_employee
from school.enrolment import enrolment_candidates
from school.leave import school_days_between
from school.models import (
    AbsenceReason,
    AdaptedDecisionSubject,
    AdaptedEducationDecision,
    AdaptedOrganisation,
    AttendanceRegistration,
    Enrolment,
    ExpertAssessment,
    IndividualEducationPlan,
    IopEvaluation,
    LeaveApplication,
    LeaveStatus,
    MunicipalityReceiver,
    PupilAttendance,
    SchoolSettings,
    SchoolYear,
    Subject,
    TeachingGroup,
)
from school.selectors import pupil_guardian_ids
from school.services import membership_add, school_year_ensure, subjects_seed, teaching_group_create

TEACHER_POSITIONS = ("LAERER", "LEKTOR", "SPESPED")


def demo_assessment_pdf() -> bytes:
    """A blank one-page PDF standing in for PPT's expert assessment (a real PDF: it passes the upload check)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


IOP_TEXTS = {
    "NOR": (
        "Leser enkle tekster med flyt og forstår innholdet; skriver korte tekster med stor forbokstav og punktum.",
        "Lesetrening med tilpassede bøker, lydering og ordbilder; skriveramme for korte fortellinger.",
        "Fire timer i uka i liten gruppe med spesialpedagog, resten i klassen med tilpasset oppgavesett.",
    ),
    "MAT": (
        "Behersker tallområdet 0–100, addisjon og subtraksjon med tiervenner, og kan forklare framgangsmåten.",
        "Konkreter, tallinje og spill; daglig mengdetrening; praktiske oppgaver med penger og måling.",
        "To timer i uka en-til-en med spesialpedagog, ellers i klassen med assistent.",
    ),
}
ATTENDANCE_DAYS = 5


# Synthetic organisasjonsnumre (valid check digit) for the municipalities the FREG simulator moves people to.
DEMO_RECORD_RECEIVERS = (
    ("0301", "Oslo kommune", "964338531"),
    ("3201", "Bærum kommune", "964338442"),
    ("3207", "Nordre Follo kommune", "964338353"),
    ("3222", "Lørenskog kommune", "964338264"),
    ("3232", "Nittedal kommune", "964338175"),
)


class Command(BaseCommand):
    help = "Fyll demoskolene med fag, undervisningsgrupper, lærere og noe fravær (kan kjøres flere ganger)."

    def handle(self, *args: Any, **options: Any) -> None:
        today = clock.today()
        subjects_seed()
        subjects = {s.code: s for s in Subject.objects.all()}
        rng = random.Random(16)
        schools = list(OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL).select_related("municipality").order_by("code"))
        assigned: list[GroupAssignment] = []
        groups_made = 0
        with transaction.atomic():
            for school in schools:
                groups_made += self._school(school=school, subjects=subjects, today=today, assigned=assigned)
            # In one statement, and the teachers' roles recomputed once (``create`` would recompute per row).
            GroupAssignment.objects.bulk_create(assigned)
            roles_recompute_for_employees(employee_ids=sorted({a.employee_id for a in assigned}))
            registrations = self._attendance(schools=schools, today=today, rng=rng)
            leave = self._leave_and_documentation(schools=schools, today=today)
            enrolled = self._enrolment(schools=schools, today=today)
            adapted = self._adapted_education(schools=schools, today=today)
            self._record_receivers()
        self.stdout.write(
            f"Skoler: {len(schools)}, nye grupper: {groups_made}, nye registreringer: {registrations}, "
            f"nye permisjonssøknader: {leave}, skoleinnskrivinger: {enrolled}, nye IOP-vedtak: {adapted}"
        )

    def _record_receivers(self) -> None:
        """The municipalities the demo's register moves pupils to (the FREG simulator's), with synthetic
        organisasjonsnumre, so "send elevmappen" works on the demo; the administrators keep the real ones."""
        for number, name, orgnr in DEMO_RECORD_RECEIVERS:
            MunicipalityReceiver.objects.get_or_create(
                number=number, defaults={"name": name, "organisation_number": orgnr}
            )

    def _school(
        self, *, school: OrgUnit, subjects: dict[str, Subject], today: dt.date, assigned: list[GroupAssignment]
    ) -> int:
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
        # The plan's existing groups and which of them have a teacher, in two queries (not two per group); a
        # class's pupils read once (a class is in its grade's English group and its own maths group).
        found = {
            tg.unit.code: tg
            for tg in TeachingGroup.objects.filter(unit__code__in=[c for c, *_rest in plan]).select_related("unit")
        }
        staffed = set(
            GroupAssignment.objects.filter(group__in=[tg.unit_id for tg in found.values()]).values_list(
                "group_id", flat=True
            )
        )
        class_pupils: dict[int, list[int]] = {}
        for i, (code, name, subject_code, members_of) in enumerate(plan):
            tg = found.get(code)
            if tg is None:
                tg = teaching_group_create(
                    school=school, subject=subjects[subject_code], school_year=year, code=code, name=name
                )
                made += 1
                for k in members_of:
                    if k.pk not in class_pupils:
                        class_pupils[k.pk] = list(selectors.group_pupil_ids(group=k, day=today))
                pupil_ids = [pid for k in members_of for pid in class_pupils[k.pk]]
                membership_add(group=tg.unit, pupil_ids=pupil_ids, valid_from=valid_from)
            if teachers and tg.unit_id not in staffed:  # a new group has no teacher yet
                teacher = teachers[(i // 2) % len(teachers)]
                assigned.append(
                    GroupAssignment(employee=teacher, group=tg.unit, role=GroupRole.GROUP_STAFF, valid_from=valid_from)
                )
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
        by_group: dict[int, list[tuple[int, dt.date, dt.date | None]]] = {}
        for group_id, pupil_id, start, end in placements:
            by_group.setdefault(group_id, []).append((pupil_id, start, end))
        rows = []
        for registration in registrations:
            # Only the class's own placements (every class against every placement took minutes on the full demo).
            for pupil_id, start, end in by_group.get(registration.group_id, []):
                if start > registration.day or (end and end < registration.day):
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

    def _leave_and_documentation(self, *, schools: list[OrgUnit], today: dt.date) -> int:
        """Municipal school rules, some documented sick days, and per school a pending, a granted (covering today)
        and a refused leave application for pupils from 5th grade (never the personas' children)."""
        for municipality_id in {s.municipality_id for s in schools}:
            SchoolSettings.objects.get_or_create(municipality_id=municipality_id)
        sick = list(
            PupilAttendance.objects.filter(reason=AbsenceReason.SICK, documented=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        PupilAttendance.objects.filter(pk__in=sick[::3]).update(documented=True)
        if LeaveApplication.objects.exists():
            return 0
        personas = [p.national_id for p in PERSONAS if p.kind != "staff" and p.national_id]
        persona_children = PersonRelation.objects.filter(adult__national_id__in=personas).values("child_id")
        now = clock.now()
        monday = today + dt.timedelta(days=7 - today.weekday())
        plans = [
            (LeaveStatus.PENDING, monday, monday + dt.timedelta(days=2), "Familiebesøk i utlandet"),
            (LeaveStatus.GRANTED, today, today + dt.timedelta(days=1), "Konfirmasjon i familien"),
            (LeaveStatus.REFUSED, monday + dt.timedelta(days=7), monday + dt.timedelta(days=11), "Ferietur"),
        ]
        rows: list[LeaveApplication] = []
        for school in schools:
            year = SchoolYear.objects.filter(
                municipality_id=school.municipality_id, start_date__lte=today, end_date__gte=today
            ).first()
            if year is None:
                continue
            pupils = list(
                Placement.objects.filter(
                    active_on(today, fields=DATED), service=Service.SCHOOL, unit=school, group__grade__gte=5
                )
                .exclude(child_id__in=persona_children)
                .order_by("child_id")
                .values_list("child_id", flat=True)[: len(plans)]
            )
            adults = pupil_guardian_ids(pupil_ids=pupils, day=today)
            for pupil_id, (status, first, last, reason) in zip(pupils, plans, strict=False):
                if not adults.get(pupil_id):
                    continue
                rows.append(
                    LeaveApplication(
                        pupil_id=pupil_id,
                        school=school,
                        school_year=year,
                        applied_by_id=adults[pupil_id][0],
                        start_date=first,
                        end_date=last,
                        school_days=school_days_between(first=first, last=last),
                        reason=reason,
                        status=status,
                        created_at=now - dt.timedelta(days=3),
                        decided_at=None if status == LeaveStatus.PENDING else now - dt.timedelta(days=1),
                        decision_note="Heldagsprøve i perioden." if status == LeaveStatus.REFUSED else "",
                    )
                )
        LeaveApplication.objects.bulk_create(rows)
        return len(rows)

    def _enrolment(self, *, schools: list[OrgUnit], today: dt.date) -> int:
        """Next school start's enrolments (skoleinnskriving) at the nærskole, without sending the demo's letters.

        Only children whose register address has a skolekrets are enrolled; in the demo that is the kindergarten
        children with a brother or sister at school (the seed gives kindergarten-only families no krets).
        """
        if Enrolment.objects.exists() or not schools:
            return 0
        start_year = today.year + 1 if today.month >= 3 else today.year
        now = clock.now()
        made = 0
        for municipality in {s.municipality for s in schools}:
            found = enrolment_candidates(municipality=municipality, start_year=start_year)
            if not found.assigned:
                continue
            year = school_year_ensure(municipality=municipality, start_year=start_year)
            rows = Enrolment.objects.bulk_create(
                [Enrolment(child=c, school_year=year, school=s, created_at=now) for c, s in found.assigned]
            )
            made += len(rows)
        return made

    def _adapted_education(self, *, schools: list[OrgUnit], today: dt.date) -> int:
        """A few decisions on individually adapted education (§ 11-7) with their PPT assessment and IOPs.

        At the demo school: the personas' pupils Jonas (guardians foresatt/foresatt2; the persona "laerer" named as
        his English teacher) and Ida (strengt fortrolig: her mother sees the IOP, her father, who does not live with
        her, does not), and one older pupil; at every other school one pupil from 3rd grade.
        """
        if AdaptedEducationDecision.objects.exists():
            return 0
        subjects = {s.code: s for s in Subject.objects.filter(code__in=["NOR", "MAT", "ENG"])}
        if len(subjects) < 3:
            return 0
        personas = {p.key: p for p in PERSONAS}
        laerer = Employee.objects.filter(employee_number=personas["laerer"].employee_number).first()
        spesped = Employee.objects.filter(employee_number=personas["spesped"].employee_number).first()
        year = today.year if today.month >= 8 else today.year - 1
        first, last = dt.date(year, 8, 15), dt.date(year + 1, 6, 20)
        chosen: list[tuple[OrgUnit, int, bool]] = []  # (school, pupil, demo persona child)
        for school in schools:
            placed = Placement.objects.filter(active_on(today, fields=DATED), service=Service.SCHOOL, unit=school)
            if school.code == DEMO_SCHOOL_CODE:
                for key in ("foresatt", "beskyttet"):
                    child_id = (
                        placed.filter(child__relations_as_child__adult__national_id=personas[key].national_id)
                        .values_list("child_id", flat=True)
                        .first()
                    )
                    if child_id:
                        chosen.append((school, child_id, True))
            older = placed.filter(group__grade__gte=3).order_by("child_id").values_list("child_id", flat=True)
            taken = {pid for _s, pid, _p in chosen}
            older_id = next((pid for pid in older[:10] if pid not in taken), None)
            if older_id:
                chosen.append((school, older_id, False))
        adults = pupil_guardian_ids(pupil_ids=[pid for _s, pid, _p in chosen], day=today)
        now = clock.now()
        pdf = demo_assessment_pdf()
        made = 0
        for school, pupil_id, persona_child in chosen:
            if not adults.get(pupil_id):
                continue
            assessment = ExpertAssessment.objects.create(
                pupil_id=pupil_id,
                school=school,
                received_date=first - dt.timedelta(days=40),
                summary="PPT vurderer at eleven ikke har tilfredsstillende utbytte av opplæringen i norsk og "
                "matematikk, og anbefaler individuelt tilrettelagt opplæring.",
                recommended_hours_per_year=114,
                document_name="sakkyndig-vurdering.pdf",
                document_sha256="",
                document=pdf,
                registered_at=now,
            )
            decision = AdaptedEducationDecision.objects.create(
                pupil_id=pupil_id,
                school=school,
                assessment=assessment,
                start_date=first,
                end_date=last,
                hours_per_year=114,
                hours_per_week=3,
                organisation=AdaptedOrganisation.SMALL_GROUP,
                consent_by_id=adults[pupil_id][0],
                consent_date=first - dt.timedelta(days=20),
                reasons="Eleven har behov for individuelt tilrettelagt opplæring etter sakkyndig vurdering fra PPT.",
                decided_at=now,
            )
            rows = [
                AdaptedDecisionSubject(decision=decision, subject=subjects["NOR"]),
                AdaptedDecisionSubject(decision=decision, subject=subjects["MAT"]),
            ]
            if persona_child and laerer is not None:
                rows.append(AdaptedDecisionSubject(decision=decision, subject=subjects["ENG"], teacher=laerer))
            AdaptedDecisionSubject.objects.bulk_create(rows)
            IndividualEducationPlan.objects.bulk_create(
                [
                    IndividualEducationPlan(
                        decision=decision,
                        subject=subjects[code],
                        goals=goals,
                        content=content,
                        organisation=organisation,
                        written_by_name=spesped.person.full_name if spesped is not None else "Spesialpedagog",
                        updated_at=now,
                    )
                    for code, (goals, content, organisation) in IOP_TEXTS.items()
                ]
            )
            made += 1
        first_decision = AdaptedEducationDecision.objects.select_related("school").order_by("pk").first()
        year_row = (
            SchoolYear.objects.filter(
                municipality_id=first_decision.school.municipality_id, start_date__lte=today, end_date__gte=today
            ).first()
            if first_decision is not None
            else None
        )
        if first_decision is not None and year_row is not None:
            # This school year's evaluation (årsrapport), written early, on one decision so the page shows one.
            IopEvaluation.objects.create(
                decision=first_decision,
                school_year=year_row,
                text="Eleven har god framgang i lesing og deltar mer i klassen. Opplæringen fortsetter som i vedtaket.",
                written_by_name="Spesialpedagog",
                written_at=now,
            )
        if laerer is not None:
            adapted_grants_for_employee(employee_id=laerer.pk)
        return made
