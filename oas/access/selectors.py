"""The read side of access control in one import (see the package docstring for how to use it)."""

from __future__ import annotations

from oas.access.evaluation import (
    access_filter,
    access_queryset,
    access_unit_prefixes,
    has_action,
    has_action_anywhere,
    permitted_actions,
    permitted_actions_many,
)
from oas.access.getters import AccessNotFound, access_child, access_object, access_unit, children_queryset
from oas.access.principal import principal_for
from oas.access.privacy import (
    PersonContact,
    PlacementView,
    address_is_protected,
    child_adults_current,
    child_placements_view,
    children_placements_view,
    person_contact_view,
    persons_contact_view,
    placement_is_hidden,
)
from oas.access.relations import (
    ChildRight,
    adult_has_child_right,
    child_adult_ids,
    may_learn_whereabouts,
    relation_active_q,
    relation_q,
    relation_rights,
    user_child_ids,
    user_child_rights,
    user_has_child_right,
)

__all__ = [
    "AccessNotFound",
    "ChildRight",
    "PersonContact",
    "PlacementView",
    "access_child",
    "access_filter",
    "access_object",
    "access_queryset",
    "access_unit",
    "access_unit_prefixes",
    "address_is_protected",
    "adult_has_child_right",
    "child_adult_ids",
    "child_adults_current",
    "child_placements_view",
    "children_placements_view",
    "children_queryset",
    "has_action",
    "has_action_anywhere",
    "may_learn_whereabouts",
    "permitted_actions",
    "permitted_actions_many",
    "person_contact_view",
    "persons_contact_view",
    "placement_is_hidden",
    "principal_for",
    "relation_active_q",
    "relation_q",
    "relation_rights",
    "user_child_ids",
    "user_child_rights",
    "user_has_child_right",
]
