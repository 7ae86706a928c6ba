"""The rate tables are administered in the Django admin: staff with rights only, and the maksimalpris holds."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from fees.models import MunicipalFeeRates

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_fees(seeded_rates: None) -> Client:
    user = get_user_model().objects.create_superuser("okonomi-admin", "okonomi@example.invalid", "x" * 20)
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_sees_the_rate_tables(admin_client_fees: Client) -> None:
    for url in ("/admin/fees/nationalfeerates/", "/admin/fees/municipalfeerates/"):
        response = admin_client_fees.get(url)
        assert response.status_code == 200
        assert "2024/25" in response.content.decode()
    row = MunicipalFeeRates.objects.order_by("valid_from").first()
    assert row is not None
    page = admin_client_fees.get(f"/admin/fees/municipalfeerates/{row.pk}/change/").content.decode()
    assert "Heltidsplass (5 dager)" in page  # SFO place types inline


def test_the_admin_refuses_a_kindergarten_price_above_the_maksimalpris(admin_client_fees: Client) -> None:
    row = MunicipalFeeRates.objects.order_by("valid_from").first()
    assert row is not None
    url = f"/admin/fees/municipalfeerates/{row.pk}/change/"
    response = admin_client_fees.get(url)
    form = response.context["adminform"].form
    data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    data["kindergarten_full_time_price"] = "2500.00"
    inline = response.context["inline_admin_formsets"][0].formset
    data.update({f"{inline.prefix}-TOTAL_FORMS": "0", f"{inline.prefix}-INITIAL_FORMS": "0"})
    response = admin_client_fees.post(url, data)
    assert response.status_code == 200
    assert "maksimalprisen" in response.content.decode()
    row.refresh_from_db()
    assert str(row.kindergarten_full_time_price) == "2000.00"


def test_anonymous_visitors_cannot_open_the_rate_admin(seeded_rates: None) -> None:
    response = Client().get("/admin/fees/municipalfeerates/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
