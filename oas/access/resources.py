"""Which models are access-controlled resources, and how a row leads to a child and/or an org unit.

The kernel registers Person and OrgUnit. A domain app registers its models in ``permissions.py``::

    register_resource(Application, resource="kindergarten.application", person_field="child", unit_field="unit")

``person_field`` names the FK to the child (Person) the row is about; ``unit_field`` the FK to the unit
(OrgUnit) it belongs to. Either may be empty. Rules then work through these two paths only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Resource:
    name: str
    model: type[models.Model]
    person_field: str = ""  # "pk" when the model is Person itself
    unit_field: str = ""  # "pk" when the model is OrgUnit itself


_BY_MODEL: dict[type[models.Model], Resource] = {}


def register_resource(
    model: type[models.Model], *, resource: str, person_field: str = "", unit_field: str = ""
) -> Resource:
    """Declare how rows of ``model`` are reached by the access rules."""
    if not person_field and not unit_field:
        raise ValueError(f"{model.__name__}: give person_field and/or unit_field")
    res = Resource(name=resource, model=model, person_field=person_field, unit_field=unit_field)
    _BY_MODEL[model] = res
    return res


def resource_for_model(model: type[models.Model]) -> Resource:
    """Return the registration for ``model``; an unregistered model is a programming error."""
    try:
        return _BY_MODEL[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not a registered access resource") from None
