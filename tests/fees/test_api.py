"""POST /api/v1/fees/quote: public, computes with the seeded rates, names bad fields, writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from fees.api import FeeQuoteThrottle
from fees.models import MunicipalFeeRates, NationalFeeRates

pytestmark = pytest.mark.django_db

URL = "/api/v1/fees/quote"


def household(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "date": "2026-11-19",
        "municipality": "3030",
        "household": {
            "annual_income": 250000,
            "children": [
                {"name": "Eldst", "birth_date": "2021-06-01", "unit_type": "kindergarten"},
                {
                    "name": "Yngst",
                    "birth_date": "2024-02-01",
                    "unit_type": "kindergarten",
                    "place_percentage": 60,
                    "weekly_hours": 25,
                    "start_date": "2026-11-16",
                },
            ],
        },
    }
    body.update(changes)
    return body


def test_anyone_gets_a_quote_with_the_trace_and_without_csrf_or_login(seeded_rates: None) -> None:
    client = APIClient(enforce_csrf_checks=True)
    response = client.post(URL, household(), format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    # Same household as the engine table's combined case (Lillestrøm demo price 2 000, food 400).
    assert {c["name"]: c["monthly_price"] for c in data["children"]} == {"Eldst": "1098.45", "Yngst": "177.28"}
    assert data["total"] == "1275.73"
    assert data["rates_verified"] is False
    assert data["national_period"] == "2026/27"
    yngst = data["children"][1]
    assert yngst["sibling_rank"] == 2
    assert [step["rule"] for step in yngst["trace"]] == [
        "base_price",
        "sibling_discount",
        "reduced_fee",
        "part_time",
        "free_core_hours",
        "proration",
        "food_money",
    ]
    assert yngst["trace"][2]["change"] == "-445.45"


def test_quote_without_municipality_uses_the_only_one_with_rates(seeded_rates: None) -> None:
    body = household()
    del body["municipality"]
    response = APIClient().post(URL, body, format="json")
    assert response.status_code == 200
    assert response.json()["municipality"] == "3030"


def test_negative_income_is_refused_naming_the_field_and_nothing_is_written(seeded_rates: None) -> None:
    counts = (NationalFeeRates.objects.count(), MunicipalFeeRates.objects.count())
    body = household()
    body["household"]["annual_income"] = -1
    response = APIClient().post(URL, body, format="json")
    assert response.status_code == 400
    data = response.json()
    assert set(data) == {"message", "code", "fields"}
    assert data["code"] == "invalid"
    assert list(data["fields"]) == ["household.annual_income"]
    assert data["message"] == "Inntekten kan ikke være negativ."
    assert (NationalFeeRates.objects.count(), MunicipalFeeRates.objects.count()) == counts


def test_sfo_child_without_grade_is_refused_naming_the_child_field(seeded_rates: None) -> None:
    body = household()
    body["household"]["children"].append({"name": "Skole", "birth_date": "2019-05-01", "unit_type": "sfo"})
    response = APIClient().post(URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"household.children.2.grade", "household.children.2.sfo_place_type"}


def test_malformed_child_fields_are_named_with_their_index(seeded_rates: None) -> None:
    body = household()
    body["household"]["children"][1]["place_percentage"] = 150
    body["household"]["children"][1]["birth_date"] = "i går"
    response = APIClient().post(URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {
        "household.children.1.place_percentage",
        "household.children.1.birth_date",
    }


def test_a_date_without_rates_stops_and_names_the_missing_rate(seeded_rates: None) -> None:
    response = APIClient().post(URL, household(date="2023-01-15"), format="json")
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "missing_rate"
    assert "nasjonal maksimalpris" in data["message"]
    assert "date" in data["fields"]


def test_an_unknown_sfo_place_type_is_a_missing_rate_for_that_child(seeded_rates: None) -> None:
    body = household()
    body["household"]["children"].append(
        {"name": "Skole", "birth_date": "2019-05-01", "unit_type": "sfo", "grade": 2, "sfo_place_type": "sommer"}
    )
    response = APIClient().post(URL, body, format="json")
    assert response.status_code == 422
    assert "«sommer»" in response.json()["message"]
    assert list(response.json()["fields"]) == ["household.children.2.sfo_place_type"]


def test_get_is_not_allowed(seeded_rates: None) -> None:
    response = APIClient().get(URL)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_the_public_api_is_rate_limited(seeded_rates: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FeeQuoteThrottle, "rate", "2/min")
    client = APIClient()
    statuses = [client.post(URL, household(), format="json").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.post(URL, household(), format="json").json()["code"] == "throttled"


def test_the_quote_endpoint_is_in_the_openapi_schema() -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/fees/quote"]["post"]
    assert operation["operationId"] == "fees_quote"
    assert "FeeQuoteInput" in schema["components"]["schemas"]
