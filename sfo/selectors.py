"""Reads of the SFO domain."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from oas import clock
from oas.organisation.models import OrgUnit
from oas.people.models import Person, PersonRelation, Placement, RelationKind, Service
from sfo.models import SfoApplication, SfoApplicationStatus, SfoRound


def guardian_has_parental_responsibility(*, guardian: Person, child: Person, on: dt.date | None = None) -> bool:
    """Return whether ``guardian`` has parental responsibility (foreldreansvar) for ``child``."""
    day = on or clock.today()
    return PersonRelation.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        adult=guardian,
        child=child,
        kind=RelationKind.GUARDIAN,
        valid_from__lte=day,
    ).exists()


def sfo_seats_taken(*, sfo_round: SfoRound, unit: OrgUnit) -> int:
    """Return the places an SFO has already given in a round (pending and accepted offers)."""
    return SfoApplication.objects.filter(
        round=sfo_round, unit=unit, status__in=(SfoApplicationStatus.OFFERED, SfoApplicationStatus.ACCEPTED)
    ).count()


def sfo_belongs_to_childs_school(*, child: Person, unit: OrgUnit, on: dt.date) -> bool:
    """Return whether ``unit`` is the SFO of the child's school: a school placement there, or its school district."""
    school = unit.parent
    if school is None:
        return False
    attends = Placement.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on), child=child, service=Service.SCHOOL, unit=school
    ).exists()
    in_district = school.skolekrets is not None and school.skolekrets == child.skolekrets
    return attends or in_district
