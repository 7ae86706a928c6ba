"""Who is in a thread: parental responsibility, non-custodial parents, foster parents, protected addresses."""

from __future__ import annotations

import datetime as dt

import pytest

from messaging.models import Message, Thread, ThreadSide
from messaging.services.threads import message_reply, thread_recipients, thread_start, visible_messages
from oas.access.models import GuardianAccessSettings
from oas.access.services import grant_create
from oas.audit.models import AuditEvent
from oas.errors import NotFound, ValidationError
from tests.messaging.conftest import World

pytestmark = pytest.mark.django_db


def _start(world: World, persona: str, child: str, unit: str, body: str = "Hei") -> Thread:
    return thread_start(
        user=world.user(persona),
        child_id=world.children[child].pk,
        unit_id=world.units[unit].pk,
        subject="Om uka",
        body=body,
    )


def test_both_guardians_with_parental_responsibility_are_in_the_thread(world: World) -> None:
    thread = _start(world, "contact_teacher", "kid_protected", "1A")
    guardians = set(ThreadSide.objects.filter(thread=thread).values_list("guardian_id", flat=True))
    assert guardians == {world.accounts["protected_guardian"].person_id, world.accounts["other_guardian"].person_id}


def test_parent_without_parental_responsibility_is_left_out(world: World) -> None:
    recipients = {p.pk for p in thread_recipients(child=world.children["kid_bhg"])}
    assert recipients == {world.accounts["guardian"].person_id}
    assert world.accounts["parent_without_responsibility"].person_id not in recipients
    assert world.accounts["pickup_person"].person_id not in recipients


def test_parent_without_parental_responsibility_is_included_with_a_grant(world: World, frozen_today: dt.date) -> None:
    grant_create(
        user_id=world.user("parent_without_responsibility").pk,
        action="messaging.child.message",
        person=world.children["kid_bhg"],
        valid_to=frozen_today + dt.timedelta(days=365),
        reason="Avtale om informasjon",
    )
    recipients = {p.pk for p in thread_recipients(child=world.children["kid_bhg"])}
    assert world.accounts["parent_without_responsibility"].person_id in recipients


def test_foster_parent_is_a_recipient_by_the_relation_policy(world: World) -> None:
    # The kernel relation policy (issue 13, point 13): a foster parent has the information right, whatever the
    # municipality's GuardianAccessSettings say (they configure pick-up persons and extra actions).
    child = world.children["kid_other"]
    assert [p.pk for p in thread_recipients(child=child)] == [world.accounts["foster_parent"].person_id]
    municipality = world.units["K2"].municipality
    GuardianAccessSettings.objects.create(municipality=municipality, foster_parent_actions=[])
    assert [p.pk for p in thread_recipients(child=child)] == [world.accounts["foster_parent"].person_id]


def test_writing_about_a_child_without_relation_is_refused_and_audited(world: World) -> None:
    with pytest.raises(NotFound):
        _start(world, "outsider", "kid_school", "S1")
    with pytest.raises(NotFound):
        _start(world, "other_teacher", "kid_school", "S1")
    assert AuditEvent.objects.filter(event="messaging.thread.start", action="denied").count() == 2


def test_a_guardians_reply_is_seen_by_staff_and_that_guardian_only(world: World) -> None:
    thread = _start(world, "contact_teacher", "kid_protected", "1A")
    reply = message_reply(user=world.user("protected_guardian"), thread_id=thread.pk, body="Svar fra mor")
    own = ThreadSide.objects.get(thread=thread, guardian_id=world.accounts["protected_guardian"].person_id)
    other = ThreadSide.objects.get(thread=thread, guardian_id=world.accounts["other_guardian"].person_id)
    assert reply in visible_messages(thread=thread, side=own)
    assert reply not in visible_messages(thread=thread, side=other)
    assert reply in visible_messages(thread=thread, side=None)  # staff


def test_staff_can_answer_one_guardian_without_the_other_seeing_it(world: World) -> None:
    thread = _start(world, "contact_teacher", "kid_protected", "1A")
    other = ThreadSide.objects.get(thread=thread, guardian_id=world.accounts["other_guardian"].person_id)
    own = ThreadSide.objects.get(thread=thread, guardian_id=world.accounts["protected_guardian"].person_id)
    private = message_reply(user=world.user("contact_teacher"), thread_id=thread.pk, body="Til far", side_id=other.pk)
    assert private in visible_messages(thread=thread, side=other)
    assert private not in visible_messages(thread=thread, side=own)


def test_a_guardian_cannot_read_a_thread_they_are_not_in(world: World) -> None:
    thread = _start(world, "contact_teacher", "kid_school", "1A")
    with pytest.raises(NotFound):
        message_reply(user=world.user("other_guardian"), thread_id=thread.pk, body="Hei")
    assert not Message.objects.filter(body="Hei", thread=thread, author_kind="guardian").exists()


def test_a_guardian_writing_to_the_unit_starts_a_thread_only_on_their_own_side(world: World) -> None:
    thread = _start(world, "protected_guardian", "kid_protected", "S1", body="Syk i dag")
    assert list(ThreadSide.objects.filter(thread=thread).values_list("guardian_id", flat=True)) == [
        world.accounts["protected_guardian"].person_id
    ]
    assert thread.awaiting_staff_since is not None


def test_a_guardian_cannot_write_to_a_unit_the_child_does_not_attend(world: World) -> None:
    with pytest.raises(ValidationError):
        _start(world, "guardian", "kid_school", "K2")
