"""Build the demo municipality in memory, then write it with a handful of bulk inserts.

Everything random comes from one ``random.Random(seed)`` and one seeded ``Faker("no_NO")``, consumed in a
fixed order, so the same seed gives the same data. Dates are relative to the current school year
(``clock.today()``), so children have the right age for their grade.
"""

from __future__ import annotations

from devtools.seed.base import BATCH
from devtools.seed.families import FamiliesMixin
from devtools.seed.personas import PersonasMixin
from devtools.seed.staff import StaffMixin
from devtools.seed.units import UnitsMixin
from oas.people.models import (
    DeltBosted,
    Employee,
    Employment,
    GroupAssignment,
    Person,
    PersonRelation,
    Placement,
    Service,
)


class DemoBuilder(UnitsMixin, PersonasMixin, FamiliesMixin, StaffMixin):
    """Generates the demo municipality; ``build()`` writes it and returns the row counts."""

    def build(self) -> dict[str, int]:
        """Generate everything, write it in bulk, and return the row counts."""
        self.build_municipalities()
        self.build_units()
        self.build_personas()
        self.build_families()
        self.build_staff()
        Person.objects.bulk_create(self.persons, batch_size=BATCH)
        Employee.objects.bulk_create(self.employees, batch_size=BATCH)
        PersonRelation.objects.bulk_create(self.relations, batch_size=BATCH)
        DeltBosted.objects.bulk_create(self.delt_bosted, batch_size=BATCH)
        Placement.objects.bulk_create(self.placements, batch_size=BATCH)
        Employment.objects.bulk_create(self.employments, batch_size=BATCH)
        GroupAssignment.objects.bulk_create(self.assignments, batch_size=BATCH)
        children = {p.child.national_id for p in self.placements}
        return {
            "municipalities": len(self.munis),
            "units": self.unit_count,
            "schools": len(self.schools),
            "kindergartens": len(self.kindergartens),
            "sfos": len(self.sfos),
            "persons": len(self.persons),
            "children": len(children),
            "pupils": sum(1 for p in self.placements if p.service == Service.SCHOOL),
            "kindergarten_children": sum(1 for p in self.placements if p.service == Service.KINDERGARTEN),
            "sfo_children": sum(1 for p in self.placements if p.service == Service.SFO),
            "relations": len(self.relations),
            "delt_bosted": len(self.delt_bosted),
            "employees": len(self.employees),
            "employments": len(self.employments),
            "group_assignments": len(self.assignments),
            "placements": len(self.placements),
        }
