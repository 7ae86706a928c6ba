"""The arbeidsflate may reuse recent figures (ARBEIDSFLATE_CACHE_SECONDS); the page says when they were computed."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from django.urls import reverse

from oas.access.models import RoleAssignment
from oas.arbeidsflate.selectors import workspace_cache_forget
from oas.people.models import PROTECTED_LEVELS, Adressebeskyttelse, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(world):
    with override_settings(ARBEIDSFLATE_CACHE_SECONDS=30):
        for persona in ("principal", "teacher"):
            workspace_cache_forget(user=world.user(persona))
        yield
        for persona in ("principal", "teacher"):
            workspace_cache_forget(user=world.user(persona))


def _computed_at(body: str) -> str:
    match = re.search(r'data-computed-at="([^"]+)"', body)
    assert match, "the page must say when its figures were computed"
    return match.group(1)


def test_leader_page_says_when_the_figures_were_computed(client, world, cached):
    client.force_login(world.user("principal"))
    body = client.get(reverse("arbeidsflate:home")).content.decode()
    assert "Tallene er beregnet kl." in body
    assert _computed_at(body).startswith("2026-")


def test_repeated_page_views_reuse_the_figures_with_few_queries(client, world, cached, django_assert_max_num_queries):
    client.force_login(world.user("principal"))
    first = client.get(reverse("arbeidsflate:home")).content.decode()
    Person.objects.filter(adressebeskyttelse__in=PROTECTED_LEVELS).update(
        adressebeskyttelse=Adressebeskyttelse.UGRADERT
    )
    # session user and principal (account + roles + grants): the figures themselves come from the cache
    with django_assert_max_num_queries(2):
        second = client.get(reverse("arbeidsflate:home")).content.decode()
    assert _computed_at(second) == _computed_at(first)
    assert 'data-task="people.protected_children"' in second  # the cached count, as the page says
    workspace_cache_forget(user=world.user("principal"))
    third = client.get(reverse("arbeidsflate:home")).content.decode()
    assert 'data-task="people.protected_children"' not in third


def test_a_removed_role_takes_effect_at_once_despite_the_cache(client, world, cached):
    client.force_login(world.user("principal"))
    assert 'class="snapshot"' in client.get(reverse("arbeidsflate:home")).content.decode()
    RoleAssignment.objects.filter(employee=world.accounts["principal"].employee).delete()
    body = client.get(reverse("arbeidsflate:home")).content.decode()
    assert 'class="snapshot"' not in body
    assert 'data-task="people.protected_children"' not in body


def test_figures_are_not_shared_between_users(client, world, cached):
    client.force_login(world.user("principal"))
    client.get(reverse("arbeidsflate:home"))
    client.force_login(world.user("teacher"))
    body = client.get(reverse("arbeidsflate:home")).content.decode()
    assert 'class="snapshot"' not in body
    assert 'data-task="people.protected_children"' not in body


def test_guardian_is_denied_the_arbeidsflate_with_the_cache_on(client, world, cached):
    client.force_login(world.user("guardian"))
    assert client.get(reverse("arbeidsflate:home")).status_code == 403
