"""Seeding the demo municipality: refuses a non-empty database unless forced, writes one audit row."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection, transaction

from devtools.seed.build import DemoBuilder
from devtools.seed.plan import SIZES
from oas.access.services import role_mapping_seed, roles_recompute_for_employees
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import Conflict, ValidationError
from oas.organisation.models import Municipality, OrgUnit
from oas.people.models import Person


@dataclass(frozen=True)
class SeedResult:
    seed: int
    size: str
    seconds: float
    counts: dict[str, int]


def kernel_is_empty() -> bool:
    """Return True when no municipality, unit or person exists yet."""
    return not (Municipality.objects.exists() or OrgUnit.objects.exists() or Person.objects.exists())


def _wipe_kernel() -> None:
    # TRUNCATE … CASCADE also empties every table that points at people or units (placements, accounts,
    # domain data): --force means "start over". The append-only audit log is left alone.
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (Person, OrgUnit, Municipality))
    with connection.cursor() as cursor:
        # Deferred foreign-key checks still pending in this transaction would block TRUNCATE: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {tables} CASCADE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@transaction.atomic
def demo_municipality_seed(*, seed: int = 2020, size: str = "full", force: bool = False) -> SeedResult:
    """Build the demo municipality; refuse a database that already holds kernel data unless ``force``."""
    if size not in SIZES:
        raise ValidationError(
            f"Ukjent størrelse {size!r}: bruk {' eller '.join(SIZES)}.", fields={"size": ["Ugyldig."]}
        )
    if not kernel_is_empty():
        if not force:
            raise Conflict(
                "Databasen inneholder allerede kommuner, enheter eller personer. "
                "Bruk --force for å slette dem og seede på nytt."
            )
        _wipe_kernel()
    started = time.perf_counter()
    builder = DemoBuilder(seed=seed, size=SIZES[size])
    counts = builder.build()
    # Bulk inserts send no signals: derive the employees' roles from their employments explicitly.
    role_mapping_seed()
    counts["role_assignments"] = roles_recompute_for_employees(employee_ids=[e.pk for e in builder.employees])
    audit_record(
        action=AuditAction.CREATE,
        event="demo.seeded",
        object_type="organisation.municipality",
        object_id=builder.munis["3030"].pk,
        details={"seed": seed, "size": size, "counts": counts},
    )
    return SeedResult(seed=seed, size=size, seconds=round(time.perf_counter() - started, 2), counts=counts)
