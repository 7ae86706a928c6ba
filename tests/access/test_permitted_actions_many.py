"""``permitted_actions_many``: the same answer per row as ``permitted_actions``, in one query for any list."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from oas.access.evaluation import permitted_actions, permitted_actions_many
from oas.organisation.models import OrgUnit
from oas.people.models import Person
from tests.access.conftest import World

pytestmark = pytest.mark.django_db

PERSONAS = [
    "sysadmin",
    "sector_admin",
    "advisor",
    "kindergarten_leader",
    "kindergarten_staff",
    "other_unit_staff",
    "principal",
    "contact_teacher",
    "special_ed",
    "substitute_valid_grant",
    "substitute_expired_grant",
    "guardian",
    "parent_without_responsibility",
    "foster_parent",
    "pickup_person",
    "outsider",
    "protected_guardian",
]


def _persons(world: World) -> list[Person]:
    adults = [world.accounts[p].person for p in ("guardian", "outsider", "protected_guardian", "contact_teacher")]
    return [*world.children.values(), *(a for a in adults if a is not None)]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_batch_answers_like_permitted_actions_for_every_row_including_denied_ones(
    world: World, persona: str
) -> None:
    user = world.user(persona)
    for targets in (_persons(world), list(world.units.values())):
        many = permitted_actions_many(user=user, targets=targets)
        assert set(many) == {t.pk for t in targets}
        for t in targets:
            assert many[t.pk] == permitted_actions(user=user, target=t), (persona, t)


def test_the_mix_really_contains_allowed_and_denied_rows(world: World) -> None:
    many = permitted_actions_many(user=world.user("contact_teacher"), targets=_persons(world))
    assert "child.read" in many[world.children["kid_school"].pk]
    assert many[world.children["kid_other"].pk] == []  # another unit's child: nothing
    mine = permitted_actions_many(user=world.user("guardian"), targets=_persons(world))
    assert "child.read" in mine[world.children["kid_school"].pk]
    assert mine[world.children["kid_protected"].pk] == []


def test_one_query_whatever_the_number_of_targets(world: World) -> None:
    user: Any = world.user("principal")
    user._oas_principal_cache = True  # as in a request: the principal is loaded once
    permitted_actions_many(user=user, targets=[world.children["kid_school"]])  # loads the principal
    for targets in ([world.children["kid_school"]], _persons(world)):
        with CaptureQueriesContext(connection) as ctx:
            permitted_actions_many(user=user, targets=targets)
        assert len(ctx.captured_queries) == 1
    assert permitted_actions_many(user=user, targets=[]) == {}


def test_rows_of_different_models_are_refused(world: World) -> None:
    with pytest.raises(TypeError):
        permitted_actions_many(
            user=world.user("principal"),
            targets=[world.children["kid_school"], OrgUnit.objects.first()],  # type: ignore[list-item]
        )
