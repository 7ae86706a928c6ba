import datetime as dt
from typing import cast

import pytest
from django.db import IntegrityError, connection, transaction

from oas.audit.models import AuditEvent
from oas.audit.services import audit_record
from oas.people.models import Adressebeskyttelse, Foreldreansvar, Person, Placement, RelationKind, Service
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_orgunit_subtree_follows_materialised_path():
    from oas.organisation.selectors import orgunit_subtree

    office = f.sector_office()
    school = f.school(parent=office)
    cls = f.child_unit(parent=school, kind="class", grade=1)
    other = f.school(parent=office)
    assert set(orgunit_subtree(unit=school)) == {school, cls}
    assert other not in orgunit_subtree(unit=school)


def test_guardian_relation_requires_foreldreansvar():
    child = f.ChildFactory()
    adult = f.PersonFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.RelationFactory(adult=adult, child=child, kind=RelationKind.GUARDIAN, foreldreansvar="")


def test_parent_without_responsibility_has_no_foreldreansvar_value():
    rel = f.RelationFactory(kind=RelationKind.PARENT, foreldreansvar="")
    assert rel.kind == RelationKind.PARENT
    with pytest.raises(IntegrityError), transaction.atomic():
        f.RelationFactory(kind=RelationKind.PARENT, foreldreansvar=Foreldreansvar.MOR)


def test_overlapping_relations_of_same_kind_are_refused():
    rel = f.RelationFactory(valid_from=dt.date(2020, 1, 1), valid_to=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.RelationFactory(adult=rel.adult, child=rel.child, valid_from=dt.date(2021, 1, 1))


def test_strengt_fortrolig_person_cannot_store_residential_address():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.PersonFactory(adressebeskyttelse=Adressebeskyttelse.STRENGT_FORTROLIG)
    person = cast(
        Person,
        f.PersonFactory(
            adressebeskyttelse=Adressebeskyttelse.STRENGT_FORTROLIG,
            street_address="",
            postal_code="",
            postal_place="",
            grunnkrets=None,
            skolekrets=None,
        ),
    )
    assert person.has_protected_address


def test_overlapping_placements_in_same_service_are_refused():
    office = f.sector_office()
    kg = f.kindergarten(parent=office)
    placement = cast(
        Placement, f.PlacementFactory(unit=kg, service=Service.KINDERGARTEN, start_date=dt.date(2024, 8, 1))
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(
            child=placement.child, unit=kg, service=Service.KINDERGARTEN, start_date=dt.date(2025, 1, 1)
        )
    # A school placement at the same time is fine: different service.
    school = f.school(parent=office)
    Placement.objects.create(child=placement.child, unit=school, service=Service.SCHOOL, start_date=dt.date(2025, 1, 1))


def test_audit_table_rejects_update_and_delete():
    # The application role has no UPDATE/DELETE privilege; the owner meets the trigger (tests/kernel/test_app_role.py).
    event = audit_record(action="read", event="child.read", person_ids=[1, 2])
    refused = "append-only|permission denied"
    with pytest.raises(Exception, match=refused), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditevent SET event = 'x' WHERE id = %s", [event.pk])
    with pytest.raises(Exception, match=refused), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).event == "child.read"
