"""Writes to the organisation: the only way units enter the tree (keeps ``path`` correct)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from oas.errors import ValidationError, full_clean_or_raise
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
            _("En enhet av typen %(kind)s kan ikke ligge under %(parent)s.")
            % {"kind": kind, "parent": parent_kind or _("toppnivå")},
            fields={"parent": [_("Ugyldig overordnet enhet.")]},
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
    full_clean_or_raise(unit, exclude=["path"])
    unit.save()
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    return unit


@transaction.atomic
def orgunit_bulk_create(*, units: list[OrgUnit], batch_size: int = 2000) -> list[OrgUnit]:
    """Insert many units under already saved parents in a few queries (demo seed, imports); keeps ``path``.

    The same parent rule as ``orgunit_create`` applies; field validation is the caller's job (bulk
    loaders build their rows from known-good data).
    """
    for unit in units:
        parent = unit.parent
        if parent is None or parent.pk is None or not parent.path.endswith(f"/{parent.pk}/"):
            raise ValidationError(
                _("Enheten %(code)s må ligge under en lagret enhet.") % {"code": unit.code},
                fields={"parent": [_("Mangler.")]},
            )
        if parent.kind not in ALLOWED_PARENTS[unit.kind]:
            raise ValidationError(
                _("En enhet av typen %(kind)s kan ikke ligge under %(parent)s.")
                % {"kind": unit.kind, "parent": parent.kind},
                fields={"parent": [_("Ugyldig overordnet enhet.")]},
            )
        unit.path = "/"
    OrgUnit.objects.bulk_create(units, batch_size=batch_size)
    for unit in units:
        assert unit.parent is not None
        unit.path = f"{unit.parent.path}{unit.pk}/"
    OrgUnit.objects.bulk_update(units, ["path"], batch_size=batch_size)
    return units
