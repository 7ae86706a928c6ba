"""Reads for the guardian portal: "mine barn" with placements and contacts, as the guardian may see them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from oas.access.evaluation import access_queryset
from oas.access.principal import principal_for
from oas.access.privacy import PlacementView, children_placements_view
from oas.people.models import Person, RelationKind

if TYPE_CHECKING:
    from oas.access.principal import Actor


@dataclass(frozen=True)
class MyChild:
    child_id: int
    name: str
    birth_date: Any
    relation_kind: str
    relation_label: str
    placements: list[PlacementView]


def my_children(*, user: Actor) -> list[MyChild]:
    """Return the children the guardian may see (child.read through their relations), with placements."""
    principal = principal_for(user)
    relation_ids = {r.child_id: r.kind for r in principal.relations}
    if not relation_ids:
        return []
    children = list(
        access_queryset(
            user=user, action="child.read", queryset=Person.objects.filter(pk__in=sorted(relation_ids))
        ).order_by("birth_date", "first_name")
    )
    placements = children_placements_view(user=user, children=children)
    labels = dict(RelationKind.choices)
    return [
        MyChild(
            child_id=child.pk,
            name=child.full_name,
            birth_date=child.birth_date,
            relation_kind=relation_ids[child.pk],
            relation_label=str(labels.get(relation_ids[child.pk], "")),
            placements=placements[child.pk],
        )
        for child in children
    ]
