"""Roles follow master data automatically; grants expire by themselves."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from guardian.models import UserObjectPermission

from oas import clock
from oas.access.evaluation import has_action
from oas.access.models import AccessGrant, MappingSource, RoleAssignment, RoleMapping
from oas.access.roles import Role
from oas.access.services import access_grants_cleanup, grant_create, grant_revoke, roles_recompute_for_employees
from oas.errors import ValidationError
from oas.people.models import Employment, GroupAssignment
from tests import factories as f


def _roles(account) -> set[tuple[str, int]]:
    return set(RoleAssignment.objects.filter(employee=account.employee).values_list("role", "unit_id"))


def test_new_employment_gives_the_mapped_role_at_once(world):
    account = world.accounts["teacher"]
    f.EmploymentFactory(employee=account.employee, unit=world.units["K1"], position_code="STYRER")
    assert (Role.UNIT_LEADER, world.units["K1"].pk) in _roles(account)
    assert has_action(user=account.user, action="unit.read_snapshot", target=world.units["K1"])


def test_deleting_the_employment_takes_the_role_away(world):
    account = world.accounts["kindergarten_leader"]
    Employment.objects.filter(employee=account.employee).delete()
    assert _roles(account) == set()
    assert not has_action(user=account.user, action="child.read", target=world.children["kid_bhg"])


def test_ended_employment_stops_giving_access_the_day_after_without_recompute(world, frozen_today):
    account = world.accounts["kindergarten_leader"]
    Employment.objects.filter(employee=account.employee).update(valid_to=frozen_today)
    roles_recompute_for_employees(employee_ids=[account.employee_id])
    assert has_action(user=account.user, action="child.read", target=world.children["kid_bhg"])
    with clock.freeze(frozen_today + dt.timedelta(days=1)):
        assert not has_action(user=account.user, action="child.read", target=world.children["kid_bhg"])


def test_group_assignment_gives_and_removing_it_takes_the_contact_teacher_role(world):
    account = world.accounts["teacher"]
    assignment = GroupAssignment.objects.create(
        employee=account.employee, group=world.units["1A"], role="contact_teacher", valid_from=dt.date(2024, 8, 1)
    )
    assert (Role.CONTACT_TEACHER, world.units["1A"].pk) in _roles(account)
    assert has_action(user=account.user, action="child.read_contacts", target=world.children["kid_school"])
    assignment.delete()
    assert not has_action(user=account.user, action="child.read_contacts", target=world.children["kid_school"])


def test_bulk_import_roles_appear_after_the_importer_calls_recompute(world):
    employee: Any = f.EmployeeFactory()
    Employment.objects.bulk_create(
        [
            Employment(
                employee=employee,
                unit=world.units["S2"],
                position_code="REKTOR",
                percentage=100,
                valid_from=dt.date(2020, 1, 1),
            )
        ]
    )
    assert not RoleAssignment.objects.filter(employee=employee).exists()
    roles_recompute_for_employees(employee_ids=[employee.pk])
    assert RoleAssignment.objects.filter(employee=employee, role=Role.UNIT_LEADER, unit=world.units["S2"]).exists()


def test_mapping_edit_changes_the_derived_roles(world):
    RoleMapping.objects.create(source=MappingSource.POSITION, code="LAERER", role=Role.SPECIAL_EDUCATION)
    account = world.accounts["teacher"]
    roles_recompute_for_employees(employee_ids=[account.employee_id])
    assert has_action(user=account.user, action="child.read_special_needs", target=world.children["kid_school"])


def test_unmapped_position_code_gives_no_role(world):
    employee: Any = f.EmployeeFactory()
    f.EmploymentFactory(employee=employee, unit=world.units["S1"], position_code="VAKTMESTER")
    assert not RoleAssignment.objects.filter(employee=employee).exists()


def test_seed_role_mapping_is_idempotent(db):
    call_command("seed_role_mapping")
    count = RoleMapping.objects.count()
    call_command("seed_role_mapping")
    assert RoleMapping.objects.count() == count > 20


def test_system_administrator_role_gives_admin_access_and_losing_it_takes_it_away(world):
    account = world.accounts["sysadmin"]
    account.user.refresh_from_db()
    assert account.user.is_staff and account.user.is_superuser
    Employment.objects.filter(employee=account.employee).delete()
    account.user.refresh_from_db()
    assert not account.user.is_staff and not account.user.is_superuser


def test_ordinary_staff_get_no_admin_access(world):
    user = world.user("kindergarten_leader")
    user.refresh_from_db()
    assert not user.is_staff


def test_grant_is_stored_as_a_guardian_object_permission(world):
    grant = AccessGrant.objects.get(user=world.user("substitute_valid_grant"))
    assert grant.object_permission is not None
    assert grant.object_permission.object_pk == str(world.units["1A"].pk)
    assert world.user("substitute_valid_grant").has_perm("oas__child__read", world.units["1A"])


def test_valid_grant_stops_working_after_its_last_day_without_anyone_acting(world, frozen_today):
    user = world.user("substitute_valid_grant")
    child = world.children["kid_school"]
    with clock.freeze(frozen_today + dt.timedelta(days=7)):
        assert has_action(user=user, action="child.read", target=child)
    with clock.freeze(frozen_today + dt.timedelta(days=8)):
        assert not has_action(user=user, action="child.read", target=child)


def test_advisor_grant_to_one_child_covers_that_child_only(world, frozen_today):
    user = world.user("other_unit_staff")
    grant_create(
        user_id=user.pk,
        action="child.read_contacts",
        person=world.children["kid_bhg"],
        valid_to=frozen_today,
        reason="Sak",
    )
    assert has_action(user=user, action="child.read_contacts", target=world.children["kid_bhg"])
    assert not has_action(user=user, action="child.read_contacts", target=world.children["kid_school"])


def test_parent_without_responsibility_gets_access_only_through_a_grant(world, frozen_today):
    user = world.user("parent_without_responsibility")
    child = world.children["kid_bhg"]
    assert not has_action(user=user, action="child.read", target=child)
    grant_create(user_id=user.pk, action="child.read", person=child, valid_to=frozen_today, reason="Avtale")
    assert has_action(user=user, action="child.read", target=child)


def test_revoked_grant_stops_working_at_once_and_loses_its_permission(world):
    grant = AccessGrant.objects.get(user=world.user("substitute_valid_grant"))
    perm_id = grant.object_permission_id
    assert perm_id is not None
    grant_revoke(grant=grant)
    assert not has_action(
        user=world.user("substitute_valid_grant"), action="child.read", target=world.children["kid_school"]
    )
    assert not UserObjectPermission.objects.filter(pk=perm_id).exists()


def test_cleanup_removes_guardian_permissions_of_expired_grants_only(world):
    assert access_grants_cleanup() == 1
    assert AccessGrant.objects.get(user=world.user("substitute_expired_grant")).object_permission is None
    assert AccessGrant.objects.get(user=world.user("substitute_valid_grant")).object_permission is not None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"action": "no.such"}, "action"), ({"reason": "  "}, "reason"), ({"person": None}, "person")],
)
def test_bad_grant_input_is_refused_and_writes_nothing(world, frozen_today, kwargs, field):
    before = (AccessGrant.objects.count(), UserObjectPermission.objects.count())
    args = {
        "user_id": world.user("teacher").pk,
        "action": "child.read",
        "person": world.children["kid_bhg"],
        "valid_to": frozen_today,
        "reason": "Vikar",
    } | kwargs
    with pytest.raises(ValidationError) as exc:
        grant_create(**args)
    assert field in exc.value.fields
    assert (AccessGrant.objects.count(), UserObjectPermission.objects.count()) == before


def test_pickup_rights_follow_the_municipalitys_settings_foster_rights_the_relation_policy(world):
    from oas.access.models import GuardianAccessSettings
    from oas.organisation.models import Municipality

    GuardianAccessSettings.objects.create(
        municipality=Municipality.objects.get(number="3030"), foster_parent_actions=[], pickup_actions=[]
    )
    # A foster parent's information right comes from the kernel relation policy, not from the setting.
    assert has_action(user=world.user("foster_parent"), action="child.read", target=world.children["kid_other"])
    assert not has_action(user=world.user("pickup_person"), action="child.read", target=world.children["kid_bhg"])
