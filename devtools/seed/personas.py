"""The fixed demo logins of ``oas.demo_personas``, in the situations they describe."""

from __future__ import annotations

import datetime as dt
from typing import Any

from devtools.seed.base import (
    BuilderBase,
    _Child,
)
from devtools.seed.plan import (
    MERGER_DATE,
)
from oas.demo_personas import (
    DEMO_KINDERGARTEN_CODE,
    DEMO_SCHOOL_CODE,
    DEMO_SFO_CODE,
    PERSONAS,
    Persona,
)
from oas.people.models import (
    Adressebeskyttelse,
    Employee,
    Employment,
    Foreldreansvar,
    GroupAssignment,
    ParentRole,
    Person,
    RelationKind,
    RelationSource,
    Service,
    Sex,
)
from oas.people.national_id import parse_national_id
from oas.people.positions import POSITIONS


class PersonasMixin(BuilderBase):
    """The fixed demo logins of ``oas.demo_personas``, in the situations they describe."""

    def _persona_person(self, persona: Persona, address: dict[str, Any] | None, **extra: Any) -> Person:
        parsed = parse_national_id(persona.national_id)
        sex = Sex.MANN if int(persona.national_id[8]) % 2 else Sex.KVINNE
        person = self.person(
            birth=parsed.birth_date,
            sex=sex,
            first_name=persona.first_name,
            last_name=persona.last_name,
            national_id=persona.national_id,
            address=address,
            **extra,
        )
        if persona.email:
            person.email = persona.email
        return person

    def build_personas(self) -> None:
        staff_since = MERGER_DATE
        for persona in PERSONAS:
            if persona.kind != "staff":
                continue
            person = self._persona_person(persona, self.address("0231"))
            employee = Employee(
                person=person,
                employee_number=persona.employee_number,
                email=persona.email,
                phone=self.phone(),
                entra_object_id=persona.entra_oid,
                feide_id=persona.feide_id,
            )
            self.employees.append(employee)
            self.employments.append(
                Employment(
                    employee=employee,
                    unit=self.units_by_code[persona.unit_code],
                    external_id=f"ERP-{persona.employee_number}",
                    position_code=persona.position_code,
                    position_title=POSITIONS[persona.position_code],
                    percentage=100,
                    valid_from=staff_since,
                )
            )
            if persona.group_role:
                self.assignments.append(
                    GroupAssignment(
                        employee=employee,
                        group=self.first_group(persona.unit_code),
                        role=persona.group_role,
                        valid_from=self.school_start,
                    )
                )
        self._persona_families()

    def _persona_families(self) -> None:
        by_key = {p.key: p for p in PERSONAS}
        school = self.units_by_code[DEMO_SCHOOL_CODE]
        class_1a = self.first_group(DEMO_SCHOOL_CODE)
        sfo = self.units_by_code[DEMO_SFO_CODE]
        sfo_group = self.first_group(DEMO_SFO_CODE)
        kg = self.units_by_code[DEMO_KINDERGARTEN_CODE]
        department = self.first_group(DEMO_KINDERGARTEN_CODE)
        school_start = dt.date(self.year, 8, 15)
        kg_start = dt.date(self.year - 1, 8, 15)

        def pupil(
            first: str, last: str, sex: str, address: dict[str, Any] | None, protection: str, *, with_sfo: bool
        ) -> Person:
            child = self.person(
                birth=self.birth_in_year(self.year - 6),
                sex=sex,
                first_name=first,
                last_name=last,
                address=address,
                protection=protection,
                adult=False,
            )
            record = _Child("0231", child.birth_date or school_start, Service.SCHOOL, school, class_1a, school_start)
            if with_sfo:
                record.sfo = (sfo, sfo_group, school_start)
            self._place(child, record)
            return child

        def toddler(first: str, last: str, sex: str, address: dict[str, Any]) -> Person:
            child = self.person(
                birth=self.birth_in_year(self.year - 2),
                sex=sex,
                first_name=first,
                last_name=last,
                address=address,
                adult=False,
            )
            self._place(
                child, _Child("0231", child.birth_date or kg_start, Service.KINDERGARTEN, kg, department, kg_start)
            )
            return child

        ugradert = Adressebeskyttelse.UGRADERT
        # foresatt + foresatt2: felles foreldreansvar for a kindergarten child and a pupil with SFO
        home = self.address("0231", skolekrets=school.skolekrets)
        hanne = self._persona_person(by_key["foresatt"], home)
        henrik = self._persona_person(by_key["foresatt2"], home)
        emma = toddler("Emma", "Hansen", Sex.KVINNE, home)
        jonas = pupil("Jonas", "Hansen", Sex.MANN, home, ugradert, with_sfo=True)
        for child in (emma, jonas):
            self.relate(
                hanne, child, RelationKind.GUARDIAN, foreldreansvar=Foreldreansvar.FELLES, parent_role=ParentRole.MOR
            )
            self.relate(
                henrik, child, RelationKind.GUARDIAN, foreldreansvar=Foreldreansvar.FELLES, parent_role=ParentRole.FAR
            )
        self._pickup("0231", [emma, jonas], hanne.birth_date or school_start)

        # alene: foreldreansvar alene with delt bosted; "uten" is the child's father without responsibility
        home = self.address("0231", skolekrets=school.skolekrets)
        other_home = self.address("0231")
        aina = self._persona_person(by_key["alene"], home)
        ulf = self._persona_person(by_key["uten"], other_home)
        oskar = pupil("Oskar", "Aleneby", Sex.MANN, home, ugradert, with_sfo=False)
        self.relate(aina, oskar, RelationKind.GUARDIAN, foreldreansvar=Foreldreansvar.MOR, parent_role=ParentRole.MOR)
        self.relate(ulf, oskar, RelationKind.PARENT, parent_role=ParentRole.FAR, lives_with=False)
        self._delt_bosted(oskar, other_home)

        # foster: foster parent of a kindergarten child whose parents keep foreldreansvar
        home = self.address("0231")
        frode = self._persona_person(by_key["foster"], home)
        nora = toddler("Nora", self.fake.last_name(), Sex.KVINNE, home)
        bio_home = self.address("0226")
        for sex, role in ((Sex.KVINNE, ParentRole.MOR), (Sex.MANN, ParentRole.FAR)):
            parent = self.person(
                birth=self.birth_in_year(self.year - 30), sex=sex, last_name=nora.last_name, address=bio_home
            )
            self.relate(
                parent,
                nora,
                RelationKind.GUARDIAN,
                foreldreansvar=Foreldreansvar.FELLES,
                parent_role=role,
                lives_with=False,
            )
        self.relate(
            frode,
            nora,
            RelationKind.FOSTER_PARENT,
            source=RelationSource.CHILD_WELFARE,
            valid_from=min((nora.birth_date or kg_start) + dt.timedelta(days=120), self.today),
        )

        # beskyttet: guardian of a strengt fortrolig child (both without residential address)
        strengt = Adressebeskyttelse.STRENGT_FORTROLIG
        bente = self._persona_person(by_key["beskyttet"], None, protection=strengt)
        ida = pupil("Ida", "Berg", Sex.KVINNE, None, strengt, with_sfo=True)
        self.relate(bente, ida, RelationKind.GUARDIAN, foreldreansvar=Foreldreansvar.FELLES, parent_role=ParentRole.MOR)
        # farbeskyttet: Ida's father shares parental responsibility but she and her mother fled from him: he keeps
        # the right to information (barneloven § 47) but must never learn her school or SFO.
        frank = self._persona_person(by_key["farbeskyttet"], self.address("0231"))
        self.relate(
            frank,
            ida,
            RelationKind.GUARDIAN,
            foreldreansvar=Foreldreansvar.FELLES,
            parent_role=ParentRole.FAR,
            lives_with=False,
        )
