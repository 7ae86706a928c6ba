"""The register feed adds people who belong here (newborns, families moving in), and a periodic full extract
repairs drift (issue 13.9). Through the live client and the FREG simulator, among the demo municipality."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from integrations.freg.population import EventGenerator
from integrations.freg.sync import freg_full_extract, freg_initial_load, freg_sync_feed
from integrations.models import FregCursor
from integrations.models.freg import SyncRunStatus
from oas import clock
from oas.people.models import Person, PersonRelation, RelationKind

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


def _sync(client):
    with clock.freeze(TODAY):
        run = freg_sync_feed(client=client, today=TODAY, sleep=_sleep)
    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    return run


def _extract(client):
    with clock.freeze(TODAY):
        run = freg_full_extract(client=client, municipality_number="3030", today=TODAY, sleep=_sleep)
    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    return run


def _together_child(state) -> str:
    for number in state.children:
        doc = state.documents[number]
        ansvar = [e for e in doc.get("foreldreansvar") or [] if e.get("erGjeldende")]
        if doc.get("bostedsadresse") and len(ansvar) == 2 and all(e["ansvar"] == "felles" for e in ansvar):
            return number
    raise AssertionError("no such child")


def _guardians(child: Person) -> set[tuple[str | None, bool]]:
    return {
        (r.adult.national_id, r.lives_with_child)
        for r in PersonRelation.objects.filter(child=child, kind=RelationKind.GUARDIAN).select_related("adult")
    }


def test_a_newborn_is_created_from_the_feed_with_its_guardians(loaded, freg_client):
    generator, state = loaded
    sibling = _together_child(state)
    baby = EventGenerator(state=state, generator=generator).birth(sibling)
    assert not Person.objects.filter(national_id=baby).exists()

    run = _sync(freg_client)

    child = Person.objects.get(national_id=baby)
    assert child.birth_date == TODAY
    parents = {e["ansvarlig"] for e in state.documents[baby]["foreldreansvar"]}
    assert _guardians(child) == {(p, True) for p in parents}
    assert run.counts["unknown_person_added"] == 1
    assert run.counts.get("unknown_person", 0) == 0


def test_a_family_moving_in_is_created_with_children_adults_and_relations(loaded, freg_client):
    generator, state = loaded
    children, adults = EventGenerator(state=state, generator=generator).family_moves_in()

    run = _sync(freg_client)

    assert set(Person.objects.filter(national_id__in=children + adults).values_list("national_id", flat=True)) == {
        *children,
        *adults,
    }
    for number in children:
        assert _guardians(Person.objects.get(national_id=number)) == {(a, True) for a in adults}
    assert run.counts["unknown_person_added"] == len(children)
    # The adults' own events come before their children's in the page: they arrive through the children.
    assert run.counts["unknown_person"] == len(adults)


def test_people_elsewhere_stay_unknown_and_are_not_created(loaded, freg_client):
    generator, state = loaded
    events = EventGenerator(state=state, generator=generator)
    for number in state.outsiders:
        events.rename(number)
    run = _sync(freg_client)
    assert run.counts["unknown_person"] == len(state.outsiders)
    assert not Person.objects.filter(national_id__in=state.outsiders).exists()


def test_the_full_extract_repairs_missed_people_and_drifted_data_and_leaves_the_cursor(loaded, freg_client):
    generator, state = loaded
    cursor = FregCursor.objects.get().last_sequence
    # Drift: a family the feed never told us about, a child's relations lost, a stale address.
    before_children, before_adults = len(state.children), len(state.adults)
    generator._household(state, "together")
    missed = state.children[before_children:] + state.adults[before_adults:]
    damaged = Person.objects.get(national_id=_together_child(state))
    PersonRelation.objects.filter(child=damaged).delete()
    stale = Person.objects.get(national_id=state.children[5])
    right_address = stale.street_address
    Person.objects.filter(pk=stale.pk).update(street_address="Feil vei 1")

    run = _extract(freg_client)

    assert run.counts["full_extract"] == 1
    assert Person.objects.filter(national_id__in=missed).count() == len(missed)
    assert len(_guardians(damaged)) == 2
    stale.refresh_from_db()
    assert stale.street_address == right_address
    assert FregCursor.objects.get().last_sequence == cursor


def test_the_full_extract_refreshes_a_held_child_who_moved_away_unnoticed(loaded, freg_client):
    generator, state = loaded
    number = next(n for n in state.children if state.documents[n].get("bostedsadresse"))
    EventGenerator(state=state, generator=generator).move(number, out_of_municipality=True)
    state.feed.pop()  # the event is lost: only the extract can notice
    run = _extract(freg_client)
    assert run.counts["held_not_in_extract"] >= 1
    assert Person.objects.get(national_id=number).municipality_number != "3030"


def test_the_full_extract_runs_periodically_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["freg-full-extract"]
    assert entry["task"] == "integrations.freg.full_extract"
    assert float(entry["schedule"]) <= 7 * 24 * 3600  # type: ignore[arg-type]
