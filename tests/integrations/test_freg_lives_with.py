""" "Lives with the child" follows the register on every change of address, protection and custody (issue 13.2).

It was set once from address equality when a relation was created and never recomputed: a father whose former
partner and child fled and got strengt fortrolig kept the flag and saw the child's new school. The register feed
runs through the FREG simulator, among the demo municipality's other families.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from integrations.freg.population import EventGenerator
from integrations.freg.sync import freg_initial_load, freg_sync_feed
from integrations.models.freg import SyncRunStatus
from oas import clock
from oas.access.principal import principal_for
from oas.access.privacy import child_placements_view, placement_is_hidden
from oas.audit.models import AuditEvent
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Person, PersonRelation, RelationKind
from oas.people.services import child_lives_with_confirm
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 19)


def _sleep(_seconds: float) -> None:
    return None


@pytest.fixture
def loaded(demo_municipality, freg_client, freg_population):
    with clock.freeze(TODAY):
        run = freg_initial_load(client=freg_client, municipality_number="3030", today=TODAY, sleep=_sleep)
    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    return freg_population


def _sync(client) -> None:
    with clock.freeze(TODAY):
        run = freg_sync_feed(client=client, today=TODAY, sleep=_sleep)
    assert run.status == SyncRunStatus.SUCCEEDED, run.error


def _guardians(child: Person) -> dict[str, PersonRelation]:
    """The child's current guardian relations by parent role (mor, far, medmor)."""
    return {
        r.parent_role or r.foreldreansvar: r
        for r in PersonRelation.objects.filter(child=child, kind=RelationKind.GUARDIAN, valid_to__isnull=True)
    }


def _household(state, *, together: bool) -> tuple[Person, Person, Person]:
    """A child (not protected) with mother and father as guardians: living together, or apart."""
    for number in state.children:
        child = Person.objects.get(national_id=number)
        if child.adressebeskyttelse != "ugradert":
            continue
        rel = _guardians(child)
        if {"mor", "far"} <= rel.keys() and rel["mor"].lives_with_child and rel["far"].lives_with_child == together:
            return child, rel["mor"].adult, rel["far"].adult
    raise AssertionError("no such household in the population")


def _n(person: Person) -> str:
    assert person.national_id is not None
    return person.national_id


def _flee(events: EventGenerator, *numbers: str) -> None:
    for number in numbers:
        events.protect_address(number, "strengtFortrolig")


def test_father_keeps_no_flag_and_cannot_see_the_school_when_mother_and_child_flee(loaded, freg_client):
    generator, state = loaded
    child, mother, father = _household(state, together=True)
    school = OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL).first()
    f.PlacementFactory(child=child, service="school", unit=school, start_date=dt.date(2026, 8, 17))
    father_user = f.guardian_account(father).user
    with clock.freeze(TODAY):
        assert child_placements_view(user=father_user, child=child)  # before: he lives with them

    _flee(EventGenerator(state=state, generator=generator), _n(mother), _n(child))
    _sync(freg_client)

    child.refresh_from_db()
    assert child.adressebeskyttelse == "strengtFortrolig"
    rel = _guardians(child)
    assert rel["far"].lives_with_child is False
    assert rel["mor"].lives_with_child is False  # deny by default until the office confirms
    with clock.freeze(TODAY):
        assert placement_is_hidden(user=father_user, child=child)
        assert child_placements_view(user=father_user, child=child) == []
    assert AuditEvent.objects.filter(
        event="person.lives_with_child_recompute", person_ids__contains=[child.pk, father.pk]
    ).exists()


def test_office_confirms_the_mother_and_the_confirmation_survives_later_register_changes(loaded, freg_client):
    generator, state = loaded
    child, mother, father = _household(state, together=True)
    events = EventGenerator(state=state, generator=generator)
    _flee(events, _n(mother), _n(child))
    _sync(freg_client)
    officer: Any = f.UserFactory(is_superuser=True)  # break-glass: may confirm for any child
    mother_user = f.guardian_account(mother).user
    father_user = f.guardian_account(father).user

    with clock.freeze(TODAY):
        child_lives_with_confirm(user=officer, child_id=child.pk, adult_ids=[mother.pk])
    rel = _guardians(child)
    assert (rel["mor"].lives_with_child, rel["far"].lives_with_child) == (True, False)
    assert rel["mor"].lives_with_child_confirmed_by_id == officer.pk
    confirm = AuditEvent.objects.get(event="person.lives_with_child_confirm")
    assert confirm.user_id == officer.pk
    assert {child.pk, mother.pk, father.pk} <= set(confirm.person_ids)

    events.rename(_n(child))  # a later register change about the child
    events.move(_n(father))
    _sync(freg_client)
    rel = _guardians(child)
    assert (rel["mor"].lives_with_child, rel["far"].lives_with_child) == (True, False)
    child.refresh_from_db()
    with clock.freeze(TODAY):
        assert not placement_is_hidden(user=mother_user, child=child)
        assert placement_is_hidden(user=father_user, child=child)
        assert principal_for(father_user).relations  # he is still her guardian, only not told where she is


def test_a_parent_moving_out_and_back_in_is_recomputed_from_the_register(loaded, freg_client):
    generator, state = loaded
    child, _mother, father = _household(state, together=True)
    events = EventGenerator(state=state, generator=generator)

    events.move(_n(father))
    _sync(freg_client)
    rel = _guardians(child)
    assert (rel["mor"].lives_with_child, rel["far"].lives_with_child) == (True, False)

    events.move_in_with(_n(father), _n(child))
    _sync(freg_client)
    assert _guardians(child)["far"].lives_with_child is True

    events.move(_n(child))  # the child moves (e.g. to a grandparent): lives with neither
    _sync(freg_client)
    rel = _guardians(child)
    assert (rel["mor"].lives_with_child, rel["far"].lives_with_child) == (False, False)


def test_the_child_moving_to_the_other_parent_moves_the_flag(loaded, freg_client):
    generator, state = loaded
    child, _mother, father = _household(state, together=False)
    EventGenerator(state=state, generator=generator).move_in_with(_n(child), _n(father))
    _sync(freg_client)
    rel = _guardians(child)
    assert (rel["mor"].lives_with_child, rel["far"].lives_with_child) == (False, True)


def test_a_custody_change_gives_new_relations_the_flag_from_the_register(loaded, freg_client):
    generator, state = loaded
    child, mother, father = _household(state, together=True)
    events = EventGenerator(state=state, generator=generator)
    events.move(_n(father))
    events.change_foreldreansvar(_n(child))  # felles → mor alene: the father's guardian row ends
    _sync(freg_client)
    current = PersonRelation.objects.filter(child=child, kind=RelationKind.GUARDIAN, valid_to__isnull=True)
    assert [(r.adult_id, r.foreldreansvar, r.lives_with_child) for r in current] == [(mother.pk, "mor", True)]

    events.move_in_with(_n(father), _n(child))
    events.change_foreldreansvar(_n(child))  # mor → felles again: new rows for both
    _sync(freg_client)
    rel = _guardians(child)
    assert (rel["mor"].lives_with_child, rel["far"].lives_with_child) == (True, True)
    assert {r.foreldreansvar for r in rel.values()} == {"felles"}


def test_a_custody_change_for_a_strengt_fortrolig_child_is_denied_until_confirmed_again(loaded, freg_client):
    generator, state = loaded
    child, mother, _father = _household(state, together=True)
    events = EventGenerator(state=state, generator=generator)
    _flee(events, _n(mother), _n(child))
    _sync(freg_client)
    with clock.freeze(TODAY):
        child_lives_with_confirm(user=f.UserFactory.create(is_superuser=True), child_id=child.pk, adult_ids=[mother.pk])
    events.change_foreldreansvar(_n(child))  # a new guardian row for the mother
    _sync(freg_client)
    current = PersonRelation.objects.filter(child=child, kind=RelationKind.GUARDIAN, valid_to__isnull=True)
    assert [(r.foreldreansvar, r.lives_with_child) for r in current] == [("mor", False)]
