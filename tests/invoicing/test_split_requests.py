"""Shared residence: a guardian asks for a split invoice in the portal; the finance office approves it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from invoicing.calculation import month_basis
from invoicing.models import PaymentSplit, PaymentSplitRequest
from oas.people.models import Foreldreansvar, RelationKind
from tests import factories as f

from .conftest import Ledger

pytestmark = pytest.mark.django_db
DEC = dt.date(2026, 12, 1)


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _request(ledger: Ledger, child: str = "small", month: str = "2026-12") -> Any:
    return _client(ledger.users["mum"]).post(
        reverse("invoicing:portal_split"), {"child": ledger.people[child].pk, "fra": month, "reason": "Delt bosted"}
    )


def _request_by(user: object, ledger: Ledger) -> Any:
    return _client(user).post(reverse("invoicing:portal_split"), {"child": ledger.people["small"].pk, "fra": "2026-12"})


def test_a_guardian_requests_a_split_and_the_finance_office_approval_splits_the_next_invoice(ledger: Ledger) -> None:
    small = ledger.people["small"]
    page = _request(ledger)
    assert page.status_code == 302
    request = PaymentSplitRequest.objects.get(child=small)
    assert (request.status, request.valid_from) == ("submitted", DEC)
    assert not PaymentSplit.objects.exists()
    portal = _client(ledger.users["mum"]).get(reverse("invoicing:portal_split"))
    assert "Mottatt" in portal.content.decode()

    finance = _client(ledger.users["finance"])
    listing = finance.get(reverse("invoicing:split_requests"))
    assert f'data-request="{request.pk}"' in listing.content.decode()
    assert (
        finance.post(reverse("invoicing:split_decide", args=[request.pk]), {"decision": "approve"}).status_code == 302
    )

    split = PaymentSplit.objects.get(child=small)
    assert split.valid_from == DEC
    request.refresh_from_db()
    assert (request.status, request.split_id) == ("approved", split.pk)
    fee_lines = [line for line in month_basis(municipality_number="3030", month=DEC).lines if line.child_id == small.pk]
    payers = {line.payer_id: line.share for line in fee_lines if line.line_type == "fee"}
    assert payers == {ledger.people["mum"].pk: Decimal("0.5000"), ledger.people["dad"].pk: Decimal("0.5000")}


def test_a_rejection_needs_a_reason_and_creates_no_split(ledger: Ledger) -> None:
    _request(ledger)
    request = PaymentSplitRequest.objects.get()
    finance = _client(ledger.users["finance"])
    finance.post(reverse("invoicing:split_decide", args=[request.pk]), {"decision": "reject"})
    request.refresh_from_db()
    assert request.status == "submitted"
    finance.post(
        reverse("invoicing:split_decide", args=[request.pk]), {"decision": "reject", "note": "Ikke delt bosted"}
    )
    request.refresh_from_db()
    assert request.status == "rejected"
    assert not PaymentSplit.objects.exists()


def test_a_child_with_one_guardian_with_responsibility_cannot_get_a_split_and_nothing_is_written(
    ledger: Ledger,
) -> None:
    lone: Any = f.ChildFactory(birth_date=dt.date(2023, 1, 1))
    f.RelationFactory(
        adult=ledger.people["mum"], child=lone, kind=RelationKind.GUARDIAN, foreldreansvar=Foreldreansvar.MOR
    )
    page = _client(ledger.users["mum"]).post(reverse("invoicing:portal_split"), {"child": lone.pk, "fra": "2026-12"})
    assert page.status_code == 400
    assert "bare én foresatt" in page.content.decode()
    assert not PaymentSplitRequest.objects.exists()


def test_a_second_request_while_one_waits_and_a_past_month_are_refused(ledger: Ledger) -> None:
    _request(ledger)
    assert _request(ledger).status_code == 400
    assert _request(ledger, child="pupil", month="2026-10").status_code == 400
    assert PaymentSplitRequest.objects.count() == 1


def test_a_guardian_of_another_child_gets_404_for_this_child_and_nothing_is_written(ledger: Ledger) -> None:
    other_parent: Any = f.PersonFactory()
    f.RelationFactory(
        adult=other_parent,
        child=f.ChildFactory(birth_date=dt.date(2022, 1, 1)),
        kind=RelationKind.GUARDIAN,
        foreldreansvar=Foreldreansvar.FELLES,
    )
    page = _client(f.guardian_account(other_parent).user).post(
        reverse("invoicing:portal_split"), {"child": ledger.people["small"].pk, "fra": "2026-12"}
    )
    assert page.status_code == 404
    assert _request_by(ledger.users["outsider"], ledger).status_code == 403  # no child at all: refused outright
    assert not PaymentSplitRequest.objects.exists()


@pytest.mark.parametrize("persona", ["leader", "mum"])
def test_only_the_finance_office_sees_and_decides_split_requests(ledger: Ledger, persona: str) -> None:
    _request(ledger)
    request = PaymentSplitRequest.objects.get()
    client = _client(ledger.users[persona])
    assert client.get(reverse("invoicing:split_requests")).status_code == 403
    assert client.post(reverse("invoicing:split_decide", args=[request.pk]), {"decision": "approve"}).status_code == 403
    assert not PaymentSplit.objects.exists()


def test_staff_cannot_open_the_portal_request_page(ledger: Ledger) -> None:
    assert _client(ledger.users["finance"]).get(reverse("invoicing:portal_split")).status_code == 403
