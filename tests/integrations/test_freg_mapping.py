"""Mapping Folkeregisterperson JSON into the kernel's register dataclasses."""

from __future__ import annotations

import datetime as dt

import pytest

from integrations.freg.errors import InvalidDocument
from integrations.freg.mapping import current, map_person
from integrations.freg.population import EventGenerator, PopulationGenerator, nid_of
from oas.people.models import RelationKind


@pytest.fixture
def population():
    generator = PopulationGenerator(seed=7)
    return generator, generator.generate(children=30)


def _household_child(state, *, ansvar: str) -> dict:
    for number in state.children:
        document = state.documents[number]
        if {e["ansvar"] for e in document.get("foreldreansvar", [])} == {ansvar}:
            return document
    raise AssertionError(f"no child with foreldreansvar {ansvar}")


def test_current_picks_the_element_marked_er_gjeldende():
    elements = [{"etternavn": "Gammel", "erGjeldende": False}, {"etternavn": "Ny", "erGjeldende": True}]
    assert current(elements) == {"etternavn": "Ny", "erGjeldende": True}
    assert current([{"erGjeldende": False}]) is None


def test_name_and_address_come_from_the_current_elements_after_a_move(population):
    generator, state = population
    child = state.children[5]
    events = EventGenerator(state=state, generator=generator)
    events.rename(child)
    events.move(child)
    document = state.documents[child]
    mapped = map_person(document)
    name = current(document["navn"])
    assert name is not None
    assert mapped.person.last_name == name["etternavn"]
    assert len(document["bostedsadresse"]) == 2
    new_address = current(document["bostedsadresse"])
    assert new_address is not None
    assert mapped.person.address is not None
    assert mapped.person.address.skolekrets == new_address["skolekrets"]
    assert mapped.person.address.grunnkrets == new_address["grunnkrets"]
    assert mapped.person.address.municipality_number == "3030"


def test_felles_foreldreansvar_gives_two_guardians_with_their_parent_roles(population):
    _, state = population
    mapped = map_person(_household_child(state, ansvar="felles"))
    guardians = [r for r in mapped.relations if r.kind == RelationKind.GUARDIAN]
    assert len(guardians) == 2
    assert {r.foreldreansvar for r in guardians} == {"felles"}
    assert {r.parent_role for r in guardians} <= {"mor", "far", "medmor"}
    assert mapped.related_adults == {r.adult_national_id for r in guardians}


def test_sole_foreldreansvar_makes_the_other_parent_a_parent_without_responsibility(population):
    _, state = population
    mapped = map_person(_household_child(state, ansvar="mor"))
    kinds = {(r.kind, r.foreldreansvar) for r in mapped.relations}
    assert (RelationKind.GUARDIAN, "mor") in kinds
    assert (RelationKind.PARENT, "") in kinds


def test_guardian_who_is_not_a_parent_is_kept_as_andre(population):
    _, state = population
    mapped = map_person(_household_child(state, ansvar="andre"))
    guardian = next(r for r in mapped.relations if r.kind == RelationKind.GUARDIAN)
    assert guardian.foreldreansvar == "andre"
    assert guardian.parent_role == ""


def test_strengt_fortrolig_child_has_no_residential_address_only_the_postal_one(population):
    _, state = population
    number = next(
        n
        for n in state.children
        if state.documents[n].get("adressebeskyttelse", [{}])[0].get("graderingsnivaa") == "strengtFortrolig"
    )
    mapped = map_person(state.documents[number])
    assert mapped.person.adressebeskyttelse == "strengtFortrolig"
    assert mapped.person.address is None
    assert "Postboks 2094" in mapped.person.postal_address


def test_delt_bosted_is_mapped_with_its_contract_start(population):
    generator, _ = population
    state = generator.generate(children=200)
    document = next(state.documents[n] for n in state.children if state.documents[n].get("deltBosted"))
    mapped = map_person(document)
    assert len(mapped.person.delt_bosted) == 1
    assert mapped.person.delt_bosted[0].valid_from == dt.date.fromisoformat(
        document["deltBosted"][0]["startdatoForKontrakt"]
    )


def test_d_number_adult_is_mapped_with_the_birth_date(population):
    _, state = population
    number = next(n for n in state.adults if int(n[0]) >= 4)
    mapped = map_person(state.documents[number])
    assert mapped.person.national_id == number
    assert mapped.person.birth_date is not None


def test_deceased_person_gets_status_and_date_of_death(population):
    _, state = population
    number = next(n for n in state.adults if "doedsfall" in state.documents[n])
    mapped = map_person(state.documents[number])
    assert mapped.person.status == "doed"
    assert mapped.person.date_of_death is not None


def test_document_without_a_current_name_is_invalid(population):
    _, state = population
    document = dict(state.documents[state.children[0]])
    document.pop("navn")
    with pytest.raises(InvalidDocument, match="navn") as err:
        map_person(document)
    # The message is logged by the sync: it must not carry the fødselsnummer.
    assert state.children[0] not in str(err.value)


def test_document_with_an_invalid_national_id_is_invalid(population):
    _, state = population
    document = dict(state.documents[state.children[0]])
    document["identifikasjonsnummer"] = [
        {
            "foedselsEllerDNummer": "12345678901",
            "identifikatortype": "foedselsnummer",
            "status": "iBruk",
            "erGjeldende": True,
        }
    ]
    with pytest.raises(InvalidDocument, match="fødsels") as err:
        map_person(document)
    assert "123456" not in str(err.value)


def test_document_that_is_not_an_object_is_invalid():
    with pytest.raises(InvalidDocument):
        map_person(["not", "a", "person"])


def test_generated_numbers_are_synthetic(population):
    _, state = population
    assert all(int(nid_of(doc)[2:4]) > 80 for doc in state.documents.values())
