"""A staff member's principal is reused between requests until the access epoch moves (rights at once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from oas.access.evaluation import has_action
from oas.access.models import RoleAssignment
from oas.access.principal import access_epoch, principal_for
from oas.access.services import grant_create
from oas.organisation.models import OrgUnit

from .conftest import World

pytestmark = pytest.mark.django_db


def _fresh(user_id: int) -> Any:
    """The user as the session middleware loads it on each request."""
    return get_user_model().objects.get(pk=user_id)


def test_a_staff_principal_is_reused_while_nothing_changes(world: World) -> None:
    user_id = world.user("kindergarten_staff").pk
    assert principal_for(_fresh(user_id)) is principal_for(_fresh(user_id))


def test_a_grant_moves_the_epoch_and_takes_effect_on_the_next_request(world: World, frozen_today: dt.date) -> None:
    user_id = world.user("other_unit_staff").pk
    d1 = world.units["D1"]
    before = principal_for(_fresh(user_id))
    assert not has_action(user=_fresh(user_id), action="attendance.checkin", target=d1)
    epoch = access_epoch()
    grant_create(user_id=user_id, action="attendance.checkin", unit=d1, valid_to=frozen_today, reason="Vikar på Blåbær")
    assert access_epoch() != epoch
    after = principal_for(_fresh(user_id))
    assert after is not before
    assert has_action(user=_fresh(user_id), action="attendance.checkin", target=d1)


def test_bulk_updates_and_unit_changes_move_the_epoch(world: World, frozen_today: dt.date) -> None:
    epoch = access_epoch()
    RoleAssignment.objects.filter(unit=world.units["K2"]).update(valid_to=frozen_today)
    assert access_epoch() != epoch
    epoch = access_epoch()
    OrgUnit.objects.filter(pk=world.units["K2"].pk).update(name="Nytt navn barnehage")
    assert access_epoch() != epoch


def test_guardians_are_loaded_every_time(world: World) -> None:
    guardian = next(a for a in world.accounts.values() if a.kind == "guardian")
    assert principal_for(_fresh(guardian.user_id)) is not principal_for(_fresh(guardian.user_id))


def test_an_inactive_user_has_no_session_user_with_the_password_backend(world: World) -> None:
    from oas.identity.backends import BreakGlassPasswordBackend, OIDCBackend

    user = world.user("kindergarten_staff")
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert BreakGlassPasswordBackend().get_user(str(user.pk)) is None
    assert OIDCBackend().get_user(str(user.pk)) == user  # as mozilla-django-oidc's get_user
    assert OIDCBackend().get_user("0") is None
