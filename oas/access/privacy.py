"""Protected addresses (adressebeskyttelse) applied in one place.

Rules (integrations-and-rules.md §8.5):
- A child with fortrolig or strengt fortrolig address: the child's address, the address of every adult the
  child lives with, and the address of the adult whose home is the child's delt bosted, are never shown, exported or put in letters — except to users granted
  ``person.read_protected_address`` for that child, and to the person themself.
- Strengt fortrolig: even which unit the child attends is hidden from an adult who does not live with
  the child (the other guardian).

Other apps must take addresses and placements from these views, never from the model fields.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from oas import clock
from oas.access.evaluation import has_action
from oas.access.principal import principal_for
from oas.access.relations import may_learn_whereabouts
from oas.people.models import PROTECTED_LEVELS, Adressebeskyttelse, DeltBosted, Person, PersonRelation, Placement
from oas.periods import DATED, active_on, current_or_future

if TYPE_CHECKING:
    from oas.access.principal import Actor

PROTECTED_ADDRESS_ACTION = "person.read_protected_address"


@dataclass(frozen=True)
class PersonContact:
    """What may be shown (or exported, or printed) about how to reach a person."""

    person_id: int
    name: str
    street_address: str
    postal_code: str
    postal_place: str
    phone: str
    email: str
    address_hidden: bool

    @property
    def address_lines(self) -> list[str]:
        if self.address_hidden:
            return []
        return [line for line in (self.street_address, f"{self.postal_code} {self.postal_place}".strip()) if line]


def _same_address(person: Person, home: DeltBosted) -> bool:
    if person.address_id and home.address_id:
        return person.address_id == home.address_id
    return bool(home.street_address) and (
        person.street_address.strip().casefold(),
        person.postal_code,
    ) == (home.street_address.strip().casefold(), home.postal_code)


def _protected_homes(persons: list[Person]) -> dict[int, set[int]]:
    """For each adult, the protected children whose home is theirs (one query each for relations and delt bosted).

    An adult shares a protected child's home when the child lives with them, or when their address is the
    child's delt bosted (the second home under a contract): every address of a protected child is protected.
    """
    today = clock.today()
    by_id = {p.pk: p for p in persons}
    rows = list(
        PersonRelation.objects.filter(
            active_on(today), adult_id__in=list(by_id), child__adressebeskyttelse__in=PROTECTED_LEVELS
        ).values_list("adult_id", "child_id", "lives_with_child")
    )
    homes: dict[int, list[DeltBosted]] = {}
    for home in DeltBosted.objects.filter(
        active_on(today), child_id__in={child_id for _a, child_id, lives in rows if not lives}
    ):
        homes.setdefault(home.child_id, []).append(home)
    out: dict[int, set[int]] = {}
    for adult_id, child_id, lives in rows:
        if lives or any(_same_address(by_id[adult_id], h) for h in homes.get(child_id, [])):
            out.setdefault(adult_id, set()).add(child_id)
    return out


def _protected_children_living_with(person: Person) -> list[int]:
    return sorted(_protected_homes([person]).get(person.pk, set()))


def address_is_protected(*, person: Person) -> bool:
    """Return whether the person's address is protected: their own grading, or it is a protected child's home."""
    return person.adressebeskyttelse in PROTECTED_LEVELS or bool(_protected_children_living_with(person))


def may_see_protected_address(*, user: Actor, person: Person) -> bool:
    """Return whether the user may see this person's protected address."""
    principal = principal_for(user)
    if principal.person_id == person.pk:
        return True
    if has_action(user=user, action=PROTECTED_ADDRESS_ACTION, target=person):
        return True
    # A grant for the protected child covers the address of the guardian the child lives with.
    return any(
        has_action(user=user, action=PROTECTED_ADDRESS_ACTION, target=child)
        for child in Person.objects.filter(pk__in=_protected_children_living_with(person))
    )


def person_contact_view(*, user: Actor, person: Person) -> PersonContact:
    """Return the person's contact details as the user may see them (protected addresses blanked)."""
    return persons_contact_view(user=user, persons=[person])[0]


def persons_contact_view(*, user: Actor, persons: list[Person]) -> list[PersonContact]:
    """Return each person's contact details as the user may see them, checking protection in one query."""
    living_with_protected = set(_protected_homes(persons))
    return [
        _contact_view(
            user=user,
            person=p,
            protected=p.adressebeskyttelse in PROTECTED_LEVELS or p.pk in living_with_protected,
        )
        for p in persons
    ]


def _contact_view(*, user: Actor, person: Person, protected: bool) -> PersonContact:
    hidden = protected and not may_see_protected_address(user=user, person=person)
    own_grading_protected = person.adressebeskyttelse in PROTECTED_LEVELS
    return PersonContact(
        person_id=person.pk,
        name=person.full_name,
        street_address="" if hidden else person.street_address,
        postal_code="" if hidden else person.postal_code,
        postal_place="" if hidden else person.postal_place,
        # Kode 7/6: the person's own phone is hidden from ordinary users as well.
        phone="" if hidden and own_grading_protected else person.phone,
        email="" if hidden and own_grading_protected else person.email,
        address_hidden=hidden,
    )


@dataclass(frozen=True)
class PlacementView:
    placement_id: int
    service: str
    service_label: str
    unit_id: int
    unit_name: str
    unit_street_address: str
    unit_postal_code: str
    unit_postal_place: str
    group_name: str
    start_date: dt.date
    end_date: dt.date | None


def placement_is_hidden(*, user: Actor, child: Person) -> bool:
    """Return whether the child's unit must be hidden from this user (strengt fortrolig, other guardian)."""
    if child.adressebeskyttelse != Adressebeskyttelse.STRENGT_FORTROLIG:
        return False
    # Staff reach the child only through their own unit or an explicit grant; adults by the relation policy.
    return not may_learn_whereabouts(user=user, child=child)


def _placement_view(p: Placement) -> PlacementView:
    return PlacementView(
        placement_id=p.pk,
        service=p.service,
        service_label=str(p.get_service_display()),
        unit_id=p.unit_id,
        unit_name=p.unit.name,
        unit_street_address=p.unit.street_address,
        unit_postal_code=p.unit.postal_code,
        unit_postal_place=p.unit.postal_place,
        group_name=p.group.name if p.group else "",
        start_date=p.start_date,
        end_date=p.end_date,
    )


def child_placements_view(*, user: Actor, child: Person) -> list[PlacementView]:
    """Return the child's current and future placements the user may see (empty when hidden)."""
    return children_placements_view(user=user, children=[child])[child.pk]


def children_placements_view(*, user: Actor, children: list[Person]) -> dict[int, list[PlacementView]]:
    """Return each child's current and future placements the user may see, in one query (empty when hidden)."""
    shown = [c.pk for c in children if not placement_is_hidden(user=user, child=c)]
    views: dict[int, list[PlacementView]] = {c.pk: [] for c in children}
    if not shown:
        return views
    today = clock.today()
    rows = (
        Placement.objects.filter(child_id__in=shown)
        .filter(current_or_future(today, fields=DATED))
        .select_related("unit", "group")
        .order_by("start_date", "pk")
    )
    for p in rows:
        views[p.child_id].append(_placement_view(p))
    return views


def child_adults_current(*, child: Person) -> list[PersonRelation]:
    """Return the child's current adult relations (guardians, parents, foster parents, pick-up persons)."""
    today = clock.today()
    return list(
        PersonRelation.objects.filter(active_on(today), child=child)
        .select_related("adult")
        .order_by("kind", "adult__last_name")
    )
