"""The kernel's relation policy: which adults may do what for a child. Every module asks this one place.

Rights an adult's relation to a child gives (barneloven §§ 37, 47; Folkeregisteret's adressebeskyttelse):

- ``INFORMATION`` — read and receive information about the child (portal, notices, letters, e-mail, SMS, push):
  a guardian with foreldreansvar (whether or not the child lives with them: § 47) and a foster parent.
  A parent without foreldreansvar gets nothing through the system.
- ``RESIDENCE`` — decisions that belong to the parent the child lives with (§ 37): apply, accept or decline an
  offer, end the place, report absence "until further notice". A guardian with foreldreansvar who lives with
  the child (both, when the child lives with both), or a foster parent.
- ``PICKUP`` — may collect the child: guardians, foster parents and registered pick-up persons.
- ``WHEREABOUTS`` — ``INFORMATION`` that names the child's unit and whereabouts (notices, calendar, letters,
  e-mails about attendance, invoices naming the unit): false for an adult who does not live with a strengt
  fortrolig child (the other parent). Pick-up persons are named for the unit: ``PICKUP`` implies they know it.

Every right except ``INFORMATION`` is withheld from an adult who does not live with a strengt fortrolig child;
outputs that name the unit therefore ask for ``WHEREABOUTS``, never ``INFORMATION``.
``PersonRelation.lives_with_child`` is the signal for "lives with".

Use ``relation_q`` to filter ``PersonRelation`` rows in SQL, ``child_adult_ids`` for recipients (notices,
letters, e-mails, invoices), ``user_child_ids`` / ``user_has_child_right`` for the logged-in adult.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import Q

from oas import clock
from oas.people.models import Adressebeskyttelse, Person, PersonRelation, RelationKind
from oas.periods import active_on

if TYPE_CHECKING:
    from oas.access.principal import Actor


class ChildRight(StrEnum):
    INFORMATION = "information"
    RESIDENCE = "residence"
    PICKUP = "pickup"
    WHEREABOUTS = "whereabouts"


_KINDS: dict[ChildRight, frozenset[str]] = {
    ChildRight.INFORMATION: frozenset({RelationKind.GUARDIAN, RelationKind.FOSTER_PARENT}),
    ChildRight.RESIDENCE: frozenset({RelationKind.GUARDIAN, RelationKind.FOSTER_PARENT}),
    ChildRight.PICKUP: frozenset({RelationKind.GUARDIAN, RelationKind.FOSTER_PARENT, RelationKind.PICKUP}),
    ChildRight.WHEREABOUTS: frozenset({RelationKind.GUARDIAN, RelationKind.FOSTER_PARENT}),
}


def relation_rights(*, kind: str, lives_with_child: bool, child_strengt_fortrolig: bool) -> frozenset[ChildRight]:
    """Return the rights one relation gives its adult for the child."""
    rights = {right for right, kinds in _KINDS.items() if kind in kinds}
    if kind == RelationKind.GUARDIAN and not lives_with_child:
        rights.discard(ChildRight.RESIDENCE)
    if child_strengt_fortrolig and not lives_with_child and kind != RelationKind.PICKUP:
        rights -= {ChildRight.RESIDENCE, ChildRight.PICKUP, ChildRight.WHEREABOUTS}
    return frozenset(rights)


def relation_q(*, right: ChildRight, prefix: str = "") -> Q:
    """Return a filter on ``PersonRelation`` (``prefix`` for a join, e.g. ``"relations_as_child__"``) for ``right``.

    Validity is not included: combine with ``relation_active_q``.
    """
    q = Q(**{f"{prefix}kind__in": sorted(_KINDS[right])})
    if right == ChildRight.RESIDENCE:
        q &= ~Q(**{f"{prefix}kind": RelationKind.GUARDIAN}) | Q(**{f"{prefix}lives_with_child": True})
    if right != ChildRight.INFORMATION:
        hidden = (
            Q(**{f"{prefix}child__adressebeskyttelse": Adressebeskyttelse.STRENGT_FORTROLIG})
            & Q(**{f"{prefix}lives_with_child": False})
            & ~Q(**{f"{prefix}kind": RelationKind.PICKUP})
        )
        q &= ~hidden
    return q


def relation_active_q(*, on: dt.date | None = None, prefix: str = "") -> Q:
    """Return a filter on ``PersonRelation`` for relations valid on ``on`` (default today)."""
    return active_on(on or clock.today(), prefix=prefix)


def child_adult_ids(*, child_ids: Iterable[int], right: ChildRight, on: dt.date | None = None) -> dict[int, list[int]]:
    """Return, per child, the adults whose current relation gives ``right`` (one query; children without: absent)."""
    ids = sorted(set(child_ids))
    out: dict[int, list[int]] = {}
    if not ids:
        return out
    rows = (
        PersonRelation.objects.filter(relation_active_q(on=on), relation_q(right=right), child_id__in=ids)
        .order_by("child_id", "adult_id")
        .values_list("child_id", "adult_id")
        .distinct()
    )
    for child_id, adult_id in rows:
        out.setdefault(child_id, []).append(adult_id)
    return out


def adult_has_child_right(*, adult_id: int, child_id: int, right: ChildRight, on: dt.date | None = None) -> bool:
    """Return whether the adult's current relation to the child gives ``right``."""
    return PersonRelation.objects.filter(
        relation_active_q(on=on), relation_q(right=right), adult_id=adult_id, child_id=child_id
    ).exists()


def user_child_ids(*, user: Actor, right: ChildRight) -> set[int]:
    """Return the children for whom the logged-in adult's relations give ``right`` (no query: the principal)."""
    from oas.access.principal import principal_for

    return {r.child_id for r in principal_for(user).relations if right in r.rights}


def user_has_child_right(*, user: Actor, child_id: int, right: ChildRight) -> bool:
    """Return whether the logged-in adult's relation to the child gives ``right``."""
    return child_id in user_child_ids(user=user, right=right)


def may_learn_whereabouts(*, user: Actor, child: Person) -> bool:
    """Return whether the user may learn the child's unit: staff reach it through their scope, adults need the right.

    Staff and break-glass accounts reach a child only through their unit, a municipality-wide role or an explicit
    grant (checked by ``child.read``); this answers only for the adult side.
    """
    from oas.access.principal import principal_for

    principal = principal_for(user)
    if principal.kind != "guardian":
        return True
    if principal.person_id == child.pk:
        return True
    return bool({ChildRight.WHEREABOUTS, ChildRight.PICKUP} & user_child_rights(user=user).get(child.pk, frozenset()))


def user_child_rights(*, user: Actor) -> dict[int, frozenset[ChildRight]]:
    """Return the logged-in adult's rights per child (no query: the principal)."""
    from oas.access.principal import principal_for

    out: dict[int, frozenset[ChildRight]] = {}
    for r in principal_for(user).relations:
        out[r.child_id] = out.get(r.child_id, frozenset()) | r.rights
    return out
