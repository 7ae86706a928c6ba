"""Evaluating actions: one mechanism for single objects, lists and ``permitted_actions``.

For (user, action) we compute a scope — everything, a set of org-unit subtrees, a set of children — and
turn it into a database filter. ``has_action`` runs that same filter against one row, so a single check
and a list can never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from oas import clock
from oas.access.actions import NONE, Action, actions_for_resource, get_action
from oas.access.members import member_sources
from oas.access.principal import Principal, principal_for
from oas.access.resources import resource_for_model
from oas.organisation.models import OrgUnit
from oas.people.models import Person, PersonRelation, Placement
from oas.periods import DATED, active_on, current_or_future

if TYPE_CHECKING:
    from oas.access.principal import Actor

NOTHING = Q(pk__in=[])


@dataclass
class ActionScope:
    """Where an action is allowed for one user."""

    everything: bool = False
    # A municipality-wide role: actions without an object, and everything in these municipalities (their org
    # trees are in ``unit_paths``; children resident there, by Folkeregisteret's municipality number, here).
    municipality_wide: bool = False
    municipality_numbers: set[str] = field(default_factory=set)
    unit_paths: set[str] = field(default_factory=set)
    # Children reached as staff (grants): their guardians are reachable too.
    staff_child_ids: set[int] = field(default_factory=set)
    # Children reached through the user's own relations (and the user themself): no further reach.
    relation_child_ids: set[int] = field(default_factory=set)

    @property
    def empty(self) -> bool:
        return not (
            self.everything
            or self.municipality_wide
            or self.unit_paths
            or self.staff_child_ids
            or self.relation_child_ids
        )


def action_scope(*, principal: Principal, action: Action) -> ActionScope:
    """Return where ``principal`` may perform ``action`` (rules OR'ed)."""
    scope = ActionScope()
    if principal.kind and principal.kind in action.account_kinds:
        scope.everything = True
    if principal.kind == "break_glass" and action.break_glass:
        scope.everything = True
    for holding in principal.roles:
        if holding.role in action.global_roles:
            # Municipality-wide means the role's own municipality, not every municipality of the deployment.
            scope.municipality_wide = True
            scope.unit_paths.add(holding.municipality_path)
            scope.municipality_numbers.update(holding.municipality_numbers)
        elif holding.role in action.unit_roles or holding.role in action.group_roles:
            scope.unit_paths.add(holding.unit_path)
    for grant in principal.grants:
        if grant.action != action.code:
            continue
        if grant.unit_path:
            scope.unit_paths.add(grant.unit_path)
        elif grant.person_id is not None:
            scope.staff_child_ids.add(grant.person_id)
    for rel in principal.relations:
        # The kernel relation policy (oas.access.relations) says which relation gives which right.
        if (
            action.guardian_side and action.relation_right in rel.rights
        ) or action.code in principal.relation_actions.get(rel.child_id, set()):
            scope.relation_child_ids.add(rel.child_id)
    if action.self_allowed and principal.person_id is not None:
        scope.relation_child_ids.add(principal.person_id)
    return scope


def _children_resident_in(numbers: set[str]) -> QuerySet[Person, Any]:
    """Children registered as resident in these municipalities (a child: someone's child in a relation)."""
    return Person.objects.filter(municipality_number__in=sorted(numbers), relations_as_child__isnull=False).values("pk")


def _children_in_units(paths: set[str]) -> list[QuerySet[Any, Any]]:
    """Children with a current or future placement in any of these unit or group subtrees, and the current or
    future members of groups there that the apps keep (``oas.access.members``: a school's teaching groups)."""
    today = clock.today()
    in_units = reduce(or_, (Q(unit__path__startswith=p) | Q(group__path__startswith=p) for p in sorted(paths)))
    placed = Placement.objects.filter(current_or_future(today, fields=DATED)).filter(in_units).values("child_id")
    return [placed, *(source(sorted(paths), today) for source in member_sources())]


def scope_filter(*, scope: ActionScope, model: type[models.Model]) -> Q:
    """Turn a scope into a filter on ``model`` (a registered resource)."""
    if scope.everything:
        return Q()
    if scope.empty:
        return NOTHING
    resource = resource_for_model(model)
    parts: list[Q] = []
    if resource.unit_field and scope.unit_paths:
        prefix = "" if resource.unit_field == "pk" else f"{resource.unit_field}__"
        parts += [Q(**{f"{prefix}path__startswith": p}) for p in sorted(scope.unit_paths)]
    if resource.person_field:
        field_name = resource.person_field
        staff_children: list[Any] = []
        if scope.unit_paths:
            staff_children.extend(_children_in_units(scope.unit_paths))
        if scope.municipality_numbers:
            staff_children.append(_children_resident_in(scope.municipality_numbers))
            if field_name != "pk":
                # A row about a person resident in the municipality (e.g. a guardian's application for reduced
                # payment); persons themselves are reached as children and their adults only (never employees).
                parts.append(Q(**{f"{field_name}__municipality_number__in": sorted(scope.municipality_numbers)}))
        if scope.staff_child_ids:
            staff_children.append(sorted(scope.staff_child_ids))
        parts += [Q(**{f"{field_name}__in": ids}) for ids in staff_children]
        if scope.relation_child_ids:
            parts.append(Q(**{f"{field_name}__in": sorted(scope.relation_child_ids)}))
        if field_name == "pk" and staff_children:
            # Staff who may see a child may see that child's current guardians too.
            today = clock.today()
            for ids in staff_children:
                adults = PersonRelation.objects.filter(active_on(today), child_id__in=ids).values("adult_id")
                parts.append(Q(pk__in=adults))
    return reduce(or_, parts) if parts else NOTHING


def access_filter(*, user: Actor, action: str, model: type[models.Model]) -> Q:
    """Return a database filter for the rows of ``model`` the user may perform ``action`` on."""
    act = get_action(action)
    return scope_filter(scope=action_scope(principal=principal_for(user), action=act), model=model)


def access_queryset(*, user: Actor, action: str, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Filter ``queryset`` to the rows the user may perform ``action`` on (one SQL query, no per-row checks)."""
    return queryset.filter(access_filter(user=user, action=action, model=queryset.model))


def access_unit_prefixes(*, user: Actor, action: str) -> list[str] | None:
    """Return where ``action`` is allowed on org units as path prefixes, for statements written in SQL.

    ``None`` means every unit; otherwise a unit is allowed when its ``path`` starts with one of the prefixes
    (an empty list: none). This is exactly the filter ``access_queryset`` puts on ``OrgUnit`` (same scope,
    same rules), for hot paths that run one fixed statement instead of compiling a queryset each time.
    """
    act = get_action(action)
    if resource_for_model(OrgUnit).unit_field != "pk":  # pragma: no cover - the kernel registers it so
        raise LookupError("OrgUnit is not registered with unit_field='pk'")
    scope = action_scope(principal=principal_for(user), action=act)
    if scope.everything:
        return None
    return sorted(scope.unit_paths)


def has_action(*, user: Actor, action: str, target: models.Model | None = None) -> bool:
    """Return whether the user may perform ``action`` on ``target`` (None for actions without an object)."""
    act = get_action(action)
    scope = action_scope(principal=principal_for(user), action=act)
    if act.resource == NONE:
        if target is not None:
            raise TypeError(f"{action} takes no target")
        return scope.everything or scope.municipality_wide
    if target is None:
        raise TypeError(f"{action} needs a target; use has_action_anywhere for a coarse check")
    if scope.everything:
        return True
    if scope.empty:
        return False
    model = type(target)
    return model._default_manager.filter(pk=target.pk).filter(scope_filter(scope=scope, model=model)).exists()


def has_action_anywhere(*, user: Actor, action: str) -> bool:
    """Return whether any rule could give the user ``action`` somewhere (the coarse gate on views)."""
    scope = action_scope(principal=principal_for(user), action=get_action(action))
    return not scope.empty


def _split_actions(*, principal: Principal, model: type[models.Model]) -> tuple[list[str], dict[str, Q]]:
    """The resource's actions the principal has everywhere, and the filters of those it has somewhere."""
    resource = resource_for_model(model)
    allowed: list[str] = []
    pending: dict[str, Q] = {}
    for act in actions_for_resource(resource.name):
        scope = action_scope(principal=principal, action=act)
        if scope.everything:
            allowed.append(act.code)
        elif not scope.empty:
            pending[act.code] = scope_filter(scope=scope, model=model)
    return allowed, pending


def _pending_rows(*, model: type[models.Model], pks: list[Any], pending: dict[str, Q]) -> dict[Any, list[str]]:
    """Evaluate the pending actions' filters for these rows in one query: {pk: [codes that hold]}."""
    aliases = {f"a{i}": code for i, code in enumerate(pending)}
    annotations = {
        alias: ExpressionWrapper(pending[code], output_field=BooleanField()) for alias, code in aliases.items()
    }
    rows = model._default_manager.filter(pk__in=pks).annotate(**annotations).values("pk", *aliases)
    return {row["pk"]: [code for alias, code in aliases.items() if row[alias]] for row in rows}


def permitted_actions(*, user: Actor, target: models.Model) -> list[str]:
    """Return the codes of the actions the user may perform on ``target`` (one query at most)."""
    model = type(target)
    allowed, pending = _split_actions(principal=principal_for(user), model=model)
    if pending:
        allowed += _pending_rows(model=model, pks=[target.pk], pending=pending).get(target.pk, [])
    return sorted(allowed)


def permitted_actions_many(*, user: Actor, targets: Sequence[models.Model]) -> dict[Any, list[str]]:
    """``permitted_actions`` for a list of rows of one model: ``{pk: sorted codes}``, one query at most.

    Use it for API lists instead of calling ``permitted_actions`` per row (N queries). Same rules and the same
    answer per row as ``permitted_actions``; the number of queries does not grow with the number of targets.
    """
    if not targets:
        return {}
    model = type(targets[0])
    if any(type(t) is not model for t in targets):
        raise TypeError("permitted_actions_many takes rows of one model")
    allowed, pending = _split_actions(principal=principal_for(user), model=model)
    pks = list(dict.fromkeys(t.pk for t in targets))
    found = _pending_rows(model=model, pks=pks, pending=pending) if pending else {}
    return {pk: sorted(allowed + found.get(pk, [])) for pk in pks}
