"""The guardian's SFO page stays at a fixed number of queries however many applications it shows."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oas.access.services import role_mapping_seed
from oas.people.models import Person
from tests.factories import ChildFactory, RelationFactory, guardian_account
from tests.sfo.test_sfo_admission import apply, day, pupil, setup_round  # noqa: F401  (day is a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles() -> None:
    role_mapping_seed()


def test_the_sfo_portal_does_not_query_per_application(day, django_assert_max_num_queries) -> None:  # noqa: F811
    rnd, sfo, _ = setup_round(capacity=5)
    child, guardian = pupil(dt.date(2021, 3, 1))
    apply(rnd, sfo, child, guardian)
    client = Client()
    client.force_login(guardian_account(guardian).user)
    url = reverse("sfo_pages:portal")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    for _ in range(3):
        sibling = cast(Person, ChildFactory(birth_date=dt.date(2021, 3, 1), skolekrets=7))
        RelationFactory(adult=guardian, child=sibling)
        apply(rnd, sfo, sibling, guardian)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        page = client.get(url)
    assert page.content.decode().count('class="sfo-application"') == 4
