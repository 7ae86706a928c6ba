"""Issue 13 point 20: no run commits on unconfirmed rates without an explicit, audited confirmation; rates
that a committed run used are locked; every rate edit is audited."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from fees.models import MunicipalFeeRates, NationalFeeRates
from fees.rates_data import LILLESTROM_DEMO_RATES, NATIONAL_RATES
from fees.services import municipal_fee_rates_upsert, national_fee_rates_upsert
from integrations.models import OutboxMessage
from invoicing import services
from invoicing.models import InvoiceLine, InvoiceRun, RunState
from oas.audit.models import AuditEvent
from oas.errors import ValidationError
from oas.organisation.models import Municipality

from .conftest import Ledger

pytestmark = pytest.mark.django_db
NOV = dt.date(2026, 11, 1)


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _unconfirm() -> None:
    NationalFeeRates.objects.filter(valid_from__gte=dt.date(2025, 8, 1)).update(verified=False)
    MunicipalFeeRates.objects.update(is_demo=True)


def _rates_on(on: dt.date) -> tuple[NationalFeeRates, MunicipalFeeRates]:
    national = NationalFeeRates.objects.get(valid_from__lte=on, valid_to__gte=on)
    municipal = MunicipalFeeRates.objects.get(municipality__number="3030", valid_from__lte=on, valid_to__gte=on)
    return national, municipal


def test_commit_on_unconfirmed_rates_is_refused_and_writes_nothing(ledger: Ledger) -> None:
    _unconfirm()
    with pytest.raises(services.UnconfirmedRates) as caught:
        services.invoice_run_commit(municipality_number="3030", month=NOV)
    assert "ikke bekreftet" in caught.value.message
    assert "demoverdier" in caught.value.message
    assert not InvoiceRun.objects.exists()
    assert not InvoiceLine.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_an_explicit_confirmation_commits_and_is_audited(ledger: Ledger) -> None:
    _unconfirm()
    run = services.invoice_run_commit(
        municipality_number="3030", month=NOV, user_id=ledger.users["finance"].pk, confirm_unconfirmed_rates=True
    )
    assert run.state == RunState.COMMITTED
    event = AuditEvent.objects.get(event="invoicing.run.commit")
    assert len(event.details["confirmed_unconfirmed_rates"]) == 2


def test_the_page_asks_for_confirmation_and_says_what_will_happen(ledger: Ledger) -> None:
    _unconfirm()
    client = _client(ledger.users["finance"])
    page = client.get("/fakturering/", {"maaned": "2026-11"}).content.decode()
    assert "Satsene for måneden er ikke bekreftet" in page
    assert "låses" in page
    assert 'name="bekreft_satser"' in page
    refused = client.post("/fakturering/fakturer/", {"maaned": "2026-11", "bekreft": "ja"}, follow=True)
    assert refused.status_code == 200
    assert "ikke fakturert" in refused.content.decode()
    assert not InvoiceRun.objects.exists()
    client.post("/fakturering/fakturer/", {"maaned": "2026-11", "bekreft": "ja", "bekreft_satser": "ja"})
    assert InvoiceRun.objects.get().state == RunState.COMMITTED


def test_confirmed_rates_ask_nothing(ledger: Ledger) -> None:
    page = _client(ledger.users["finance"]).get("/fakturering/", {"maaned": "2026-11"}).content.decode()
    assert 'name="bekreft_satser"' not in page


def test_the_api_refuses_with_409_unless_confirmed_and_others_get_403(ledger: Ledger) -> None:
    _unconfirm()
    client = _client(ledger.users["finance"])
    preview = client.post("/api/v1/invoicing/runs/preview", {"month": "2026-11"}, content_type="application/json")
    assert preview.json()["rates_confirmed"] is False
    refused = client.post("/api/v1/invoicing/runs/commit", {"month": "2026-11"}, content_type="application/json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "unconfirmed_rates"
    assert not InvoiceRun.objects.exists()
    denied = _client(ledger.users["leader"]).post(
        "/api/v1/invoicing/runs/commit",
        {"month": "2026-11", "confirm_unconfirmed_rates": True},
        content_type="application/json",
    )
    assert denied.status_code == 403
    ok = client.post(
        "/api/v1/invoicing/runs/commit",
        {"month": "2026-11", "confirm_unconfirmed_rates": True},
        content_type="application/json",
    )
    assert ok.status_code == 200
    assert ok.json()["state"] == "committed"


def test_rates_used_by_a_committed_run_are_locked(ledger: Ledger) -> None:
    services.invoice_run_commit(municipality_number="3030", month=NOV)
    national, municipal = _rates_on(NOV)
    assert national.locked_at is not None
    assert municipal.locked_at is not None
    other = MunicipalFeeRates.objects.exclude(pk=municipal.pk).filter(municipality__number="3030")
    assert all(r.locked_at is None for r in other)  # other periods stay editable
    changed = dataclasses.replace(
        next(r for r in LILLESTROM_DEMO_RATES if r.valid_from == municipal.valid_from),
        kindergarten_full_time_price=Decimal(1900),
    )
    with pytest.raises(ValidationError) as caught:
        municipal_fee_rates_upsert(municipality=Municipality.objects.get(number="3030"), rates=changed)
    assert "kan ikke endres" in caught.value.message
    national_changed = dataclasses.replace(
        next(r for r in NATIONAL_RATES if r.valid_from == national.valid_from), max_price=Decimal(2100)
    )
    with pytest.raises(ValidationError):
        national_fee_rates_upsert(rates=national_changed)
    municipal.refresh_from_db()
    assert municipal.kindergarten_full_time_price != Decimal(1900)


def test_rate_edits_are_audited(ledger: Ledger) -> None:
    row = MunicipalFeeRates.objects.filter(municipality__number="3030").order_by("-valid_from").first()
    assert row is not None
    rates = dataclasses.replace(
        next(r for r in LILLESTROM_DEMO_RATES if r.valid_from == row.valid_from),
        kindergarten_food_money=Decimal(410),
    )
    municipal_fee_rates_upsert(municipality=row.municipality, rates=rates, user_id=ledger.users["finance"].pk)
    event = AuditEvent.objects.filter(event="fees.rates.update").latest("pk")
    assert "kindergarten_food_money" in event.details["fields"]
    assert event.object_id == str(row.pk)


def test_the_admin_shows_locked_rates_read_only_and_audits_changes(ledger: Ledger) -> None:
    services.invoice_run_commit(municipality_number="3030", month=NOV)
    _national, locked = _rates_on(NOV)
    admin = get_user_model().objects.create_superuser("okonomi-admin", "okonomi@example.invalid", "x" * 20)
    client = _client(admin)
    url = f"/admin/fees/municipalfeerates/{locked.pk}/change/"
    assert client.get(url).status_code == 200  # view only
    assert client.post(url, {"kindergarten_full_time_price": "1000"}).status_code == 403
    assert client.post(f"/admin/fees/municipalfeerates/{locked.pk}/delete/", {"post": "yes"}).status_code == 403
    locked.refresh_from_db()
    assert locked.kindergarten_full_time_price != Decimal(1000)
    open_row = MunicipalFeeRates.objects.filter(locked_at__isnull=True).order_by("-valid_from").first()
    assert open_row is not None
    page = client.get(f"/admin/fees/municipalfeerates/{open_row.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    data["kindergarten_food_money"] = "420.00"
    inline = page.context["inline_admin_formsets"][0].formset
    data.update({f"{inline.prefix}-TOTAL_FORMS": "0", f"{inline.prefix}-INITIAL_FORMS": "0"})
    assert client.post(f"/admin/fees/municipalfeerates/{open_row.pk}/change/", data).status_code == 302
    assert AuditEvent.objects.filter(event="fees.rates.update", object_id=str(open_row.pk)).exists()
