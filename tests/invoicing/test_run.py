"""The monthly invoicing run: preview, commit, rerun, resume, corrections, payers, missing rate, ERP export."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from fees.public import ChildInput, MissingRate, UnitType, fee_quote_for_children
from integrations.models import OutboxMessage
from integrations.outbox import Delivery
from invoicing import services
from invoicing.calculation import month_basis
from invoicing.export import CSV_COLUMNS, OUTBOX_KIND, invoice_export_deliver
from invoicing.models import InvoiceLine, InvoiceRun, RunState
from kindergarten.models import KindergartenPlacementDetail
from oas import clock
from oas.people.models import Placement, RelationKind, Service
from tests import factories as f

from .conftest import Ledger

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)
OCT = dt.date(2026, 10, 1)


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_preview_prices_each_child_with_the_fee_engine_and_writes_nothing(ledger: Ledger) -> None:
    preview = services.invoice_run_preview(municipality_number="3030", month=NOV)
    assert not InvoiceLine.objects.exists()
    assert not InvoiceRun.objects.exists()
    small, pupil, mum = ledger.people["small"], ledger.people["pupil"], ledger.people["mum"]
    expected = fee_quote_for_children(
        municipality_number="3030",
        on=NOV,
        annual_income=None,
        children=[
            ChildInput(
                key=f"{small.pk}:kindergarten",
                birth_date=small.birth_date,
                unit_type=UnitType.KINDERGARTEN,
                place_percentage=Decimal(100),
            ),
            ChildInput(
                key=f"{pupil.pk}:sfo",
                birth_date=pupil.birth_date,
                unit_type=UnitType.SFO,
                grade=2,
                sfo_place_type="full",
            ),
        ],
    )
    assert preview.total == expected.total
    # The payer is the guardian with foreldreansvar who lives with the children; the other parent pays nothing.
    assert {line.payer_id for line in preview.basis.lines} == {mum.pk}
    fee = next(li for li in preview.basis.lines if li.child_id == small.pk and li.line_type == "fee")
    assert fee.trace and fee.trace[0]["rule"]


def test_commit_writes_lines_and_queues_the_erp_export_once(ledger: Ledger) -> None:
    run = services.invoice_run_commit(municipality_number="3030", month=NOV)
    assert run.state == RunState.COMMITTED
    ids = sorted(InvoiceLine.objects.values_list("pk", flat=True))
    assert run.line_count == len(ids) == 4  # fee + food for each child
    again = services.invoice_run_commit(municipality_number="3030", month=NOV)
    assert again.pk == run.pk
    assert sorted(InvoiceLine.objects.values_list("pk", flat=True)) == ids
    assert OutboxMessage.objects.filter(kind=OUTBOX_KIND).count() == 1


def test_a_run_stopped_half_way_is_resumed_without_duplicate_lines(ledger: Ledger) -> None:
    preview = services.invoice_run_preview(municipality_number="3030", month=NOV)
    from oas import clock

    run = InvoiceRun.objects.create(municipality_number="3030", month=NOV, started_at=clock.now())
    half = preview.basis.lines[:2]
    InvoiceLine.objects.bulk_create([services._line(run, NOV, NOV, d) for d in half])  # the worker died here
    resumed = services.invoice_run_commit(municipality_number="3030", month=NOV)
    assert resumed.state == RunState.COMMITTED
    assert InvoiceLine.objects.count() == len(preview.basis.lines)
    assert resumed.total == preview.total


def test_a_missing_rate_stops_the_run_and_names_it(ledger: Ledger) -> None:
    with pytest.raises(MissingRate) as exc:
        services.invoice_run_commit(municipality_number="3030", month=dt.date(2024, 7, 1))
    assert "maksimalpris" in exc.value.message
    run = InvoiceRun.objects.get(month=dt.date(2024, 7, 1))
    assert run.state == RunState.FAILED
    assert "Mangler sats" in run.error
    assert not InvoiceLine.objects.exists()


def test_a_change_back_in_time_gives_a_correction_line_in_the_next_run(ledger: Ledger) -> None:
    services.invoice_run_commit(municipality_number="3030", month=OCT)
    billed_october = sum(InvoiceLine.objects.filter(child=ledger.people["small"]).values_list("amount", flat=True))
    # Registered late: the kindergarten place ended on 15 October.
    Placement.objects.filter(pk=ledger.placements["kg"].pk).update(end_date=dt.date(2026, 10, 15))
    services.invoice_run_commit(municipality_number="3030", month=NOV)
    corrections = InvoiceLine.objects.filter(line_type="correction", child=ledger.people["small"])
    assert corrections.count() == 1
    correction = corrections.get()
    assert correction.period_month == OCT
    assert correction.month == NOV
    assert Decimal(0) > correction.amount > -billed_october
    # No kindergarten fee in November any more.
    assert (
        not InvoiceLine.objects.filter(child=ledger.people["small"], period_month=NOV)
        .exclude(line_type="correction")
        .exists()
    )


def test_a_split_invoice_goes_to_both_guardians_in_equal_shares(ledger: Ledger) -> None:
    services.payment_split_set(child=ledger.people["small"], valid_from=NOV)
    lines = [
        li
        for li in month_basis(municipality_number="3030", month=NOV).lines
        if li.child_id == ledger.people["small"].pk
    ]
    fee = [li for li in lines if li.line_type == "fee"]
    assert {li.payer_id for li in fee} == {ledger.people["mum"].pk, ledger.people["dad"].pk}
    assert {li.share for li in fee} == {Decimal("0.5")}


def test_the_erp_export_writes_documented_csv_and_json(ledger: Ledger, tmp_path: Path) -> None:
    run = services.invoice_run_commit(municipality_number="3030", month=NOV)
    message = OutboxMessage.objects.get(kind=OUTBOX_KIND)
    delivery = Delivery(
        message_id=message.pk,
        kind=OUTBOX_KIND,
        payload=message.payload,
        idempotency_key=message.idempotency_key,
        attempt=1,
    )
    with override_settings(INVOICE_EXPORT_DIR=str(tmp_path)):
        result = invoice_export_deliver(delivery)
        first = (tmp_path / "fakturagrunnlag-3030-2026-11.csv").read_text(encoding="utf-8")
        invoice_export_deliver(delivery)  # a redelivery rewrites the same file
    assert result == {"files": ["fakturagrunnlag-3030-2026-11.csv", "fakturagrunnlag-3030-2026-11.json"], "lines": 4}
    assert first.splitlines()[0].split(";") == list(CSV_COLUMNS)
    assert (tmp_path / "fakturagrunnlag-3030-2026-11.csv").read_text(encoding="utf-8") == first
    document = json.loads((tmp_path / "fakturagrunnlag-3030-2026-11.json").read_text(encoding="utf-8"))
    assert document["antall_linjer"] == 4
    assert Decimal(document["sum"]) == run.total


def test_finance_office_previews_and_commits_in_the_page(ledger: Ledger) -> None:
    client = _client(ledger.users["finance"])
    page = client.get("/fakturering/", {"maaned": "2026-11"})
    assert page.status_code == 200
    assert "Prøvekjøring" in page.content.decode()
    assert not InvoiceRun.objects.exists()
    client.post("/fakturering/fakturer/", {"maaned": "2026-11", "bekreft": "ja"})
    assert InvoiceRun.objects.get().state == RunState.COMMITTED


def test_the_preview_page_names_a_missing_rate(ledger: Ledger) -> None:
    page = _client(ledger.users["finance"]).get("/fakturering/", {"maaned": "2024-07"})
    assert "Mangler sats" in page.content.decode()


@pytest.mark.parametrize("persona", ["leader", "mum"])
def test_others_cannot_run_invoicing(ledger: Ledger, persona: str) -> None:
    client = _client(ledger.users[persona])
    assert client.get("/fakturering/").status_code == 403
    assert client.post("/fakturering/fakturer/", {"maaned": "2026-11"}).status_code == 403
    assert (
        client.post("/api/v1/invoicing/runs/commit", {"month": "2026-11"}, content_type="application/json").status_code
        == 403
    )
    assert (
        client.post("/api/v1/invoicing/runs/preview", {"month": "2026-11"}, content_type="application/json").status_code
        == 403
    )
    assert not InvoiceRun.objects.exists()


def test_the_api_previews_and_commits(ledger: Ledger) -> None:
    client = _client(ledger.users["finance"])
    preview = client.post("/api/v1/invoicing/runs/preview", {"month": "2026-11"}, content_type="application/json")
    assert preview.status_code == 200
    assert preview.json()["line_count"] == 4
    bad = client.post("/api/v1/invoicing/runs/preview", {"month": "2026-13"}, content_type="application/json")
    assert bad.status_code == 400
    missing = client.post("/api/v1/invoicing/runs/commit", {"month": "2024-07"}, content_type="application/json")
    assert missing.status_code == 422
    assert "Mangler sats" in missing.json()["message"]
    done = client.post("/api/v1/invoicing/runs/commit", {"month": "2026-11"}, content_type="application/json")
    assert done.json()["state"] == "committed"


def test_the_preview_page_takes_the_same_number_of_queries_for_more_children(
    ledger: Ledger, django_assert_max_num_queries: Any
) -> None:
    client = _client(ledger.users["finance"])
    client.get("/fakturering/", {"maaned": "2026-11"})  # warm caches so both measured requests do the same work
    with CaptureQueriesContext(connection) as before:
        assert client.get("/fakturering/", {"maaned": "2026-11"}).status_code == 200
    for birth in (dt.date(2023, 1, 5), dt.date(2022, 6, 7)):
        child: Any = f.ChildFactory(birth_date=birth)
        f.RelationFactory(adult=f.PersonFactory(), child=child, kind=RelationKind.GUARDIAN)
        kg: Any = f.PlacementFactory(
            child=child, unit=ledger.units["K1"], service=Service.KINDERGARTEN, start_date=dt.date(2025, 8, 1)
        )
        KindergartenPlacementDetail.objects.create(placement=kg, size_kind="percent", size_value=100)
    with django_assert_max_num_queries(len(before)):
        page = client.get("/fakturering/", {"maaned": "2026-11"})
    assert page.status_code == 200
    assert len(services.invoice_run_preview(municipality_number="3030", month=NOV).basis.lines) > 4


def test_a_bad_month_on_the_preview_page_is_named_and_nothing_is_written(ledger: Ledger) -> None:
    page = _client(ledger.users["finance"]).get("/fakturering/", {"maaned": "2026-13"})
    assert page.status_code == 200
    assert "Ugyldig måned" in page.content.decode()
    assert not InvoiceRun.objects.exists()


@override_settings(FREG_MUNICIPALITY_NUMBER="3031")
def test_the_run_page_defaults_to_the_installations_municipality(ledger: Ledger) -> None:
    for number in ("3030", "3031"):
        InvoiceRun.objects.create(municipality_number=number, month=OCT, started_at=clock.now())
    page = _client(ledger.users["finance"]).get("/fakturering/")
    assert page.status_code == 200
    assert page.content.decode().count('class="run-row"') == 1


def test_committing_asks_for_confirmation_and_says_what_will_happen(ledger: Ledger) -> None:
    client = _client(ledger.users["finance"])
    page = client.get("/fakturering/", {"maaned": "2026-11"}).content.decode()
    preview = services.invoice_run_preview(municipality_number="3030", month=NOV)
    assert preview.invoice_count >= 1
    assert "Dette skjer når du fakturerer" in page
    total = f"{preview.total:,.2f}".replace(",", "\xa0").replace(".", ",")
    assert f"på til sammen {total} kr" in page  # thousands separated, as everywhere on the page
    assert 'name="bekreft" value="ja" required' in page
    refused = client.post("/fakturering/fakturer/", {"maaned": "2026-11"}, follow=True)
    assert refused.status_code == 200
    assert "bekreft at du vil fakturere" in refused.content.decode()
    assert not InvoiceRun.objects.exists()


def test_the_preview_lists_names_not_ids(ledger: Ledger) -> None:
    page = _client(ledger.users["finance"]).get("/fakturering/", {"maaned": "2026-11"}).content.decode()
    line = services.invoice_run_preview(municipality_number="3030", month=NOV).basis.lines[0]
    child = Placement.objects.filter(child_id=line.child_id).first()
    assert child is not None
    assert child.child.full_name in page
    assert f"<td>{line.child_id}</td>" not in page
