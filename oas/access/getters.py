"""``access_<entity>`` getters: fetch and authorise together (house style, after Zulip).

An object the user may not act on is reported as *not found* (404), never *forbidden* (403): a guardian
guessing another child's ID must not learn that the child exists. Every refusal is audit-logged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils.translation import gettext as _

from oas.access.evaluation import has_action
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import NotFound
from oas.organisation.models import OrgUnit
from oas.people.models import Person, PersonRelation, Placement

if TYPE_CHECKING:
    from oas.access.principal import Actor


M = TypeVar("M", bound=models.Model)


class AccessNotFound(NotFound, Http404):
    """Not found or not allowed — deliberately indistinguishable. Django pages and the API both give 404."""


def access_object(
    *,
    user: Actor,
    queryset: models.QuerySet[M],
    id: int | str,
    action: str,
    audit_event: str = "",
    person_ids_of: Any = None,
) -> M:
    """Return the row with ``id`` if the user may perform ``action`` on it, else raise ``AccessNotFound``.

    ``audit_event`` (e.g. ``child.read``) logs a successful read; ``person_ids_of(obj)`` names the persons
    it concerns (default: the object itself when it is a Person).
    """
    model = queryset.model
    label = f"{model._meta.app_label}.{model.__name__}"
    try:
        obj = queryset.get(pk=int(id))
    except (ValueError, TypeError, model.DoesNotExist):  # type: ignore[attr-defined]
        obj = None
    if obj is None or not has_action(user=user, action=action, target=obj):
        persons = _person_ids(obj, person_ids_of) if obj is not None else []
        audit_record(
            action=AuditAction.DENIED,
            event=f"{action}.denied",
            person_ids=persons,
            object_type=label,
            object_id=str(id)[:64],
            details={"action": action, "exists": obj is not None},
        )
        raise AccessNotFound(_("Ikke funnet."))
    if audit_event:
        audit_record(
            action=AuditAction.READ,
            event=audit_event,
            person_ids=_person_ids(obj, person_ids_of),
            object_type=label,
            object_id=obj.pk,
        )
    return obj


def _person_ids(obj: models.Model, person_ids_of: Any) -> list[int]:
    if person_ids_of is not None:
        return [int(i) for i in person_ids_of(obj)]
    return [int(obj.pk)] if isinstance(obj, Person) else []


def children_queryset() -> models.QuerySet[Person]:
    """Persons who are children: someone's child in a relation, or placed in a unit (never other adults/employees)."""
    return Person.objects.filter(
        Exists(PersonRelation.objects.filter(child=OuterRef("pk")))
        | Exists(Placement.objects.filter(child=OuterRef("pk")))
    )


def access_child(*, user: Actor, id: int | str, action: str = "child.read", audit_event: str = "child.read") -> Person:
    """Return the child if the user may perform ``action`` on it; log the read. Adults are never returned."""
    return access_object(user=user, queryset=children_queryset(), id=id, action=action, audit_event=audit_event)


def access_unit(*, user: Actor, id: int | str, action: str) -> OrgUnit:
    """Return the org unit if the user may perform ``action`` on it."""
    return access_object(user=user, queryset=OrgUnit.objects.all(), id=id, action=action)
