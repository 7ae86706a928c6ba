"""The office work list and the guardian's overview stay at a fixed number of queries however many applications
they show (no query per row)."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kindergarten import services
from oas.access.services import role_mapping_seed
from oas.people.models import Person
from tests.factories import ChildFactory, RelationFactory
from tests.kindergarten.factories import admission_round, family
from tests.kindergarten.test_pages import BIG, guardian_client, office_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _roles() -> None:
    role_mapping_seed()


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_office_work_list_does_not_query_per_application(application_day, django_assert_max_num_queries) -> None:
    rnd, units = admission_round(units=2)
    client = office_client()
    url = reverse("kindergarten_pages:office_applications")

    def submit() -> None:
        fam = family(birth_date=BIG)
        services.application_submit(
            admission_round=rnd,
            child=fam.child,
            applicant=fam.guardian,
            choices=units,
            wanted_start_date=dt.date(2027, 8, 1),
        )

    submit()
    one = _queries(client, url)
    for _ in range(5):
        submit()
    with django_assert_max_num_queries(one):
        page = client.get(url)
    assert page.content.decode().count("data-application=") == 6


def test_the_guardian_overview_does_not_query_per_application(application_day, django_assert_max_num_queries) -> None:
    rnd, units = admission_round(units=2)
    fam = family(birth_date=BIG)
    services.application_submit(
        admission_round=rnd,
        child=fam.child,
        applicant=fam.guardian,
        choices=units,
        wanted_start_date=dt.date(2027, 8, 1),
    )
    client = guardian_client(fam.guardian)
    url = reverse("kindergarten_pages:portal")
    one = _queries(client, url)
    for _ in range(3):
        sibling = cast(Person, ChildFactory(birth_date=BIG))
        RelationFactory(adult=fam.guardian, child=sibling, valid_from=BIG)
        services.application_submit(
            admission_round=rnd,
            child=sibling,
            applicant=fam.guardian,
            choices=units,
            wanted_start_date=dt.date(2027, 8, 1),
        )
    with django_assert_max_num_queries(one):
        page = client.get(url)
    assert page.content.decode().count('class="kg-application"') == 4
