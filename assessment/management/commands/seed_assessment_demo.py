"""Give the demo schools' 8th–10th graders half-year grades, final grades (10th grade), remarks and conduct marks.

Demo skole is a barneskole (1st–7th grade): the upper grades are at the municipality's ungdomsskoler, so every school
with 8th–10th graders is filled. Final grades are left unlocked (the principal's step). Lower grades are left
unassessed, so the demo teacher has written assessments to write. Idempotent: running it twice changes nothing.
``make up`` runs it after ``seed_school_demo``.
"""

from __future__ import annotations

import random
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from assessment import selectors
from assessment.models import ConductMark, FinalGrade, HalfYearAssessment, Remark, RemarkKind
from oas import clock
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.periods import active_on
from school.public import teaching_group_pupil_ids, teaching_groups_info

COMMENTS = (
    "Godt arbeid gjennom halvåret.",
    "Viser god forståelse, bør øve mer på skriftlige oppgaver.",
    "Deltar aktivt i timene.",
    "Trenger mer øving på grunnleggende ferdigheter.",
)
REMARKS = (
    (RemarkKind.ORDEN, "Manglet lekser og utstyr."),
    (RemarkKind.ATFERD, "Forstyrret undervisningen etter flere beskjeder."),
    (RemarkKind.ORDEN, "Kom for sent til første time."),
)


class Command(BaseCommand):
    help = "Gi demoskolenes elever på 8.–10. trinn karakterer, anmerkninger og orden og oppførsel (kan kjøres flere ganger)."

    def handle(self, *args: Any, **options: Any) -> None:
        today, now = clock.today(), clock.now()
        period = selectors.current_period(day=today)
        rng = random.Random(9)
        groups = list(
            OrgUnit.objects.filter(active_on(today), parent__kind=OrgUnitKind.SCHOOL, kind=OrgUnitKind.GROUP)
            .select_related("parent")
            .order_by("code")
        )
        info = teaching_groups_info(group_ids=[g.pk for g in groups])
        made = {"halvår": 0, "standpunkt": 0, "anmerkninger": 0, "orden": 0}
        # Rows that exist already (the command runs again on every `make up` of a seeded database): kept as they are.
        have_halfyear = set(HalfYearAssessment.objects.filter(period=period).values_list("pupil_id", "group_id"))
        have_final = set(FinalGrade.objects.values_list("pupil_id", "group_id"))
        have_remark = set(Remark.objects.values_list("pupil_id", "group_id"))
        have_conduct = set(ConductMark.objects.filter(period=period).values_list("pupil_id", flat=True))
        halfyears: list[HalfYearAssessment] = []
        finals: list[FinalGrade] = []
        remarks: list[Remark] = []
        conduct: list[ConductMark] = []
        with transaction.atomic():
            for group in groups:
                if group.pk not in info:
                    continue
                tg, school = info[group.pk], group.parent
                assert school is not None  # filtered on the parent's kind
                pupil_ids = teaching_group_pupil_ids(group_id=group.pk, day=today)
                levels = selectors.pupil_grade_levels(pupil_ids=pupil_ids, day=today)
                for pid in pupil_ids:
                    level = levels.get(pid) or 0
                    if level < selectors.GRADES_FROM:
                        continue
                    grade = rng.choice((2, 3, 3, 4, 4, 4, 5, 5, 6))
                    comment = rng.choice(COMMENTS)
                    if (pid, group.pk) not in have_halfyear:
                        halfyears.append(
                            HalfYearAssessment(
                                pupil_id=pid,
                                group=group,
                                period=period,
                                school=school,
                                subject_code=tg.subject_code,
                                subject_name=tg.subject_name,
                                grade=grade,
                                comment=comment,
                                entered_at=now,
                                published_at=now,
                            )
                        )
                    if level == selectors.FINAL_GRADE_LEVEL and (pid, group.pk) not in have_final:
                        finals.append(
                            FinalGrade(
                                pupil_id=pid,
                                group=group,
                                school=school,
                                subject_code=tg.subject_code,
                                subject_name=tg.subject_name,
                                grade=grade,
                                entered_at=now,
                            )
                        )
                    if rng.random() < 0.1 and (pid, group.pk) not in have_remark:
                        kind, text = rng.choice(REMARKS)
                        have_remark.add((pid, group.pk))
                        remarks.append(
                            Remark(
                                pupil_id=pid,
                                school=school,
                                group=group,
                                kind=kind,
                                text=text,
                                day=today,
                                registered_at=now,
                            )
                        )
            classes = OrgUnit.objects.filter(
                active_on(today),
                parent__kind=OrgUnitKind.SCHOOL,
                kind=OrgUnitKind.CLASS,
                grade__gte=selectors.GRADES_FROM,
            )
            for klass in classes:
                placements = selectors.class_status(klass=klass, day=today, period=period)
                for row in placements:
                    mark = "G" if rng.random() < 0.9 else "NG"
                    if row.pupil.pk in have_conduct:
                        continue
                    have_conduct.add(row.pupil.pk)
                    conduct.append(
                        ConductMark(
                            pupil=row.pupil, period=period, klass=klass, orden=mark, oppforsel="G", proposed_at=now
                        )
                    )
            # One statement per table instead of one per row (the full demo has about 12,000 rows).
            made["halvår"] = len(HalfYearAssessment.objects.bulk_create(halfyears, batch_size=2000))
            made["standpunkt"] = len(FinalGrade.objects.bulk_create(finals, batch_size=2000))
            made["anmerkninger"] = len(Remark.objects.bulk_create(remarks, batch_size=2000))
            made["orden"] = len(ConductMark.objects.bulk_create(conduct, batch_size=2000))
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in made.items()))
