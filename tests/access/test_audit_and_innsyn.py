"""Audit: reads are logged with name and role; the guardian's innsyn page shows them; admin search."""

from __future__ import annotations

import re

from django.urls import reverse

from oas.audit.models import AuditAction, AuditEvent


def test_innsyn_page_shows_which_staff_member_read_my_child_with_role(client, world):
    child = world.children["kid_bhg"]
    staff = world.accounts["kindergarten_staff"]
    client.force_login(staff.user)
    assert client.get(reverse("arbeidsflate:child", args=[child.pk])).status_code == 200
    client.logout()

    client.force_login(world.user("guardian"))
    response = client.get(reverse("portal:innsyn", args=[child.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert staff.person.full_name in body
    assert "Demo barnehage" in body  # acting role names the unit
    # Plain words, not event codes: "Navn (rolle) så barnets side".
    assert f"{staff.person.full_name} (" in body
    assert ") så barnets side" in body
    assert "child.read" not in body


def test_innsyn_page_leaves_out_the_guardians_own_visits_and_other_children(client, world):
    child = world.children["kid_bhg"]
    client.force_login(world.user("guardian"))
    client.get(reverse("portal:child", args=[child.pk]))
    body = client.get(reverse("portal:innsyn", args=[child.pk])).content.decode()
    assert "Ingen andre har sett opplysningene" in body


def test_parent_without_responsibility_gets_no_innsyn(client, world):
    client.force_login(world.user("parent_without_responsibility"))
    assert client.get(reverse("portal:innsyn", args=[world.children["kid_bhg"].pk])).status_code == 404


def test_audit_row_records_acting_role_ip_and_page(client, world):
    child = world.children["kid_school"]
    client.force_login(world.user("contact_teacher"))
    client.get(reverse("arbeidsflate:child", args=[child.pk]), REMOTE_ADDR="10.1.2.3")
    row = AuditEvent.objects.filter(event="child.read", person_ids__contains=[child.pk]).get()
    assert row.ip == "10.1.2.3"
    assert "Kontaktlærer (1A)" in row.acting_role
    assert row.path == reverse("arbeidsflate:child", args=[child.pk])
    assert row.actor_display == world.accounts["contact_teacher"].person.full_name


def test_system_administrator_searches_the_audit_log_by_person_in_the_admin(client, world):
    child = world.children["kid_school"]
    client.force_login(world.user("contact_teacher"))
    client.get(reverse("arbeidsflate:child", args=[child.pk]))
    client.logout()
    client.force_login(world.user("sysadmin"))
    response = client.get(reverse("admin:audit_auditevent_changelist"), {"person": str(child.pk)})
    assert response.status_code == 200
    assert "child.read" in response.content.decode()
    response = client.get(
        reverse("admin:audit_auditevent_changelist"), {"q": f"user:{world.user('contact_teacher').pk}"}
    )
    assert response.status_code == 200


def test_audit_admin_offers_no_change_or_delete(client, world):
    client.force_login(world.user("sysadmin"))
    row = AuditEvent.objects.create(at="2026-11-19T08:00:00Z", action=AuditAction.READ, event="x.read")
    change = client.post(reverse("admin:audit_auditevent_change", args=[row.pk]), {"event": "changed"})
    assert change.status_code in (302, 403) and AuditEvent.objects.get(pk=row.pk).event == "x.read"
    assert client.post(reverse("admin:audit_auditevent_delete", args=[row.pk]), {"post": "yes"}).status_code == 403


def test_staff_without_system_administrator_role_cannot_open_the_admin_audit_log(client, world):
    client.force_login(world.user("kindergarten_leader"))
    response = client.get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_innsyn_for_a_strengt_fortrolig_child_hides_staff_names_and_roles_from_the_other_guardian(client, world):
    child = world.children["kid_protected"]
    staff = world.accounts["contact_teacher"]
    client.force_login(staff.user)
    client.get(reverse("arbeidsflate:child", args=[child.pk]))
    client.force_login(world.user("other_guardian"))
    body = client.get(reverse("portal:innsyn", args=[child.pk])).content.decode()
    assert "Ansatt i kommunen" in body
    visible = re.sub(r"[A-Za-z0-9]{32,}", "", body)  # a random CSRF token may contain "1A"
    assert staff.person.full_name not in visible and "1A" not in visible
    client.force_login(world.user("protected_guardian"))
    assert staff.person.full_name in client.get(reverse("portal:innsyn", args=[child.pk])).content.decode()


def test_system_administrator_creates_a_grant_in_the_admin(client, world, frozen_today):
    from guardian.models import UserObjectPermission

    from oas.access.models import AccessGrant

    client.force_login(world.user("sysadmin"))
    target = world.user("other_teacher")
    response = client.post(
        reverse("admin:access_accessgrant_add"),
        {
            "user": target.pk,
            "action": "child.read",
            "person": world.children["kid_bhg"].pk,
            "valid_from": "2026-11-19",
            "valid_to": "2026-11-30",
            "reason": "Rådgiver i sak",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    grant = AccessGrant.objects.get(user=target)
    assert grant.object_permission_id is not None
    assert UserObjectPermission.objects.filter(pk=grant.object_permission_id).exists()
    assert AuditEvent.objects.filter(
        event="access.grant_create", person_ids__contains=[world.children["kid_bhg"].pk]
    ).exists()


def test_foster_settings_refuse_unknown_actions(world):
    import pytest
    from django.core.exceptions import ValidationError

    from oas.access.models import GuardianAccessSettings
    from oas.organisation.models import Municipality

    settings = GuardianAccessSettings(
        municipality=Municipality.objects.get(number="3030"), pickup_actions=["unit.read_staff"]
    )
    with pytest.raises(ValidationError):
        settings.full_clean()
