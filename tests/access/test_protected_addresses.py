"""Protected addresses: never shown except to the person and explicit grants; strengt fortrolig hides the unit."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from oas.access.privacy import child_placements_view, person_contact_view
from oas.access.services import grant_create
from oas.people.models import PersonRelation


def _guardian_living_with_protected_child(world):
    return PersonRelation.objects.get(child=world.children["kid_protected"], lives_with_child=True).adult


def test_address_of_guardian_living_with_a_protected_child_is_hidden_from_the_contact_teacher(world):
    adult = _guardian_living_with_protected_child(world)
    adult.street_address = ""  # strengt fortrolig: FREG gives none; make sure nothing else leaks either
    contact = person_contact_view(user=world.user("contact_teacher"), person=adult)
    assert contact.address_hidden
    assert contact.address_lines == []
    assert contact.phone == ""


def test_address_of_other_guardian_who_does_not_live_with_the_child_is_shown(world):
    other = PersonRelation.objects.get(child=world.children["kid_protected"], lives_with_child=False).adult
    contact = person_contact_view(user=world.user("contact_teacher"), person=other)
    assert not contact.address_hidden
    assert contact.street_address == other.street_address


def test_fortrolig_childs_address_is_hidden_from_its_teacher(world):
    child = world.children["kid_fortrolig"]
    assert child.street_address
    contact = person_contact_view(user=world.user("other_teacher"), person=child)
    assert contact.address_hidden and contact.street_address == ""


def test_explicit_grant_reveals_the_protected_address(world, frozen_today):
    child = world.children["kid_fortrolig"]
    user = world.user("other_teacher")
    grant_create(
        user_id=user.pk, action="person.read_protected_address", person=child, valid_to=frozen_today, reason="Skyss"
    )
    contact = person_contact_view(user=user, person=child)
    assert not contact.address_hidden
    assert contact.street_address == child.street_address


def test_unordinary_address_is_shown_to_staff(world):
    child = world.children["kid_school"]
    contact = person_contact_view(user=world.user("contact_teacher"), person=child)
    assert not contact.address_hidden and contact.street_address == child.street_address


def test_strengt_fortrolig_childs_unit_is_hidden_from_the_guardian_not_living_with_the_child(world):
    child = world.children["kid_protected"]
    assert child_placements_view(user=world.user("other_guardian"), child=child) == []


def test_strengt_fortrolig_childs_unit_is_shown_to_the_guardian_the_child_lives_with(world):
    child = world.children["kid_protected"]
    placements = child_placements_view(user=world.user("protected_guardian"), child=child)
    assert [p.unit_name for p in placements] == ["Demo skole"]


def test_portal_never_shows_the_other_guardian_which_school_a_strengt_fortrolig_child_attends(client, world):
    client.force_login(world.user("other_guardian"))
    body = client.get(reverse("portal:home")).content.decode()
    assert world.children["kid_protected"].first_name in body
    assert "Demo skole" not in body and "Skoleveien" not in body
    body = client.get(reverse("portal:child", args=[world.children["kid_protected"].pk])).content.decode()
    assert "Demo skole" not in body


def test_staff_child_page_blanks_the_protected_address(client, world):
    child = world.children["kid_fortrolig"]
    client.force_login(world.user("other_teacher"))
    body = client.get(reverse("arbeidsflate:child", args=[child.pk])).content.decode()
    assert child.street_address not in body
    assert "Adressen er beskyttet" in body


def test_expired_protected_address_grant_stops_revealing(world, frozen_today):
    from oas import clock

    child = world.children["kid_fortrolig"]
    user = world.user("other_teacher")
    grant_create(
        user_id=user.pk, action="person.read_protected_address", person=child, valid_to=frozen_today, reason="Skyss"
    )
    with clock.freeze(frozen_today + dt.timedelta(days=1)):
        assert person_contact_view(user=user, person=child).address_hidden


def test_child_api_hides_the_strengt_fortrolig_childs_school_from_the_other_guardian(client, world):
    child = world.children["kid_protected"]
    client.force_login(world.user("other_guardian"))
    data = client.get(f"/api/v1/children/{child.pk}").json()
    assert data["placements"] == []
    assert data["address_hidden"] is True
    client.force_login(world.user("protected_guardian"))
    assert [p["unit_name"] for p in client.get(f"/api/v1/children/{child.pk}").json()["placements"]] == ["Demo skole"]


def test_child_api_blanks_the_fortrolig_address_for_the_teacher(client, world):
    child = world.children["kid_fortrolig"]
    client.force_login(world.user("other_teacher"))
    data = client.get(f"/api/v1/children/{child.pk}").json()
    assert data["address_lines"] == [] and data["address_hidden"] is True
