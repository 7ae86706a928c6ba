"""The guardian's invoices page: own lines only, per month and child, with the calculation; others refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from invoicing.models import InvoiceLine, InvoiceRun, LineType, RunState
from oas.demo_personas import PERSONAS_BY_KEY
from oas.people.models import Person, PersonRelation, Placement, RelationKind
from tests.personas import persona_user

pytestmark = pytest.mark.django_db

MONTH = dt.date(2026, 11, 1)


def _line(run: InvoiceRun, *, child: Person, payer: Person, amount: str, segment: int = 0) -> InvoiceLine:
    placement = Placement.objects.filter(child=child).select_related("unit").first()
    return InvoiceLine.objects.create(
        run=run,
        month=MONTH,
        period_month=MONTH,
        child=child,
        payer=payer,
        unit=placement.unit if placement else None,
        service="kindergarten",
        line_type=LineType.FEE,
        segment=segment,
        place="100 %",
        amount=Decimal(amount),
        description="Foreldrebetaling barnehage 11.2026",
        trace=[{"rule": "max_price", "label": "Maksimalpris", "change": "0", "amount": amount, "detail": ""}],
    )


@pytest.fixture
def invoiced(demo_municipality: Any) -> dict[str, Any]:
    guardian = Person.objects.get(national_id=PERSONAS_BY_KEY["foresatt"].national_id)
    run = InvoiceRun.objects.create(
        municipality_number="3030", month=MONTH, state=RunState.COMMITTED, started_at=timezone.now()
    )
    children = [r.child for r in PersonRelation.objects.filter(adult=guardian, kind=RelationKind.GUARDIAN)]
    mine = [_line(run, child=c, payer=guardian, amount="1234.50") for c in children]
    # Other families in the same run: never on this guardian's page.
    others = [
        r
        for r in PersonRelation.objects.filter(kind=RelationKind.GUARDIAN).exclude(adult=guardian)[:30]
        if r.child_id not in {c.pk for c in children}
    ]
    for i, rel in enumerate(others):
        _line(run, child=rel.child, payer=rel.adult, amount="9999.00", segment=i + 1)
    return {"guardian": guardian, "mine": mine, "others": others}


def test_a_guardian_reads_their_own_invoice_lines_with_the_calculation(invoiced: dict[str, Any]) -> None:
    client = Client()
    client.force_login(persona_user("foresatt"))
    response = client.get("/portal/faktura/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("1\xa0234,50 kr") == len(invoiced["mine"]) >= 1
    assert "9\xa0999,00" not in html
    assert "Maksimalpris" in html
    assert "20.11.2026" in html  # due date


@pytest.mark.parametrize(("persona", "status"), [("laerer", 403), ("faktura", 403)])
def test_staff_cannot_open_the_guardian_invoice_page(invoiced: dict[str, Any], persona: str, status: int) -> None:
    client = Client()
    client.force_login(persona_user(persona))
    assert client.get("/portal/faktura/").status_code == status


def test_anonymous_is_sent_to_login(invoiced: dict[str, Any]) -> None:
    assert Client().get("/portal/faktura/").status_code == 302
