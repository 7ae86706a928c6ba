"""The office's child lookup authorises in the service (the convention in DEVELOPERS.md), not only in the view."""

from __future__ import annotations

import pytest

from oas.audit.models import AuditAction, AuditEvent
from oas.errors import PermissionDenied
from oas.people.lookup import child_lookup
from tests import factories as f

pytestmark = pytest.mark.django_db

ACTION = "kindergarten.placement.create"


def test_a_user_without_the_placement_action_cannot_look_a_child_up(demo_municipality):
    child = f.ChildFactory.create()
    with pytest.raises(PermissionDenied):
        child_lookup(user=f.UserFactory.create(), action=ACTION, national_id=child.national_id, event="test.lookup")
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, event="test.lookup.denied").count() == 1
    assert not AuditEvent.objects.filter(event="test.lookup", person_ids__contains=[child.pk]).exists()


def test_a_user_with_the_placement_action_finds_the_child(demo_municipality):
    child = f.ChildFactory.create()
    found = child_lookup(
        user=f.UserFactory.create(is_superuser=True), action=ACTION, national_id=child.national_id, event="test.lookup"
    )
    assert found.person == child
    assert AuditEvent.objects.filter(event="test.lookup", person_ids__contains=[child.pk]).exists()
