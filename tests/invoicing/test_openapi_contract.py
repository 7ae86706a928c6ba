"""The OpenAPI schema documents 201 for creates and the one error shape, and refuses what the server refuses."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from tests.fees.conftest import seeded_rates  # noqa: F401 - fixture
from tests.fees.test_api import URL as QUOTE_URL
from tests.fees.test_api import household

from .conftest import Ledger

CREATES = [
    ("/api/v1/placements/kindergarten", "post"),
    ("/api/v1/placements/sfo", "post"),
    ("/api/v1/attendance/absences", "post"),
    ("/api/v1/messaging/threads/new", "post"),
    ("/api/v1/messaging/threads/{thread_id}/messages", "post"),
    ("/api/v1/messaging/notices", "post"),
]


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]


def _error_ref(response: dict[str, Any]) -> str:
    return str(response["content"]["application/json"]["schema"].get("$ref", ""))


def test_creates_are_documented_as_201_not_200(schema: dict[str, Any]) -> None:
    for path, method in CREATES:
        responses = schema["paths"][path][method]["responses"]
        assert "201" in responses, path
        assert "200" not in responses, path


def test_every_operation_documents_its_refusals_in_the_one_error_shape(schema: dict[str, Any]) -> None:
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["message", "code", "fields"]
    assert error["properties"]["fields"]["additionalProperties"] == {"type": "array", "items": {"type": "string"}}
    for path, method, op in _operations(schema):
        responses = op["responses"]
        needs_login = any(requirement for requirement in op.get("security") or [{}])
        expected = {"400"} if method == "post" else set()
        if needs_login:
            expected |= {"401", "403", "404"} | ({"409"} if method == "post" else set())
        assert expected <= set(responses), (method, path, sorted(responses))
        for code in expected:
            if path != QUOTE_URL:  # the quote API names its own (identical) FeeQuoteError component
                assert _error_ref(responses[code]) == "#/components/schemas/Error", (method, path, code)


def test_the_schema_and_the_server_refuse_an_empty_children_list(schema: dict[str, Any], seeded_rates: None) -> None:  # noqa: F811
    children = schema["components"]["schemas"]["FeeQuoteHouseholdInput"]["properties"]["children"]
    assert children["minItems"] == 1
    body = household()
    body["household"]["children"] = []
    response = APIClient().post(QUOTE_URL, body, format="json")
    assert response.status_code == 400
    assert any(key.startswith("household.children") for key in response.json()["fields"])
    assert APIClient().post(QUOTE_URL, household(), format="json").status_code == 200


@pytest.mark.parametrize(
    ("month", "valid"),
    [("2026-11", True), ("0000-00", False), ("2026-00", False), ("2026-13", False), ("0999-01", False)],
)
def test_the_schema_and_the_server_agree_on_months(
    schema: dict[str, Any], ledger: Ledger, month: str, valid: bool
) -> None:
    pattern = schema["components"]["schemas"]["_RunInput"]["properties"]["month"]["pattern"]
    assert bool(re.search(pattern, month)) is valid
    client = Client()
    client.force_login(ledger.users["finance"])
    response = client.post("/api/v1/invoicing/runs/preview", {"month": month}, content_type="application/json")
    assert response.status_code == (200 if valid else 400)
    if not valid:
        assert set(response.json()) == {"message", "code", "fields"}
        assert "month" in response.json()["fields"]
