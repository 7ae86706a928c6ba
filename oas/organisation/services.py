"""Writes to the organisation: the only way units enter the tree (keeps ``path`` correct)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from oas.errors import ValidationError, from_django_validation_error
from oas.organisation.models import ALLOWED_PARENTS, Municipality, OrgUnit


@transaction.atomic
def orgunit_create(
    *,
    municipality: Municipality,
    kind: str,
    code: str,
    name: str,
    valid_from: dt.date,
    parent: OrgUnit | None = None,
    **fields: Any,
) -> OrgUnit:
    """Create a unit under ``parent`` after checking the kind may sit there."""
    parent_kind = parent.kind if parent else None
    if parent_kind not in ALLOWED_PARENTS[kind]:
        raise ValidationError(
            f"En enhet av typen {kind} kan ikke ligge under {parent_kind or 'toppnivå'}.",
            fields={"parent": ["Ugyldig overordnet enhet."]},
        )
    unit = OrgUnit(
        municipality=municipality,
        kind=kind,
        code=code,
        name=name,
        valid_from=valid_from,
        parent=parent,
        path="/",
        **fields,
    )
    try:
        unit.full_clean(exclude=["path"])
    except DjangoValidationError as exc:
        raise from_django_validation_error(exc) from exc
    unit.save()
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit
