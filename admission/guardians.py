"""Who may act for a child in admission, and who hears about it: the kernel relation policy on a day.

Shared by kindergarten and SFO admission so both apply the same rule (``oas.access.relations``):
decisions (apply, accept or decline an offer, withdraw, end the place) belong to the parent the child lives
with (barneloven § 37) or a foster parent; letters and notifications that name a unit go to the adults who may
learn the child's unit (never the parent a strengt fortrolig child does not live with).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from oas import clock
from oas.access.relations import ChildRight, adult_has_child_right, child_adult_ids, relation_active_q, relation_q
from oas.people.models import Person, PersonRelation


def guardian_has_parental_responsibility(*, guardian: Person, child: Person, on: dt.date | None = None) -> bool:
    """Return whether ``guardian`` may take the residence decisions for ``child`` (§ 37) on ``on``."""
    return adult_has_child_right(adult_id=guardian.pk, child_id=child.pk, right=ChildRight.RESIDENCE, on=on)


def guardians_of(*, child: Person, on: dt.date | None = None, right: ChildRight = ChildRight.WHEREABOUTS) -> list[int]:
    """Return the ids of the adults whose relation gives ``right`` (default: may learn the child's unit)."""
    return child_adult_ids(child_ids=[child.pk], right=right, on=on or clock.today()).get(child.pk, [])


def children_with_responsibility(*, guardian: Person) -> QuerySet[Person]:
    """Return the children for whom the adult may take the residence decisions today (apply, end the place)."""
    ids = PersonRelation.objects.filter(
        relation_active_q(), relation_q(right=ChildRight.RESIDENCE), adult=guardian
    ).values("child_id")
    return Person.objects.filter(pk__in=ids).order_by("birth_date", "pk")
