"""Skoleinnskriving → 1st-grade classes: the enrolled six-year-olds of a school placed in new basisgrupper.

The office of a school sees how many children are enrolled for the coming school start and how many 1st-grade
classes that makes with the municipality's largest class size (``SchoolSettings.first_grade_max_class_size``), and
creates them with one click: classes 1A, 1B, … of the new school year (codes like the rollover's), the children
placed in them, spread evenly (by sex, then name). Running it again places only children who are not placed yet,
in the class with room; nothing is moved or deleted.

Write: ``first_grade_classes_create``. Read: ``first_grade_plan``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from oas import clock
from oas.access.getters import access_object
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError
from oas.organisation.models import Municipality, OrgUnit, OrgUnitKind
from oas.organisation.services import orgunit_bulk_create
from oas.people.models import Person, Placement, Service
from oas.periods import DATED, active_on
from school import selectors
from school.models import Enrolment, EnrolmentStatus, SchoolYear

if TYPE_CHECKING:
    from oas.access.principal import Actor

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class FirstGradePlan:
    school_year: SchoolYear
    max_size: int
    enrolled: int  # children enrolled at the school (a wish still being decided is left out)
    placed: int  # of them already in a 1st-grade class
    existing_classes: list[OrgUnit]
    classes_needed: int

    @property
    def to_create(self) -> int:
        return max(0, self.classes_needed - len(self.existing_classes))

    @property
    def to_place(self) -> int:
        return self.enrolled - self.placed


def _next_year(school: OrgUnit, day: dt.date) -> SchoolYear | None:
    return (
        SchoolYear.objects.filter(municipality_id=school.municipality_id, start_date__gt=day)
        .order_by("start_date")
        .first()
    )


def _first_grade_classes(school: OrgUnit, year: SchoolYear) -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(
            parent=school,
            kind=OrgUnitKind.CLASS,
            grade=1,
            valid_from__gte=year.start_date,
            valid_from__lte=year.end_date,
        ).order_by("name")
    )


def _enrolled(school: OrgUnit, year: SchoolYear) -> list[Person]:
    ids = Enrolment.objects.filter(school_year=year, school=school).exclude(status=EnrolmentStatus.WISH_PENDING)
    return list(Person.objects.filter(pk__in=ids.values("child_id")).order_by("sex", "last_name", "first_name", "pk"))


def first_grade_plan(*, school: OrgUnit, day: dt.date | None = None) -> FirstGradePlan | None:
    """Return what creating the 1st-grade classes for the next school start would do (reads only)."""
    year = _next_year(school, day or clock.today())
    if year is None:
        return None
    max_size = selectors.school_settings_for(municipality_id=school.municipality_id).first_grade_max_class_size
    children = _enrolled(school, year)
    existing = _first_grade_classes(school, year)
    placed = Placement.objects.filter(
        active_on(year.start_date, fields=DATED),
        service=Service.SCHOOL,
        child_id__in=[c.pk for c in children],
        group__in=existing,
    ).count()
    return FirstGradePlan(
        school_year=year,
        max_size=max_size,
        enrolled=len(children),
        placed=placed,
        existing_classes=existing,
        classes_needed=math.ceil(len(children) / max_size) if children else 0,
    )


def first_grade_classes_create(*, user: Actor, school_id: int | str) -> FirstGradePlan:
    """Create the school's 1st-grade classes for the next school start and place the enrolled children in them.

    Refused (nothing written, audit-logged): a school the user may not manage (404), no next school year or no
    enrolled children. A second run creates nothing and places only children who are not placed yet.
    """
    school = access_object(
        user=user,
        queryset=OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL),
        id=school_id,
        action="school.structure.manage",
    )
    plan = first_grade_plan(school=school)
    if plan is None or not plan.enrolled:
        problem = _("Ingen barn er skrevet inn ved skolen til neste skolestart.")
        audit_record(
            action=AuditAction.DENIED,
            event="school.first_grade.create.denied",
            object_type="organisation.OrgUnit",
            object_id=school.pk,
            details={"reason": problem},
        )
        raise ValidationError(problem, code="first_grade_refused")
    year = plan.school_year
    with transaction.atomic():
        Municipality.objects.select_for_update().filter(pk=school.municipality_id).first()  # one run at a time
        classes = _first_grade_classes(school, year)
        used = {c.name for c in classes}
        fresh: list[OrgUnit] = []
        letters = (letter for letter in LETTERS if f"1{letter}" not in used)
        for _i in range(max(0, plan.classes_needed - len(classes))):
            letter = next(letters)
            fresh.append(
                OrgUnit(
                    municipality_id=school.municipality_id,
                    parent=school,
                    kind=OrgUnitKind.CLASS,
                    code=f"{school.code}-{year.start_date.year}-01{letter}",
                    name=f"1{letter}",
                    grade=1,
                    valid_from=year.start_date,
                    former_municipality_id=school.former_municipality_id,
                )
            )
        orgunit_bulk_create(units=fresh)
        classes = sorted([*classes, *fresh], key=lambda c: c.name)
        children = _enrolled(school, year)
        placements = Placement.objects.filter(
            active_on(year.start_date, fields=DATED), service=Service.SCHOOL, child_id__in=[c.pk for c in children]
        )
        size = {c.pk: 0 for c in classes}
        busy: set[int] = set()
        for child_id, group_id in placements.values_list("child_id", "group_id"):
            busy.add(child_id)  # placed already (here, or at another school: the office sees it on the page)
            if group_id in size:
                size[group_id] += 1
        rows: list[Placement] = []
        for child in children:
            if child.pk in busy:
                continue
            room = min(
                (c for c in classes if size[c.pk] < plan.max_size), key=lambda c: (size[c.pk], c.name), default=None
            )
            if room is None:
                break
            size[room.pk] += 1
            rows.append(
                Placement(child=child, service=Service.SCHOOL, unit=school, group=room, start_date=year.start_date)
            )
        Placement.objects.bulk_create(rows)
        audit_record(
            action=AuditAction.CREATE,
            event="school.first_grade.create",
            person_ids=[r.child_id for r in rows],
            object_type="organisation.OrgUnit",
            object_id=school.pk,
            details={"classes_created": [c.name for c in fresh], "placed": len(rows), "max_size": plan.max_size},
        )
    return first_grade_plan(school=school) or plan
