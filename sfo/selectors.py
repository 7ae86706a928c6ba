"""Reads of the SFO domain."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from admission import guardians
from admission.guardians import guardian_has_parental_responsibility  # noqa: F401  (re-exported for sfo callers)
from oas.organisation.models import OrgUnit
from oas.people.models import Person, Placement, Service
from sfo.models import SfoApplication, SfoApplicationStatus, SfoRound


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


def open_sfo_rounds() -> QuerySet[SfoRound]:
    """Return the SFO rounds guardians can apply in now."""
    return SfoRound.objects.filter(state="open").order_by("application_deadline", "pk")


def sfo_units_for_child(*, child: Person, sfo_round: SfoRound) -> list[OrgUnit]:
    """Return the SFOs in the round that belong to the child's school (placement or school district)."""
    units = OrgUnit.objects.filter(sfo_capacities__round=sfo_round).select_related("parent").order_by("name")
    return [u for u in units if sfo_belongs_to_childs_school(child=child, unit=u, on=sfo_round.start_date)]


def sfo_children_with_responsibility(*, guardian: Person) -> QuerySet[Person]:
    """Return the children the guardian has parental responsibility for today."""
    return guardians.children_with_responsibility(guardian=guardian)


def sfo_guardians_of(*, child: Person) -> list[int]:
    """Return the ids of the persons with parental responsibility for ``child`` today."""
    return guardians.guardians_of(child=child)
