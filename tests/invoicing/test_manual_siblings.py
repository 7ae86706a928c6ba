"""Issue 13 point 7: siblings with strengt fortrolig address are registered by hand by the finance office
(audited), and then get the sibling discount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from invoicing import services
from invoicing.models import ManualSibling
from kindergarten.models import KindergartenPlacementDetail
from oas.audit.models import AuditAction, AuditEvent
from oas.people.models import Adressebeskyttelse, Foreldreansvar, Person, RelationKind, Service
from tests import factories as f

from .conftest import Ledger

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)
HIDDEN = {
    "adressebeskyttelse": Adressebeskyttelse.STRENGT_FORTROLIG,
    "street_address": "",
    "unit_number": "",
    "postal_code": "",
    "postal_place": "",
    "address_id": "",
    "grunnkrets": None,
    "skolekrets": None,
    "postal_address": "Postboks 1, 0101 OSLO",
}


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def hidden_family(ledger: Ledger) -> tuple[Person, Person]:
    """A mother with strengt fortrolig address and her two kindergarten children (no address in the register)."""
    mother: Any = f.PersonFactory(**HIDDEN)
    children: list[Any] = []
    for birth in (dt.date(2021, 3, 1), dt.date(2023, 6, 1)):
        child: Any = f.ChildFactory(birth_date=birth, **HIDDEN)
        f.RelationFactory(adult=mother, child=child, kind=RelationKind.GUARDIAN, foreldreansvar=Foreldreansvar.MOR)
        placement: Any = f.PlacementFactory(
            child=child, unit=ledger.units["K1"], service=Service.KINDERGARTEN, start_date=dt.date(2025, 8, 1)
        )
        KindergartenPlacementDetail.objects.create(placement=placement, size_kind="percent", size_value=100)
        children.append(child)
    return children[0], children[1]


def _fees(month: dt.date = NOV) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for line in services.invoice_run_preview(municipality_number="3030", month=month).basis.lines:
        if line.line_type == "fee":
            out[line.child_id] = out.get(line.child_id, Decimal(0)) + line.amount
    return out


def _register(client: Client, a: Person, b: Person, **overrides: str) -> Any:
    data = {
        "barn1": a.national_id or "",
        "barn2": b.national_id or "",
        "fra": "2026-08-01",
        "grunnlag": "Bekreftet av barneverntjenesten",
    }
    data.update(overrides)
    return client.post("/fakturering/sosken/", data)


def test_strengt_fortrolig_siblings_get_the_discount_once_registered_by_the_office(
    ledger: Ledger, hidden_family: tuple[Person, Person]
) -> None:
    older, younger = hidden_family
    before = _fees()
    assert before[older.pk] == before[younger.pk] == Decimal("2000.00")  # the register cannot group them
    client = _client(ledger.users["finance"])
    assert client.get("/fakturering/sosken/").status_code == 200
    response = _register(client, older, younger)
    assert response.status_code == 302
    after = _fees()
    assert sorted([after[older.pk], after[younger.pk]]) == [Decimal("1400.00"), Decimal("2000.00")]
    assert after[ledger.people["small"].pk] == before[ledger.people["small"].pk]  # other families unchanged
    event = AuditEvent.objects.get(event="invoicing.manual_sibling.register")
    assert event.action == AuditAction.CREATE
    assert sorted(event.person_ids) == sorted([older.pk, younger.pk])
    page = client.get("/fakturering/sosken/").content.decode()
    assert older.full_name in page
    assert "Postboks" not in page  # no address shown


def test_ending_a_registration_ends_the_discount(ledger: Ledger, hidden_family: tuple[Person, Person]) -> None:
    older, younger = hidden_family
    client = _client(ledger.users["finance"])
    _register(client, older, younger)
    link = ManualSibling.objects.get()
    assert client.post(f"/fakturering/sosken/{link.pk}/avslutt/", {"til": "2026-10-31"}).status_code == 302
    assert _fees()[older.pk] == _fees()[younger.pk] == Decimal("2000.00")
    assert AuditEvent.objects.filter(event="invoicing.manual_sibling.end").exists()


@pytest.mark.parametrize(
    "overrides",
    [{"grunnlag": " "}, {"barn2": "12345678901"}, {"fra": "i går"}, {"grunnlag": "x\x00y"}],
)
def test_bad_registrations_are_refused_and_write_nothing(
    ledger: Ledger, hidden_family: tuple[Person, Person], overrides: dict[str, str]
) -> None:
    older, younger = hidden_family
    response = _register(_client(ledger.users["finance"]), older, younger, **overrides)
    assert response.status_code == 400
    assert "sibling-error" in response.content.decode()
    assert not ManualSibling.objects.exists()


def test_the_same_child_twice_or_a_pair_twice_is_refused(ledger: Ledger, hidden_family: tuple[Person, Person]) -> None:
    older, younger = hidden_family
    client = _client(ledger.users["finance"])
    assert _register(client, older, older).status_code == 400
    assert _register(client, older, younger).status_code == 302
    assert _register(client, younger, older).status_code == 400
    assert ManualSibling.objects.count() == 1


@pytest.mark.parametrize("persona", ["leader", "mum", "outsider"])
def test_others_cannot_register_siblings(ledger: Ledger, hidden_family: tuple[Person, Person], persona: str) -> None:
    older, younger = hidden_family
    client = _client(ledger.users[persona])
    assert client.get("/fakturering/sosken/").status_code == 403
    assert _register(client, older, younger).status_code == 403
    assert not ManualSibling.objects.exists()
