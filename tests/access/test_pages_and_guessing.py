"""Pages and API: allowed and denied, and guessing another child's ID (404 + audit row)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from oas.audit.models import AuditAction, AuditEvent
from oas.people.models import Service
from tests import factories as f


def _denied_rows(child_id: int) -> int:
    return AuditEvent.objects.filter(action=AuditAction.DENIED, object_id=str(child_id)).count()


def test_staff_member_sees_the_arbeidsflate(client, world):
    client.force_login(world.user("kindergarten_leader"))
    response = client.get(reverse("arbeidsflate:home"))
    assert response.status_code == 200
    assert "Øyeblikksbilde" in response.content.decode()


def test_guardian_is_refused_the_arbeidsflate(client, world):
    client.force_login(world.user("guardian"))
    assert client.get(reverse("arbeidsflate:home")).status_code == 403


def test_anonymous_visitor_is_sent_to_login_from_the_arbeidsflate(client, world):
    response = client.get(reverse("arbeidsflate:home"))
    assert response.status_code == 302


def test_guardian_sees_mine_barn_with_both_children(client, world):
    client.force_login(world.user("guardian"))
    response = client.get(reverse("portal:home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert world.children["kid_bhg"].first_name in body
    assert world.children["kid_school"].first_name in body
    assert "Demo barnehage" in body and "Demo SFO" in body
    assert world.children["kid_other"].first_name not in body


def test_staff_member_is_refused_the_portal(client, world):
    client.force_login(world.user("teacher"))
    assert client.get(reverse("portal:home")).status_code == 403


def test_parent_without_responsibility_sees_no_child_in_the_portal(client, world):
    client.force_login(world.user("parent_without_responsibility"))
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    child = world.children["kid_bhg"]
    body = response.content.decode()
    # Not the first name alone: a random Faker name can also belong to someone else on the page.
    assert reverse("portal:child", args=[child.pk]) not in body
    assert child.full_name not in body


def test_guardian_guessing_another_childs_id_gets_404_and_an_audit_row(client, world):
    other = world.children["kid_other"]
    client.force_login(world.user("guardian"))
    assert client.get(reverse("portal:child", args=[other.pk])).status_code == 404
    assert client.get(reverse("portal:innsyn", args=[other.pk])).status_code == 404
    assert _denied_rows(other.pk) == 2


def test_guardian_guessing_a_child_id_that_does_not_exist_gets_the_same_404(client, world):
    client.force_login(world.user("guardian"))
    assert client.get(reverse("portal:child", args=[999999999])).status_code == 404
    assert _denied_rows(999999999) == 1


def test_guardian_opens_own_childs_page(client, world):
    child = world.children["kid_bhg"]
    client.force_login(world.user("guardian"))
    assert client.get(reverse("portal:child", args=[child.pk])).status_code == 200


def test_staff_of_one_unit_guessing_a_child_in_another_unit_gets_404_and_an_audit_row(client, world):
    child = world.children["kid_other"]
    client.force_login(world.user("kindergarten_staff"))
    assert client.get(reverse("arbeidsflate:child", args=[child.pk])).status_code == 404
    row = AuditEvent.objects.get(action=AuditAction.DENIED, object_id=str(child.pk))
    assert row.user_id == world.user("kindergarten_staff").pk
    assert row.person_ids == [child.pk]
    assert row.path == reverse("arbeidsflate:child", args=[child.pk])


def test_staff_opens_a_child_in_own_unit_and_the_read_is_logged(client, world):
    child = world.children["kid_bhg"]
    client.force_login(world.user("kindergarten_staff"))
    response = client.get(reverse("arbeidsflate:child", args=[child.pk]))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.READ, event="child.read", person_ids__contains=[child.pk]
    ).exists()


def test_children_list_shows_only_the_users_own_unit(client, world):
    client.force_login(world.user("kindergarten_leader"))
    body = client.get(reverse("arbeidsflate:children")).content.decode()
    assert world.children["kid_bhg"].last_name in body
    assert world.children["kid_other"].last_name not in body
    assert world.children["kid_school"].last_name not in body


def test_child_api_returns_permitted_actions(client, world):
    child = world.children["kid_school"]
    client.force_login(world.user("contact_teacher"))
    response = client.get(f"/api/v1/children/{child.pk}")
    assert response.status_code == 200
    kernel = {"child.read", "child.read_contacts", "child.read_special_needs", "person.read_protected_address"}
    assert kernel & set(response.json()["permitted_actions"]) == {"child.read", "child.read_contacts"}


def test_child_api_answers_404_in_the_error_shape_for_another_units_child(client, world):
    child = world.children["kid_bhg"]
    client.force_login(world.user("contact_teacher"))
    response = client.get(f"/api/v1/children/{child.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert _denied_rows(child.pk) == 1


def test_child_api_refuses_anonymous_callers(client, world):
    assert client.get(f"/api/v1/children/{world.children['kid_bhg'].pk}").status_code in (401, 403)


@pytest.mark.parametrize("path", ["/api/v1/workspace/tasks", "/api/v1/workspace/snapshot"])
def test_workspace_api_answers_staff(client, world, path):
    client.force_login(world.user("kindergarten_leader"))
    response = client.get(path)
    assert response.status_code == 200
    assert isinstance(response.json(), list)


@pytest.mark.parametrize("path", ["/api/v1/workspace/tasks", "/api/v1/workspace/snapshot"])
def test_workspace_api_refuses_guardians_and_anonymous_callers(client, world, path):
    assert client.get(path).status_code in (401, 403)
    client.force_login(world.user("guardian"))
    assert client.get(path).status_code == 403


def test_workspace_api_is_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/workspace/tasks" in schema and "/api/v1/workspace/snapshot" in schema


def test_portal_shows_what_needs_the_guardians_attention(client, world):
    child = f.ChildFactory(birth_date=dt.date(2020, 2, 2))
    f.RelationFactory(adult=world.accounts["guardian"].person, child=child)
    f.PlacementFactory(child=child, unit=world.units["S1"], service=Service.SCHOOL, start_date=dt.date(2026, 12, 1))
    client.force_login(world.user("guardian"))
    body = client.get(reverse("portal:home")).content.decode()
    assert "Trenger din oppmerksomhet" in body
    assert f"{child.first_name} starter i Demo skole" in body


def test_portal_attention_never_reveals_a_strengt_fortrolig_childs_new_school(client, world):
    child = world.children["kid_protected"]
    f.PlacementFactory(child=child, unit=world.units["SFO1"], service=Service.SFO, start_date=dt.date(2026, 12, 1))
    client.force_login(world.user("other_guardian"))
    body = client.get(reverse("portal:home")).content.decode()
    assert "Demo SFO" not in body
    client.force_login(world.user("protected_guardian"))
    assert "Demo SFO" in client.get(reverse("portal:home")).content.decode()


def test_template_tag_answers_for_the_current_user(rf, world):
    from django.template import Context, Template

    template = Template('{% load access %}{% has_action "child.read_contacts" child as can %}{{ can }}')
    request = rf.get("/")
    request.user = world.user("teacher")
    child = world.children["kid_school"]
    assert template.render(Context({"request": request, "child": child})) == "False"
    request.user = world.user("contact_teacher")
    assert template.render(Context({"request": request, "child": child})) == "True"


def test_api_refusal_is_audit_logged(client, world):
    client.force_login(world.user("guardian"))
    client.get("/api/v1/workspace/tasks")
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, event="access.api_denied").exists()


def test_break_glass_account_reads_any_child_but_not_protected_addresses(world):
    from oas.access.evaluation import has_action
    from oas.identity.models import Account, AccountKind

    user: Any = f.UserFactory(username="breakglass", is_superuser=True, is_staff=True)
    Account.objects.create(user=user, kind=AccountKind.BREAK_GLASS)
    assert has_action(user=user, action="child.read", target=world.children["kid_other"])
    assert not has_action(user=user, action="person.read_protected_address", target=world.children["kid_protected"])
    assert not has_action(user=user, action="portal.view")
