"""Folkeregisteret initial load and feed sync into the kernel, through the live client and the simulator."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.db import IntegrityError, transaction

from integrations.arbeidsflate import RegisterChangeTaskProvider
from integrations.freg.population import EventGenerator, nid_of
from integrations.freg.sync import freg_initial_load, freg_sync_feed, freg_sync_feed_locked
from integrations.models import FregCursor, RegisterChangeNotice
from integrations.models.freg import NoticeKind, SyncRunStatus
from oas import clock
from oas.audit.models import AuditEvent
from oas.people.models import DeltBosted, Employee, Person, PersonRelation, RelationKind, Service
from tests.factories import (
    EmployeeFactory,
    EmploymentFactory,
    PlacementFactory,
    school,
    sector_office,
    staff_account,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 19)


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def loaded(freg_client, freg_population):
    with clock.freeze(TODAY):
        run = freg_initial_load(client=freg_client, municipality_number="3030", today=TODAY, sleep=Sleeps())
    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    return run


def _sync(client, sleep=None):
    with clock.freeze(TODAY):
        return freg_sync_feed(client=client, today=TODAY, sleep=sleep if sleep is not None else Sleeps())


def _protected_child(state) -> str:
    return next(
        n
        for n in state.children
        if state.documents[n].get("adressebeskyttelse", [{}])[0].get("graderingsnivaa") == "strengtFortrolig"
    )


def test_initial_load_stores_children_their_adults_and_relations(loaded, freg_population):
    _, state = freg_population
    children = set(state.children)
    adults = {
        a
        for a in state.adults
        if any(
            a in str(state.documents[c].get("familierelasjon")) or a in str(state.documents[c].get("foreldreansvar"))
            for c in children
        )
    }
    stored = set(Person.objects.values_list("national_id", flat=True))
    assert children <= stored
    assert adults <= stored
    assert not (set(state.outsiders) & stored)  # people elsewhere are not loaded
    assert loaded.counts["extract_numbers"] == len(children)
    guardians = PersonRelation.objects.filter(kind=RelationKind.GUARDIAN)
    assert guardians.filter(foreldreansvar="felles").exists()
    assert guardians.filter(foreldreansvar="andre").exists()
    assert PersonRelation.objects.filter(kind=RelationKind.PARENT).exists()
    assert DeltBosted.objects.exists() or not any(state.documents[c].get("deltBosted") for c in children)


def test_initial_load_keeps_no_address_for_a_strengt_fortrolig_child(loaded, freg_population):
    _, state = freg_population
    child = Person.objects.get(national_id=_protected_child(state))
    assert child.adressebeskyttelse == "strengtFortrolig"
    assert (child.street_address, child.postal_code, child.address_id, child.skolekrets) == ("", "", "", None)
    assert "Postboks" in child.postal_address


def test_database_refuses_an_address_for_a_strengt_fortrolig_person(loaded, freg_population):
    _, state = freg_population
    child = Person.objects.get(national_id=_protected_child(state))
    child.street_address = "Hemmelig vei 1"
    with pytest.raises(IntegrityError), transaction.atomic():
        child.save(update_fields=["street_address"])


def test_initial_load_writes_batched_audit_rows_and_sets_the_cursor(loaded, freg_sim):
    events = AuditEvent.objects.filter(event="person.register_sync")
    assert events.exists()
    assert events.count() < Person.objects.count()  # batched, not one per person
    assert FregCursor.objects.get().last_sequence == len(freg_sim.state.feed)


def test_initial_load_is_idempotent(freg_client, loaded):
    persons, relations = Person.objects.count(), PersonRelation.objects.count()
    with clock.freeze(TODAY):
        again = freg_initial_load(client=freg_client, municipality_number="3030", today=TODAY, sleep=Sleeps())
    assert again.counts.get("persons_created", 0) == 0
    assert again.counts.get("persons_updated", 0) == 0
    assert (Person.objects.count(), PersonRelation.objects.count()) == (persons, relations)


def test_feed_sync_updates_names_and_addresses_and_persists_the_cursor(freg_client, freg_population, loaded):
    generator, state = freg_population
    events = EventGenerator(state=state, generator=generator)
    adult, child = state.adults[0], state.children[3]
    events.rename(adult)
    events.move(child)
    run = _sync(freg_client)
    assert run.status == SyncRunStatus.SUCCEEDED
    assert Person.objects.get(national_id=adult).last_name == state.documents[adult]["navn"][-1]["etternavn"]
    moved = Person.objects.get(national_id=child)
    assert moved.skolekrets == state.documents[child]["bostedsadresse"][-1]["skolekrets"]
    assert FregCursor.objects.get().last_sequence == len(state.feed)
    assert _sync(freg_client).counts.get("events", 0) == 0  # nothing new


def test_feed_sync_resumes_from_the_cursor_after_a_persistent_failure(freg_client, freg_sim, freg_population, loaded):
    generator, state = freg_population
    start = FregCursor.objects.get().last_sequence
    EventGenerator(state=state, generator=generator).stream(1200)
    freg_sim.fail("500", count=10**6)
    # first page read fine? no: every call fails, so the run stops without moving the cursor
    failed = _sync(freg_client)
    assert failed.status == SyncRunStatus.FAILED
    assert "serverfeil 500" in failed.error
    assert FregCursor.objects.get().last_sequence == start
    freg_sim.reset_faults()
    resumed = _sync(freg_client)
    assert resumed.status == SyncRunStatus.SUCCEEDED
    assert resumed.from_sequence == start + 1
    assert resumed.counts["pages"] == 2
    assert FregCursor.objects.get().last_sequence == len(state.feed)


def test_transient_faults_are_absorbed_honouring_retry_after_in_ms(freg_client, freg_sim, freg_population, loaded):
    generator, state = freg_population
    EventGenerator(state=state, generator=generator).rename(state.adults[1])
    freg_sim.fail("429", retry_after="2500")
    freg_sim.fail("malformed")
    freg_sim.fail("timeout", delay=2.5)  # the client gives up after 2 s
    sleeps = Sleeps()
    run = _sync(freg_client, sleep=sleeps)
    assert run.status == SyncRunStatus.SUCCEEDED
    assert sleeps[0] == 2.5
    assert len(sleeps) == 3
    assert run.counts["persons_refreshed"] == 1


def test_unknown_event_type_and_unknown_person_are_counted_and_skipped(freg_client, freg_population, loaded):
    generator, state = freg_population
    events = EventGenerator(state=state, generator=generator)
    events.unknown_type(state.children[0])
    events.rename(state.outsiders[0])
    events.rename(state.adults[2])
    run = _sync(freg_client)
    assert run.status == SyncRunStatus.SUCCEEDED
    assert run.counts["unknown_event_type"] == 1
    assert run.counts["unknown_person"] == 1
    assert run.counts["persons_refreshed"] == 1
    assert not Person.objects.filter(national_id=state.outsiders[0]).exists()


def test_malformed_entries_and_invalid_documents_do_not_stop_the_sync(freg_client, freg_sim, freg_population, loaded):
    generator, state = freg_population
    events = EventGenerator(state=state, generator=generator)
    broken = events.rename(state.adults[3])
    events.rename(state.adults[4])
    corrupt = state.adults[5]
    events.rename(corrupt)
    freg_sim.extra_feed_entries[broken] = {"sekvensnummer": broken, "hendelse": {"hendelsetype": "endringINavn"}}
    freg_sim.options.corrupt_documents.add(corrupt)  # served without navn
    run = _sync(freg_client)
    assert run.status == SyncRunStatus.SUCCEEDED
    assert run.counts["malformed_entry"] == 1
    assert run.counts["invalid_document"] == 1
    assert run.counts["persons_updated"] == 1
    assert FregCursor.objects.get().last_sequence == len(state.feed)


def test_death_and_emigration_update_the_status(freg_client, freg_population, loaded):
    generator, state = freg_population
    events = EventGenerator(state=state, generator=generator)
    events.die(state.adults[6])
    events.emigrate(state.adults[7])
    _sync(freg_client)
    dead = Person.objects.get(national_id=state.adults[6])
    assert (dead.status, dead.date_of_death is not None) == ("doed", True)
    assert Person.objects.get(national_id=state.adults[7]).status == "utflyttet"


def _placed(state, number: str, *, service: str, skolekrets: int | None = None):
    office = sector_office()
    unit = school(parent=office, skolekrets=skolekrets) if service == Service.SCHOOL else school(parent=office)
    child = Person.objects.get(national_id=number)
    PlacementFactory(child=child, unit=unit, service=service, start_date=dt.date(2024, 8, 1))
    return child, unit


def _child_with(state, predicate) -> str:
    return next(n for n in state.children if predicate(state.documents[n]))


def test_child_moving_out_of_the_school_district_raises_a_task_for_the_school(freg_client, freg_population, loaded):
    generator, state = freg_population
    number = _child_with(state, lambda d: bool(d.get("bostedsadresse")))
    skolekrets = state.documents[number]["bostedsadresse"][-1]["skolekrets"]
    child, unit = _placed(state, number, service=Service.SCHOOL, skolekrets=skolekrets)
    EventGenerator(state=state, generator=generator).move(number, new_skolekrets=True)
    run = _sync(freg_client)
    notice = RegisterChangeNotice.objects.get(person=child)
    assert (notice.kind, notice.unit_id) == (NoticeKind.MOVED_OUT_OF_SCHOOL_DISTRICT, unit.pk)
    assert notice.details["fra"] == skolekrets
    assert run.counts["notices"] == 1


def test_foreldreansvar_change_raises_a_task_and_updates_the_guardians(freg_client, freg_population, loaded):
    generator, state = freg_population
    number = _child_with(state, lambda d: {e["ansvar"] for e in d.get("foreldreansvar", [])} == {"felles"})
    child, unit = _placed(state, number, service=Service.KINDERGARTEN)
    EventGenerator(state=state, generator=generator).change_foreldreansvar(number)
    with clock.freeze(TODAY):
        _sync(freg_client)
    current = PersonRelation.objects.filter(child=child, kind=RelationKind.GUARDIAN, valid_to__isnull=True)
    assert list(current.values_list("foreldreansvar", flat=True)) == ["mor"]
    assert (
        PersonRelation.objects.filter(
            child=child, kind=RelationKind.GUARDIAN, valid_to=TODAY - dt.timedelta(days=1)
        ).count()
        == 2
    )
    notice = RegisterChangeNotice.objects.get(person=child)
    assert (notice.kind, notice.unit_id) == (NoticeKind.FORELDREANSVAR_CHANGED, unit.pk)


def test_child_getting_strengt_fortrolig_loses_the_stored_address_and_raises_a_task(
    freg_client, freg_population, loaded
):
    generator, state = freg_population
    number = _child_with(state, lambda d: bool(d.get("bostedsadresse")))
    child, _unit = _placed(state, number, service=Service.KINDERGARTEN)
    assert child.street_address
    EventGenerator(state=state, generator=generator).protect_address(number, "strengtFortrolig")
    _sync(freg_client)
    child.refresh_from_db()
    assert child.adressebeskyttelse == "strengtFortrolig"
    assert (child.street_address, child.address_id, child.skolekrets) == ("", "", None)
    notice = RegisterChangeNotice.objects.get(person=child)
    assert notice.kind == NoticeKind.PROTECTED_ADDRESS
    assert notice.details == {}  # the notice never repeats the address or the level


def test_redelivered_page_does_not_raise_the_same_task_twice(freg_client, freg_population, loaded):
    generator, state = freg_population
    number = _child_with(state, lambda d: {e["ansvar"] for e in d.get("foreldreansvar", [])} == {"felles"})
    child, _ = _placed(state, number, service=Service.KINDERGARTEN)
    EventGenerator(state=state, generator=generator).change_foreldreansvar(number)
    _sync(freg_client)
    FregCursor.objects.update(last_sequence=0)  # as if the cursor write had been lost
    _sync(freg_client)
    assert RegisterChangeNotice.objects.filter(person=child).count() == 1


def test_register_change_task_is_shown_to_the_leader_of_the_unit_only(freg_client, freg_population, loaded):
    from oas.access.services import role_mapping_seed

    role_mapping_seed()
    generator, state = freg_population
    number = _child_with(state, lambda d: {e["ansvar"] for e in d.get("foreldreansvar", [])} == {"felles"})
    _, unit = _placed(state, number, service=Service.KINDERGARTEN)
    EventGenerator(state=state, generator=generator).change_foreldreansvar(number)
    _sync(freg_client)

    def employee_at(unit_, position: str) -> Employee:
        employee = cast(Employee, EmployeeFactory())
        EmploymentFactory(employee=employee, unit=unit_, position_code=position)
        return employee

    leader = employee_at(unit, "REKTOR")
    assistant = employee_at(unit, "ASSISTENT")
    other_leader = employee_at(school(parent=sector_office()), "REKTOR")
    provider = RegisterChangeTaskProvider()
    with clock.freeze(TODAY):
        tasks = provider.tasks_for(user=staff_account(leader).user)
        assert [(t.count, t.unit_id) for t in tasks] == [(1, unit.pk)]
        assert provider.tasks_for(user=staff_account(other_leader).user) == []
        assert provider.tasks_for(user=staff_account(assistant).user) == []


def test_locked_sync_uses_the_configured_simulators(settings, freg_sim, maskinporten_sim, freg_population, loaded):
    generator, state = freg_population
    EventGenerator(state=state, generator=generator).rename(state.adults[8])
    settings.FREG_SIMULATOR_URL = freg_sim.base_url
    settings.MASKINPORTEN_SIMULATOR_URL = maskinporten_sim.url
    run = freg_sync_feed_locked()
    assert run is not None
    assert run.status == SyncRunStatus.SUCCEEDED
    assert (
        Person.objects.get(national_id=state.adults[8]).last_name
        == state.documents[state.adults[8]]["navn"][-1]["etternavn"]
    )
    assert nid_of(state.documents[state.adults[8]]) == state.adults[8]


@pytest.fixture
def model_backend(settings):
    """These tests are about the admin action, not about how staff log in (issue "Identity…")."""
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]


def _notice(freg_client, freg_population) -> RegisterChangeNotice:
    generator, state = freg_population
    number = _child_with(state, lambda d: {e["ansvar"] for e in d.get("foreldreansvar", [])} == {"felles"})
    _placed(state, number, service=Service.KINDERGARTEN)
    EventGenerator(state=state, generator=generator).change_foreldreansvar(number)
    _sync(freg_client)
    return RegisterChangeNotice.objects.get()


@pytest.mark.usefixtures("model_backend")
def test_admin_can_mark_a_register_change_as_handled(client, freg_client, freg_population, loaded):
    from django.contrib.auth import get_user_model

    notice = _notice(freg_client, freg_population)
    admin_user = get_user_model().objects.create_superuser("root", "root@example.org", "x" * 20)
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        "/admin/integrations/registerchangenotice/", {"action": "mark_resolved", "_selected_action": [notice.pk]}
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.resolved_at is not None
    assert notice.resolved_by == admin_user


@pytest.mark.usefixtures("model_backend")
def test_user_without_admin_access_cannot_mark_a_register_change_as_handled(
    client, freg_client, freg_population, loaded
):
    from django.contrib.auth import get_user_model

    notice = _notice(freg_client, freg_population)
    user = get_user_model().objects.create_user("plain", "p@example.org", "x" * 20)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        "/admin/integrations/registerchangenotice/", {"action": "mark_resolved", "_selected_action": [notice.pk]}
    )
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    notice.refresh_from_db()
    assert notice.resolved_at is None


def test_freg_sync_command_reports_the_run(settings, freg_sim, maskinporten_sim, freg_population, loaded):
    from io import StringIO

    from django.core.management import call_command

    generator, state = freg_population
    EventGenerator(state=state, generator=generator).rename(state.adults[9])
    settings.FREG_SIMULATOR_URL = freg_sim.base_url
    settings.MASKINPORTEN_SIMULATOR_URL = maskinporten_sim.url
    out = StringIO()
    call_command("freg_sync", stdout=out)
    assert "succeeded" in out.getvalue()


def test_child_moving_out_of_the_municipality_raises_a_task_for_every_placement(freg_client, freg_population, loaded):
    generator, state = freg_population
    number = _child_with(state, lambda d: bool(d.get("bostedsadresse")))
    child, unit = _placed(state, number, service=Service.KINDERGARTEN)
    EventGenerator(state=state, generator=generator).move(number, out_of_municipality=True)
    _sync(freg_client)
    child.refresh_from_db()
    assert child.municipality_number != "3030"
    notice = RegisterChangeNotice.objects.get(person=child)
    assert (notice.kind, notice.unit_id) == (NoticeKind.MOVED_OUT_OF_MUNICIPALITY, unit.pk)


@pytest.fixture
def notice_and_staff(freg_client, freg_population, loaded):
    """A foreldreansvar change at a kindergarten, its leader, an assistant there, and another unit's leader."""
    from oas.access.services import role_mapping_seed

    role_mapping_seed()
    notice = _notice(freg_client, freg_population)

    def user_at(unit, position: str):
        employee = cast(Employee, EmployeeFactory())
        EmploymentFactory(employee=employee, unit=unit, position_code=position)
        return staff_account(employee).user

    return {
        "notice": notice,
        "leader": user_at(notice.unit, "STYRER"),
        "assistant": user_at(notice.unit, "ASSISTENT"),
        "other_leader": user_at(school(parent=sector_office()), "REKTOR"),
    }


def test_unit_leader_sees_the_register_change_page_and_marks_it_handled(client, notice_and_staff):
    notice = notice_and_staff["notice"]
    client.force_login(notice_and_staff["leader"])
    with clock.freeze(TODAY):
        page = client.get("/integrasjoner/folkeregisteret/endringer/")
        assert page.status_code == 200
        assert notice.person.full_name in page.content.decode()
        assert AuditEvent.objects.filter(event="integrations.register_changes", person_ids=[notice.person_id]).exists()
        done = client.post(f"/integrasjoner/folkeregisteret/endringer/{notice.pk}/behandlet/")
    assert done.status_code == 302
    notice.refresh_from_db()
    assert notice.resolved_at is not None


def test_assistant_without_the_action_is_refused_the_register_change_page(client, notice_and_staff):
    client.force_login(notice_and_staff["assistant"])
    with clock.freeze(TODAY):
        assert client.get("/integrasjoner/folkeregisteret/endringer/").status_code == 403


def test_leader_of_another_unit_neither_sees_nor_resolves_the_change(client, notice_and_staff):
    notice = notice_and_staff["notice"]
    client.force_login(notice_and_staff["other_leader"])
    with clock.freeze(TODAY):
        page = client.get("/integrasjoner/folkeregisteret/endringer/")
        assert page.status_code == 200
        assert notice.person.full_name not in page.content.decode()
        assert client.post(f"/integrasjoner/folkeregisteret/endringer/{notice.pk}/behandlet/").status_code == 404
    notice.refresh_from_db()
    assert notice.resolved_at is None


def test_register_change_page_needs_a_login(client):
    response = client.get("/integrasjoner/folkeregisteret/endringer/")
    assert response.status_code in (302, 401, 403)
    assert response.status_code != 200


def test_a_malformed_feed_entry_is_logged_without_its_national_id(
    freg_client, freg_sim, freg_population, loaded, caplog
):
    generator, state = freg_population
    broken = EventGenerator(state=state, generator=generator).rename(state.adults[3])
    national_id = state.adults[3]
    freg_sim.extra_feed_entries[broken] = {
        "sekvensnummer": broken,
        "hendelse": {"folkeregisteridentifikator": national_id},
    }
    with caplog.at_level("WARNING", logger="integrations.freg.sync"):
        run = _sync(freg_client)
    assert run.counts["malformed_entry"] == 1
    assert "malformed feed entry" in caplog.text
    assert national_id not in caplog.text
