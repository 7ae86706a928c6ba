"""seed_demo --size small: the demo municipality's shape, its variety, every persona, and determinism."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from devtools.seed import demo_municipality_seed
from oas.audit.models import AuditEvent
from oas.demo_personas import (
    DEMO_KINDERGARTEN_CODE,
    DEMO_SCHOOL_CODE,
    DEMO_SFO_CODE,
    OTHER_KINDERGARTEN_CODE,
    OTHER_SCHOOL_CODE,
    PERSONAS,
    PERSONAS_BY_KEY,
    SECTOR_OFFICE_CODE,
)
from oas.errors import Conflict
from oas.organisation.models import Municipality, OrgUnit, OrgUnitKind, Ownership
from oas.people.models import (
    Adressebeskyttelse,
    DeltBosted,
    Employee,
    Employment,
    Foreldreansvar,
    GroupAssignment,
    Person,
    PersonRelation,
    Placement,
    RelationKind,
    Service,
)
from oas.people.national_id import parse_national_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(frozen_today):
    return demo_municipality_seed(seed=7, size="small")


def snapshot() -> dict[str, object]:
    """The seeded data keyed by stable identifiers (database ids differ between runs)."""
    return {
        "persons": sorted(
            Person.objects.values_list(
                "national_id", "first_name", "last_name", "street_address", "postal_code", "adressebeskyttelse"
            )
        ),
        "relations": sorted(
            PersonRelation.objects.values_list(
                "adult__national_id", "child__national_id", "kind", "foreldreansvar", "lives_with_child", "valid_from"
            )
        ),
        "placements": sorted(
            Placement.objects.values_list("child__national_id", "service", "unit__code", "group__code", "start_date")
        ),
        "units": sorted(OrgUnit.objects.values_list("code", "name", "kind", "organisation_number", "parent__code")),
        "employments": sorted(
            Employment.objects.values_list("employee__employee_number", "unit__code", "position_code", "percentage")
        ),
    }


def test_municipality_history_is_data_skedsmo_sorum_fet_merged_into_lillestrom(seeded):
    lillestrom = Municipality.objects.get(number="3030")
    assert lillestrom.valid_from == dt.date(2020, 1, 1) and lillestrom.valid_to is None
    former = Municipality.objects.filter(merged_into=lillestrom).order_by("number")
    assert [(m.number, m.name, m.valid_to) for m in former] == [
        ("0226", "Sørum", dt.date(2019, 12, 31)),
        ("0227", "Fet", dt.date(2019, 12, 31)),
        ("0231", "Skedsmo", dt.date(2019, 12, 31)),
    ]


def test_small_seed_builds_a_few_units_of_each_kind_with_their_former_municipality(seeded):
    kinds = dict(OrgUnit.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds[OrgUnitKind.SECTOR_OFFICE] == 1
    assert kinds[OrgUnitKind.SCHOOL] == 3
    assert kinds[OrgUnitKind.KINDERGARTEN] == 3
    assert kinds[OrgUnitKind.SFO] == 2
    assert kinds[OrgUnitKind.CLASS] > 10 and kinds[OrgUnitKind.DEPARTMENT] >= 3
    for code in (SECTOR_OFFICE_CODE, DEMO_SCHOOL_CODE, DEMO_SFO_CODE, DEMO_KINDERGARTEN_CODE, OTHER_SCHOOL_CODE):
        assert OrgUnit.objects.filter(code=code).exists(), code
    sfo_parent = OrgUnit.objects.get(code=DEMO_SFO_CODE).parent
    assert sfo_parent is not None and sfo_parent.code == DEMO_SCHOOL_CODE
    schools = OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL).order_by("code")
    assert [s.former_municipality.number for s in schools if s.former_municipality] == ["0231", "0226", "0227"]
    private = OrgUnit.objects.get(kind=OrgUnitKind.KINDERGARTEN, ownership=Ownership.PRIVATE)
    assert len(private.organisation_number) == 9
    # Every unit's path starts at the sector office.
    office = OrgUnit.objects.get(code=SECTOR_OFFICE_CODE)
    assert not OrgUnit.objects.exclude(path__startswith=office.path).exists()


def test_small_seed_has_about_a_hundred_children_with_placements_in_groups(seeded):
    counts = seeded.counts
    assert 80 <= counts["children"] <= 130
    assert Placement.objects.filter(service=Service.SCHOOL).count() >= 50
    assert Placement.objects.filter(service=Service.KINDERGARTEN).count() >= 25
    assert Placement.objects.filter(service=Service.SFO).count() >= 10
    assert not Placement.objects.filter(group__isnull=True).exists()
    # Pupils sit in a class of their own school, SFO children are pupils in grades 1–4.
    for placement in Placement.objects.filter(service=Service.SCHOOL).select_related("group"):
        assert placement.group is not None and placement.group.parent_id == placement.unit_id
    sfo_children = Placement.objects.filter(service=Service.SFO).values("child")
    grades = set(
        Placement.objects.filter(service=Service.SCHOOL, child__in=sfo_children).values_list("group__grade", flat=True)
    )
    assert grades <= {1, 2, 3, 4}


def test_every_person_has_a_valid_synthetic_national_id(seeded):
    for value in Person.objects.values_list("national_id", flat=True):
        assert value is not None and parse_national_id(value).synthetic


def test_guardians_show_realistic_variety(seeded):
    relations = PersonRelation.objects
    assert relations.filter(kind=RelationKind.GUARDIAN, foreldreansvar=Foreldreansvar.FELLES).exists()
    assert relations.filter(
        kind=RelationKind.GUARDIAN, foreldreansvar__in=[Foreldreansvar.MOR, Foreldreansvar.FAR]
    ).exists()
    assert relations.filter(kind=RelationKind.PARENT, lives_with_child=False).exists()
    assert relations.filter(kind=RelationKind.FOSTER_PARENT).exists()
    assert relations.filter(kind=RelationKind.PICKUP).exists()
    assert DeltBosted.objects.exists()
    assert Person.objects.filter(adressebeskyttelse=Adressebeskyttelse.FORTROLIG).exists()
    # Siblings across units: one guardian with children placed in different units.
    across = (
        Placement.objects.filter(
            service__in=[Service.SCHOOL, Service.KINDERGARTEN],
            child__relations_as_child__kind=RelationKind.GUARDIAN,
        )
        .values("child__relations_as_child__adult")
        .annotate(units=Count("unit", distinct=True))
        .filter(units__gt=1)
    )
    assert across.exists()


def test_strengt_fortrolig_children_have_no_residential_address(seeded):
    protected = Person.objects.filter(adressebeskyttelse=Adressebeskyttelse.STRENGT_FORTROLIG)
    assert protected.filter(placements__isnull=False).exists()
    for person in protected:
        assert (person.street_address, person.postal_code, person.address_id, person.grunnkrets) == ("", "", "", None)
        assert person.postal_address
    assert not DeltBosted.objects.filter(child__in=protected).exists()


def test_staff_personas_exist_with_their_identifiers_employment_and_group_role(seeded):
    for persona in (p for p in PERSONAS if p.kind == "staff"):
        employee = Employee.objects.select_related("person").get(employee_number=persona.employee_number)
        assert (employee.email, employee.entra_object_id, employee.feide_id) == (
            persona.email,
            persona.entra_oid,
            persona.feide_id,
        )
        assert (employee.person.national_id, employee.person.first_name, employee.person.last_name) == (
            persona.national_id,
            persona.first_name,
            persona.last_name,
        )
        assert employee.employments.filter(unit__code=persona.unit_code, position_code=persona.position_code).exists()
        if persona.group_role:
            assignment = GroupAssignment.objects.get(employee=employee)
            unit = OrgUnit.objects.get(code=persona.unit_code)
            first_group = unit.children.exclude(kind=OrgUnitKind.SFO).order_by("code").first()
            assert (assignment.role, assignment.group) == (persona.group_role, first_group)
    assert GroupAssignment.objects.get(employee__employee_number="DEMO0008").group.name == "1A"


def _children_of(key: str, kind: str) -> list[Person]:
    adult = Person.objects.get(national_id=PERSONAS_BY_KEY[key].national_id)
    return [r.child for r in PersonRelation.objects.filter(adult=adult, kind=kind).select_related("child")]


def test_guardian_personas_exist_in_the_situations_they_describe(seeded):
    hanne = _children_of("foresatt", RelationKind.GUARDIAN)
    henrik = _children_of("foresatt2", RelationKind.GUARDIAN)
    assert {c.pk for c in hanne} == {c.pk for c in henrik} and len(hanne) == 2
    assert set(PersonRelation.objects.filter(child__in=hanne).values_list("foreldreansvar", flat=True)) >= {"felles"}
    placements = {(p.service, p.unit.code) for p in Placement.objects.filter(child__in=hanne).select_related("unit")}
    assert (Service.KINDERGARTEN, DEMO_KINDERGARTEN_CODE) in placements
    assert {(Service.SCHOOL, DEMO_SCHOOL_CODE), (Service.SFO, DEMO_SFO_CODE)} <= placements

    (oskar,) = _children_of("alene", RelationKind.GUARDIAN)
    relation = PersonRelation.objects.get(child=oskar, kind=RelationKind.GUARDIAN)
    assert relation.foreldreansvar == Foreldreansvar.MOR
    assert DeltBosted.objects.filter(child=oskar).exists()
    assert _children_of("uten", RelationKind.PARENT) == [oskar]
    assert not _children_of("uten", RelationKind.GUARDIAN)

    assert len(_children_of("foster", RelationKind.FOSTER_PARENT)) == 1
    (ida,) = _children_of("beskyttet", RelationKind.GUARDIAN)
    assert ida.adressebeskyttelse == Adressebeskyttelse.STRENGT_FORTROLIG

    assert not Person.objects.filter(national_id=PERSONAS_BY_KEY["ukjent"].national_id).exists()


def test_seed_writes_one_audit_row_summarising_it(seeded):
    (event,) = AuditEvent.objects.filter(event="demo.seeded")
    assert event.details["size"] == "small" and event.details["counts"]["persons"] == Person.objects.count()
    assert event.person_ids == []


def test_the_same_seed_gives_the_same_data(seeded):
    first = snapshot()
    demo_municipality_seed(seed=7, size="small", force=True)
    assert snapshot() == first


def test_another_seed_gives_other_people(seeded):
    first = snapshot()
    demo_municipality_seed(seed=8, size="small", force=True)
    assert snapshot()["persons"] != first["persons"]


def test_seeding_a_non_empty_database_is_refused_and_writes_nothing(seeded):
    before = (Person.objects.count(), OrgUnit.objects.count(), AuditEvent.objects.count())
    with pytest.raises(Conflict, match="--force"):
        demo_municipality_seed(seed=7, size="small")
    assert (Person.objects.count(), OrgUnit.objects.count(), AuditEvent.objects.count()) == before


def test_the_command_reports_counts_and_refuses_without_force(frozen_today):
    out = StringIO()
    call_command("seed_demo", "--size", "small", "--seed", "3", stdout=out)
    assert "Seeded demo municipality (small, seed 3)" in out.getvalue()
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", "--size", "small")
    assert OrgUnit.objects.filter(code=OTHER_KINDERGARTEN_CODE).exists()


def test_bulk_created_groups_get_their_path_and_respect_the_parent_rule():
    from oas.errors import ValidationError
    from oas.organisation.services import orgunit_bulk_create
    from tests import factories as f

    office = f.sector_office()
    school = f.school(parent=office)
    kindergarten = f.kindergarten(parent=office)
    classes = [
        OrgUnit(
            municipality=school.municipality,
            parent=school,
            kind=OrgUnitKind.CLASS,
            code=f"B-{g}",
            name=f"{g}A",
            grade=g,
            valid_from=dt.date(2020, 1, 1),
        )
        for g in (1, 2)
    ]
    orgunit_bulk_create(units=classes)
    for unit in OrgUnit.objects.filter(code__startswith="B-"):
        assert unit.path == f"{school.path}{unit.pk}/"
    wrong = OrgUnit(
        municipality=school.municipality,
        parent=kindergarten,
        kind=OrgUnitKind.CLASS,
        code="B-X",
        name="X",
        valid_from=dt.date(2020, 1, 1),
    )
    with pytest.raises(ValidationError):
        orgunit_bulk_create(units=[wrong])
    assert not OrgUnit.objects.filter(code="B-X").exists()
