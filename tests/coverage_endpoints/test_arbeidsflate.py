"""Allowed and denied requests for the arbeidsflate children list, which lacked a denied test.

The page is for staff: its gate is ``workspace.view`` (staff and break-glass accounts), so guardians get 403
and find their children in the portal; what each staff member sees is filtered in SQL (``child.read``).
These tests pin that nobody sees children outside their scope.
"""

from __future__ import annotations

from typing import Any, cast

from django.test import Client
from django.urls import reverse

from tests.access.conftest import World


def test_staff_member_sees_the_children_of_their_group(client: Client, world: World) -> None:
    client.force_login(cast(Any, world.user("kindergarten_staff")))
    response = client.get(reverse("arbeidsflate:children"))
    assert response.status_code == 200
    assert "Barnehagesen" in response.content.decode()


def test_staff_of_another_unit_do_not_see_the_children(client: Client, world: World) -> None:
    client.force_login(cast(Any, world.user("other_unit_staff")))
    body = client.get(reverse("arbeidsflate:children")).content.decode()
    assert "Barnehagesen" not in body
    assert "Skolesen" not in body


def test_adults_outside_the_staff_see_no_children_in_the_staff_list(client: Client, world: World) -> None:
    for persona in ("outsider", "guardian", "pickup_person"):
        client.force_login(cast(Any, world.user(persona)))
        body = client.get(reverse("arbeidsflate:children")).content.decode()
        assert "Annenbysen" not in body
        assert "Vernesen" not in body
        assert "Fortroligsen" not in body


def test_anonymous_visitor_is_sent_to_login_from_the_children_list(client: Client, world: World) -> None:
    response = client.get(reverse("arbeidsflate:children"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_guardian_is_refused_the_staff_children_list_and_the_portal_does_not_link_there(
    client: Client, world: World
) -> None:
    client.force_login(cast(Any, world.user("guardian")))
    response = client.get(reverse("arbeidsflate:children"))
    assert response.status_code == 403
    assert "Skolesen" not in response.content.decode()
    portal = client.get(reverse("portal:home"))
    assert portal.status_code == 200
    body = portal.content.decode()
    assert "Skolesen" in body  # the guardian's children are in the portal instead
    assert reverse("arbeidsflate:children") not in body


def test_staff_with_children_in_a_unit_get_the_children_list(client: Client, world: World) -> None:
    client.force_login(cast(Any, world.user("principal")))
    response = client.get(reverse("arbeidsflate:children"))
    assert response.status_code == 200
    assert "Skolesen" in response.content.decode()
