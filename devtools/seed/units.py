"""Municipalities and the org-unit tree, with one child record per planned place."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from devtools.seed.base import (
    BATCH,
    DEPARTMENT_NAMES,
    SECTOR_OFFICE_ORGNR,
    BuilderBase,
    _Child,
    _UnitInfo,
)
from devtools.seed.plan import (
    FORMER,
    GRADE_WEIGHT,
    GRADES,
    LILLESTROM,
    MERGER_DATE,
    PLACE_NAMES,
    POSTAL,
    SchoolLevel,
)
from oas.demo_personas import (
    SECTOR_OFFICE_CODE,
)
from oas.organisation.models import Municipality, OrgUnit, OrgUnitKind, Ownership, SchoolType
from oas.organisation.services import orgunit_bulk_create, orgunit_create
from oas.people.models import (
    Service,
)


class UnitsMixin(BuilderBase):
    """Municipalities and the org-unit tree, with one child record per planned place."""

    # --- organisation -----------------------------------------------------------------------------
    def unit(self, **fields: Any) -> OrgUnit:
        """Create a unit; classes and departments are collected and inserted in bulk by ``flush_groups``."""
        if fields["kind"] in (OrgUnitKind.CLASS, OrgUnitKind.DEPARTMENT):
            unit = OrgUnit(municipality=self.munis[LILLESTROM[0]], valid_from=MERGER_DATE, **fields)
            self.pending_groups.append(unit)
        else:
            unit = orgunit_create(municipality=self.munis[LILLESTROM[0]], valid_from=MERGER_DATE, **fields)
        self.units_by_code[unit.code] = unit
        self.unit_count += 1
        return unit

    def flush_groups(self) -> None:
        orgunit_bulk_create(units=self.pending_groups, batch_size=BATCH)
        self.pending_groups = []

    def build_municipalities(self) -> None:
        lillestrom = Municipality.objects.create(number=LILLESTROM[0], name=LILLESTROM[1], valid_from=MERGER_DATE)
        self.munis[LILLESTROM[0]] = lillestrom
        for number, name, founded in FORMER:
            self.munis[number] = Municipality.objects.create(
                number=number,
                name=name,
                valid_from=founded,
                valid_to=MERGER_DATE - dt.timedelta(days=1),
                merged_into=lillestrom,
            )

    def build_units(self) -> None:
        office = self.unit(
            kind=OrgUnitKind.SECTOR_OFFICE,
            code=SECTOR_OFFICE_CODE,
            name="Oppvekst – Lillestrøm kommune",
            organisation_number=SECTOR_OFFICE_ORGNR,
            street_address="Jonas Lies gate 18",
            postal_code="2000",
            postal_place="LILLESTRØM",
        )
        names = {muni: iter(places) for muni, places in PLACE_NAMES.items()}
        school_no = 0
        for muni, levels in self.size.schools.items():
            for level in levels:
                school_no += 1
                place = next(names[muni], f"{muni}-{school_no}")
                name = "Demo skole" if school_no == 1 else self._school_name(place, level)
                first, last = GRADES[level]
                postal_code, postal_place = POSTAL[muni][school_no % len(POSTAL[muni])]
                school = self.unit(
                    parent=office,
                    kind=OrgUnitKind.SCHOOL,
                    code=f"3030-SKOLE-{school_no:02d}",
                    name=name,
                    ownership=Ownership.PRIVATE if level == SchoolLevel.PRIVATE else Ownership.MUNICIPAL,
                    organisation_number=self.orgnr(),
                    school_type=SchoolType.SPECIAL if level == SchoolLevel.SPECIAL else SchoolType.ORDINARY,
                    first_grade=first,
                    last_grade=last,
                    skolekrets=school_no if level in (SchoolLevel.BARNE, SchoolLevel.KOMBINERT) else None,
                    street_address=f"{place}veien {self.rng.randint(1, 60)}",
                    postal_code=postal_code,
                    postal_place=postal_place,
                    former_municipality=self.munis[muni],
                )
                self.schools.append(_UnitInfo(unit=school, muni=muni))
        self._plan_pupils()
        kg_no = 0
        for muni, (municipal, private) in self.size.kindergartens.items():
            for ownership in [Ownership.MUNICIPAL] * municipal + [Ownership.PRIVATE] * private:
                kg_no += 1
                place = next(names[muni], f"{muni}-{kg_no}")
                private_kg = ownership == Ownership.PRIVATE
                name = "Demo barnehage" if kg_no == 1 else f"{place} {'private ' if private_kg else ''}barnehage"
                postal_code, postal_place = POSTAL[muni][kg_no % len(POSTAL[muni])]
                kg = self.unit(
                    parent=office,
                    kind=OrgUnitKind.KINDERGARTEN,
                    code=f"3030-BHG-{kg_no:02d}",
                    name=name,
                    ownership=ownership,
                    organisation_number=self.orgnr(),
                    # Private kindergartens mostly take part in coordinated admission (barnehageloven § 17).
                    coordinated_admission=not private_kg or self.rng.random() < 0.9,
                    min_age=1,
                    max_age=5,
                    street_address=f"{place}stien {self.rng.randint(1, 40)}",
                    postal_code=postal_code,
                    postal_place=postal_place,
                    former_municipality=self.munis[muni],
                )
                self.kindergartens.append(_UnitInfo(unit=kg, muni=muni))
        self._plan_kindergarten_children()
        self.flush_groups()

    @staticmethod
    def _school_name(place: str, level: SchoolLevel) -> str:
        return {
            SchoolLevel.BARNE: f"{place} skole",
            SchoolLevel.KOMBINERT: f"{place} skole",
            SchoolLevel.UNGDOM: f"{place} ungdomsskole",
            SchoolLevel.SPECIAL: f"{place} spesialskole",
            SchoolLevel.PRIVATE: f"{place} friskole",
        }[level]

    def _plan_pupils(self) -> None:
        """Create classes and SFOs, and one child record per pupil."""
        slots: list[tuple[_UnitInfo, int, float]] = []
        for info in self.schools:
            level = self._level(info)
            first, last = GRADES[level]
            slots.extend(
                (info, grade, GRADE_WEIGHT[level] * self.rng.uniform(0.75, 1.25)) for grade in range(first, last + 1)
            )
        total_weight = sum(w for _, _, w in slots)
        for info in self.schools:
            level = self._level(info)
            if level in (SchoolLevel.BARNE, SchoolLevel.KOMBINERT):
                sfo = self.unit(
                    parent=info.unit,
                    kind=OrgUnitKind.SFO,
                    code=f"{info.unit.code}-SFO",
                    name=f"{info.unit.name} SFO",
                    organisation_number="",
                    former_municipality=info.unit.former_municipality,
                )
                sfo_info = _UnitInfo(unit=sfo, muni=info.muni)
                for grade in range(1, 5):
                    sfo_info.groups.append(
                        self.unit(
                            parent=sfo,
                            kind=OrgUnitKind.CLASS,
                            code=f"{sfo.code}-{grade:02d}",
                            name=f"SFO {grade}. trinn",
                            grade=grade,
                            former_municipality=info.unit.former_municipality,
                        )
                    )
                self.sfos[info.unit.pk] = sfo_info
        for info, grade, weight in slots:
            count = max(1, round(self.size.pupils * weight / total_weight))
            classes = math.ceil(count / self.size.class_size)
            groups = [
                self.unit(
                    parent=info.unit,
                    kind=OrgUnitKind.CLASS,
                    code=f"{info.unit.code}-{grade:02d}{letter}",
                    name=f"{grade}{letter}",
                    grade=grade,
                    former_municipality=info.unit.former_municipality,
                )
                for letter in "ABCDEFGH"[:classes]
            ]
            info.groups.extend(groups)
            start_year = self.year - (grade - (8 if self._level(info) == SchoolLevel.UNGDOM else 1))
            for i in range(count):
                self.pupils.append(
                    _Child(
                        muni=info.muni,
                        birth=self.birth_in_year(self.year - 5 - grade),
                        service=Service.SCHOOL,
                        unit=info.unit,
                        group=groups[i % classes],
                        start=dt.date(start_year, 8, 15),
                        skolekrets=info.unit.skolekrets,
                    )
                )
            info.children += count
        eligible = sum(1 for c in self.pupils if c.unit.pk in self.sfos and (c.group.grade or 0) <= 4)
        share = min(1.0, self.size.sfo_children / max(1, eligible))
        for child in self.pupils:
            grade = child.group.grade or 0
            if child.unit.pk in self.sfos and grade <= 4 and self.rng.random() < share:
                sfo_info = self.sfos[child.unit.pk]
                child.sfo = (sfo_info.unit, sfo_info.groups[grade - 1], child.start)
                sfo_info.children += 1

    def _plan_kindergarten_children(self) -> None:
        weights = [self.rng.uniform(0.5, 1.5) for _ in self.kindergartens]
        total = sum(weights)
        for info, weight in zip(self.kindergartens, weights, strict=True):
            count = max(4, round(self.size.kindergarten_children * weight / total))
            small = round(count * 0.35)
            big = count - small
            small_groups = max(1, math.ceil(small / 12))
            big_groups = max(1, math.ceil(big / 20))
            for i in range(small_groups + big_groups):
                info.groups.append(
                    self.unit(
                        parent=info.unit,
                        kind=OrgUnitKind.DEPARTMENT,
                        code=f"{info.unit.code}-AVD-{i + 1:02d}",
                        name=DEPARTMENT_NAMES[i % len(DEPARTMENT_NAMES)],
                        min_age=1 if i < small_groups else 3,
                        max_age=2 if i < small_groups else 5,
                        former_municipality=info.unit.former_municipality,
                    )
                )
            info.small_groups = small_groups
            for i in range(count):
                under_three = i < small
                if under_three:
                    age = self.rng.choice([1, 2])
                    group = info.groups[i % small_groups]
                else:
                    age = self.rng.choice([3, 4, 5])
                    group = info.groups[small_groups + i % big_groups]
                birth = self.birth_in_year(self.year - age, last_month=11 if age == 1 else 12)
                started = max(dt.date(birth.year + 1, 8, 15), dt.date(self.year - 4, 8, 15))
                self.kg_children.append(
                    _Child(
                        muni=info.muni,
                        birth=birth,
                        service=Service.KINDERGARTEN,
                        unit=info.unit,
                        group=group,
                        start=min(started, self.school_start),
                    )
                )
            info.children = count
