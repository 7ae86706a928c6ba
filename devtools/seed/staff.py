"""Employees, employments and group assignments (contact teachers, department staff)."""

from __future__ import annotations

import datetime as dt
import math
import uuid

from devtools.seed.base import (
    ASCII,
    BuilderBase,
)
from devtools.seed.plan import (
    MERGER_DATE,
    SchoolLevel,
)
from oas.demo_personas import (
    PERSONAS,
    SECTOR_OFFICE_CODE,
)
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import (
    Employee,
    Employment,
    GroupAssignment,
    GroupRole,
    Sex,
)
from oas.people.positions import POSITIONS

_Slot = tuple[OrgUnit, str, list[OrgUnit]]  # (unit, position code, groups for a group_staff role)
# Leaders that a persona already is at the persona's unit: not generated a second time.
_SINGLE_LEADERS = {"REKTOR", "SFO_LEDER", "STYRER"}


class StaffMixin(BuilderBase):
    """Employees, employments and group assignments (contact teachers, department staff)."""

    def build_staff(self) -> None:
        plan = self._staff_plan()
        employees = [self._employee(number, unit, position) for number, (unit, position, _) in enumerate(plan, 1)]
        self.employees.extend(employees)
        self._group_staff(plan, employees)
        self._contact_teachers(employees)

    def _staff_plan(self) -> list[_Slot]:
        persona_leaders = {(p.unit_code, p.position_code) for p in PERSONAS if p.position_code in _SINGLE_LEADERS}
        plan: list[_Slot] = []

        def add(unit: OrgUnit, position: str, count: int, groups: list[OrgUnit] | None = None) -> None:
            if (unit.code, position) in persona_leaders:
                count -= 1
            plan.extend((unit, position, groups or []) for _ in range(max(0, count)))

        office = self.units_by_code[SECTOR_OFFICE_CODE]
        for position, count in self.size.sector_office_staff.items():
            add(office, position, count)
        for info in self.schools:
            n = info.children
            add(info.unit, "REKTOR", 1)
            add(info.unit, "ASS_REKTOR", 1 if n >= 300 else 0)
            add(info.unit, "INSPEKTOR", (1 if n >= 150 else 0) + (1 if n >= 450 else 0))
            add(info.unit, "MERKANTIL", 1 if n >= 40 else 0)
            add(info.unit, "SPESPED", max(1, round(n / 110)))
            add(info.unit, "FAGARBEIDER", round(n / 100))
            add(info.unit, "ASSISTENT", round(n / 150))
        for sfo_info in self.sfos.values():
            n = sfo_info.children
            add(sfo_info.unit, "SFO_LEDER", 1)
            add(sfo_info.unit, "FAGARBEIDER", max(1, math.ceil(n / 30)), sfo_info.groups)
            add(sfo_info.unit, "ASSISTENT", math.ceil(n / 40), sfo_info.groups)
        for info in self.kindergartens:
            n = info.children
            add(info.unit, "STYRER", 1)
            add(info.unit, "ASS_STYRER", 1 if n >= 80 else 0)
            plan.extend((info.unit, "PED_LEDER", [group]) for group in info.groups)
            add(info.unit, "BHG_LAERER", round(n / 40), info.groups)
            add(info.unit, "FAGARBEIDER", round(n / 18), info.groups)
            add(info.unit, "ASSISTENT", max(1, round(n / 30)), info.groups)
        # Teachers fill up to the target head count, spread over the schools by pupils (one per class at least).
        personas = sum(1 for p in PERSONAS if p.kind == "staff")
        classes = sum(len(info.groups) for info in self.schools)
        teachers = max(classes, self.size.employees - len(plan) - personas)
        pupils = sum(info.children for info in self.schools)
        for info in self.schools:
            n_teachers = max(len(info.groups), round(teachers * info.children / pupils))
            lektor_share = 0.5 if self._level(info) == SchoolLevel.UNGDOM else 0.2
            start = len(plan)
            plan.extend(
                (info.unit, "LEKTOR" if self.rng.random() < lektor_share else "LAERER", []) for _ in range(n_teachers)
            )
            info.teacher_slice = (start, len(plan))
        return plan

    def _employee(self, number: int, unit: OrgUnit, position: str) -> Employee:
        person = self.person(
            birth=self.birth_in_year(self.year - self.rng.randint(23, 66)),
            sex=self.rng.choice([Sex.KVINNE, Sex.KVINNE, Sex.MANN]),
            last_name=self.fake.last_name(),
            address=self.address(self.rng.choice(["0231", "0231", "0226", "0227"])),
        )
        local = f"{person.first_name}.{person.last_name}".lower().translate(ASCII)
        email = f"{local}@lillestrom.kommune.no"
        suffix = 1
        while email in self.emails:
            suffix += 1
            email = f"{local}{suffix}@lillestrom.kommune.no"
        self.emails.add(email)
        school_staff = unit.kind in (OrgUnitKind.SCHOOL, OrgUnitKind.SFO)
        employee = Employee(
            person=person,
            employee_number=f"E{number:06d}",
            email=email,
            phone=self.phone(),
            entra_object_id=str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            feide_id=f"feide:{email.split('@')[0]}@lillestrom.kommune.no" if school_staff else "",
        )
        self.employments.append(
            Employment(
                employee=employee,
                unit=unit,
                external_id=f"ERP-E{number:06d}",
                position_code=position,
                position_title=POSITIONS[position],
                percentage=self.rng.choice([100, 100, 100, 100, 100, 80, 60, 50]),
                valid_from=MERGER_DATE + dt.timedelta(days=self.rng.randint(0, (self.school_start - MERGER_DATE).days)),
            )
        )
        return employee

    def _group_staff(self, plan: list[_Slot], employees: list[Employee]) -> None:
        """PED_LEDER own their department; other kindergarten and SFO staff rotate over the groups."""
        rotation: dict[int, int] = {}
        for (unit, position, groups), employee in zip(plan, employees, strict=True):
            if not groups:
                continue
            if position == "PED_LEDER":
                group = groups[0]
            else:
                i = rotation.get(unit.pk, 0)
                group = groups[i % len(groups)]
                rotation[unit.pk] = i + 1
            self.assignments.append(
                GroupAssignment(
                    employee=employee, group=group, role=GroupRole.GROUP_STAFF, valid_from=self.school_start
                )
            )

    def _contact_teachers(self, employees: list[Employee]) -> None:
        """One contact teacher per class, from the school's own teachers (personas keep their class)."""
        persona_classes = {
            self.first_group(p.unit_code).pk for p in PERSONAS if p.group_role == GroupRole.CONTACT_TEACHER
        }
        for info in self.schools:
            start, stop = info.teacher_slice
            teachers = employees[start:stop]
            for i, group in enumerate(g for g in info.groups if g.pk not in persona_classes):
                self.assignments.append(
                    GroupAssignment(
                        employee=teachers[i % len(teachers)],
                        group=group,
                        role=GroupRole.CONTACT_TEACHER,
                        valid_from=self.school_start,
                    )
                )
