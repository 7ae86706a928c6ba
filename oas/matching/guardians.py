"""Who may act for a child in admission: guardians with parental responsibility (foreldreansvar) on a day.

Shared by kindergarten and SFO admission so both apply the same rule."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from oas import clock
from oas.people.models import Person, PersonRelation, RelationKind


def _active_on(day: dt.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def guardian_has_parental_responsibility(*, guardian: Person, child: Person, on: dt.date | None = None) -> bool:
    """Return whether ``guardian`` has parental responsibility (foreldreansvar) for ``child`` on ``on``."""
    day = on or clock.today()
    return PersonRelation.objects.filter(
        _active_on(day), adult=guardian, child=child, kind=RelationKind.GUARDIAN
    ).exists()


def guardians_of(*, child: Person, on: dt.date | None = None) -> list[int]:
    """Return the ids of the persons with parental responsibility for ``child``."""
    day = on or clock.today()
    return list(
        PersonRelation.objects.filter(_active_on(day), child=child, kind=RelationKind.GUARDIAN)
        .order_by("adult_id")
        .values_list("adult_id", flat=True)
    )


def children_with_responsibility(*, guardian: Person) -> QuerySet[Person]:
    """Return the children the guardian has parental responsibility for today."""
    ids = PersonRelation.objects.filter(_active_on(clock.today()), adult=guardian, kind=RelationKind.GUARDIAN).values(
        "child_id"
    )
    return Person.objects.filter(pk__in=ids).order_by("birth_date", "pk")
