"""The sector office places a child who is not yet in a unit, found by exact fødselsnummer or D-number."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kindergarten.models import KindergartenPlacementDetail
from oas.audit.models import AuditEvent
from oas.organisation.models import Municipality
from oas.people.models import Adressebeskyttelse, Placement, Service
from oas.people.national_id import make_national_id
from sfo.models import SfoPlacementDetail
from tests import factories as f

from .conftest import Town

pytestmark = pytest.mark.django_db
KG_URL = "kindergarten_placements:new"
SFO_URL = "sfo_placements:new"


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _staff_user(town: Town, unit: str, position: str) -> Any:
    employee: Any = f.EmployeeFactory()
    f.EmploymentFactory(employee=employee, unit=town.units[unit], position_code=position)
    return f.staff_account(employee).user


def _office(town: Town) -> Client:
    return _client(_staff_user(town, "office", "OPPTAK"))


def _newcomer(**kwargs: Any) -> Any:
    return f.ChildFactory(
        birth_date=dt.date(2023, 1, 10), first_name="Nyfrid", street_address="Hemmelig vei 7", **kwargs
    )


def _kg_post(town: Town, child: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "step": "create",
        "national_id": child.national_id,
        "unit": town.units["K1"].pk,
        "department": town.units["D2"].pk,
        "size_kind": "percent",
        "size_value": 80,
        "weekly_hours": "37.5",
        "start_date": "2027-01-04",
        "end_date": "",
    }
    data.update(overrides)
    return data


def test_sector_office_finds_a_child_by_national_id_and_the_lookup_is_logged(town: Town) -> None:
    child = _newcomer()
    page = _office(town).post(reverse(KG_URL), {"step": "lookup", "national_id": child.national_id})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Nyfrid" in body and "Hemmelig vei 7" in body
    assert 'name="size_value"' in body
    assert AuditEvent.objects.filter(event="kindergarten.placement.lookup", person_ids__contains=[child.pk]).exists()


def test_sector_office_places_a_child_in_a_kindergarten_department(town: Town) -> None:
    child = _newcomer()
    page = _office(town).post(reverse(KG_URL), _kg_post(town, child))
    assert page.status_code == 200, page.content.decode()
    placement = Placement.objects.get(child=child)
    assert (placement.service, placement.unit, placement.group) == (
        Service.KINDERGARTEN,
        town.units["K1"],
        town.units["D2"],
    )
    assert placement.start_date == dt.date(2027, 1, 4) and placement.end_date is None
    detail = KindergartenPlacementDetail.objects.get(placement=placement)
    assert (detail.size_kind, detail.size_value, str(detail.weekly_hours)) == ("percent", 80, "37.5")
    assert "har fått plass i Solsikken barnehage fra 04.01.2027" in page.content.decode()
    assert AuditEvent.objects.filter(event="kindergarten.placement.change", person_ids__contains=[child.pk]).exists()


def test_sector_office_finds_a_child_by_d_number_and_gives_an_sfo_place(town: Town) -> None:
    d_number = make_national_id(dt.date(2019, 3, 3), 512, d_number=True) or make_national_id(
        dt.date(2019, 3, 3), 513, d_number=True
    )
    child: Any = f.ChildFactory(birth_date=dt.date(2019, 3, 3), national_id=d_number, first_name="Dina")
    page = _office(town).post(
        reverse(SFO_URL),
        {
            "step": "create",
            "national_id": d_number,
            "unit": town.units["SFO1"].pk,
            "place_type": "hours",
            "hours_per_week": 8,
            "start_date": "2027-01-04",
        },
    )
    assert page.status_code == 200, page.content.decode()
    placement = Placement.objects.get(child=child, service=Service.SFO)
    assert placement.unit == town.units["SFO1"]
    detail = SfoPlacementDetail.objects.get(placement=placement)
    assert (detail.place_type, detail.hours_per_week) == ("hours", 8)
    assert AuditEvent.objects.filter(event="sfo.placement.lookup", person_ids__contains=[child.pk]).exists()


def test_a_child_with_a_protected_address_shows_no_address(town: Town) -> None:
    child = _newcomer(adressebeskyttelse=Adressebeskyttelse.FORTROLIG)
    page = _office(town).post(reverse(KG_URL), {"step": "lookup", "national_id": child.national_id})
    body = page.content.decode()
    assert page.status_code == 200
    assert "Nyfrid" in body
    assert "Hemmelig vei 7" not in body
    assert "Adressen er skjermet" in body


@pytest.mark.parametrize("persona", ["other_leader", "leader", "contact_teacher", "guardian"])
def test_others_may_neither_look_up_nor_place(town: Town, persona: str) -> None:
    child = _newcomer()
    user = _staff_user(town, "K2", "STYRER") if persona == "other_leader" else town.users[persona]
    client = _client(user)
    assert client.get(reverse(KG_URL)).status_code == 403
    assert client.post(reverse(KG_URL), {"step": "lookup", "national_id": child.national_id}).status_code == 403
    assert client.post(reverse(KG_URL), _kg_post(town, child)).status_code == 403
    assert client.get(reverse(SFO_URL)).status_code == 403
    assert not Placement.objects.filter(child=child).exists()
    assert not AuditEvent.objects.filter(
        event="kindergarten.placement.lookup", person_ids__contains=[child.pk]
    ).exists()


def test_an_unknown_national_id_gives_a_form_error_and_is_logged(town: Town) -> None:
    unknown = make_national_id(dt.date(2022, 2, 2), 510) or make_national_id(dt.date(2022, 2, 2), 511)
    before = Placement.objects.count()
    stranger: Any = f.ChildFactory.build(national_id=unknown)
    page = _office(town).post(reverse(KG_URL), _kg_post(town, stranger))
    assert page.status_code == 400
    assert "Fant ikke noe barn med dette fødselsnummeret" in page.content.decode()
    assert Placement.objects.count() == before
    miss = AuditEvent.objects.get(event="kindergarten.placement.lookup.miss")
    # The number itself is not in the log, nor its plain (reversible by trying every number) SHA-256.
    logged = str(miss.details)
    assert unknown is not None
    assert unknown not in logged
    assert hashlib.sha256(unknown.encode()).hexdigest() not in logged
    assert (
        miss.details["national_id_hmac"]
        == hmac.new(settings.SECRET_KEY.encode(), unknown.encode(), hashlib.sha256).hexdigest()
    )


def test_a_malformed_national_id_gives_a_form_error(town: Town) -> None:
    page = _office(town).post(reverse(KG_URL), {"step": "lookup", "national_id": "12345"})
    assert page.status_code == 400
    assert "11 sifre" in page.content.decode()


def test_a_child_living_in_another_municipality_is_not_found(town: Town) -> None:
    child = _newcomer(municipality_number="0301")
    page = _office(town).post(reverse(KG_URL), {"step": "lookup", "national_id": child.national_id})
    assert page.status_code == 400
    assert "Nyfrid" not in page.content.decode()


def test_an_overlapping_placement_gives_a_form_error_and_writes_nothing(town: Town) -> None:
    child = _newcomer()
    f.PlacementFactory(child=child, unit=town.units["K2"], service=Service.KINDERGARTEN, start_date=dt.date(2027, 2, 1))
    page = _office(town).post(reverse(KG_URL), _kg_post(town, child))
    assert page.status_code == 400
    assert "allerede en barnehageplass i denne perioden" in page.content.decode()
    assert list(Placement.objects.filter(child=child).values_list("unit_id", "end_date")) == [
        (town.units["K2"].pk, None)
    ]


def test_a_child_outside_the_age_range_gives_a_form_error_and_writes_nothing(town: Town) -> None:
    child: Any = f.ChildFactory(birth_date=dt.date(2019, 5, 1), first_name="Skolebarn")
    page = _office(town).post(reverse(KG_URL), _kg_post(town, child))
    assert page.status_code == 400
    assert "Utenfor barnehagens aldersspenn" in page.content.decode()
    assert not Placement.objects.filter(child=child).exists()


def test_bad_form_input_gives_errors_and_writes_nothing(town: Town) -> None:
    child = _newcomer()
    page = _office(town).post(reverse(KG_URL), _kg_post(town, child, size_value=150, start_date=""))
    assert page.status_code == 400
    assert not Placement.objects.filter(child=child).exists()


def test_a_child_registered_in_another_municipality_of_the_deployment_is_not_placed_here(town: Town) -> None:
    Municipality.objects.create(number="3209", name="Ullensaker", valid_from=dt.date(2020, 1, 1))
    child = _newcomer(municipality_number="3209")
    page = _office(town).post(reverse(KG_URL), _kg_post(town, child))
    assert page.status_code == 400
    assert "Barnet er ikke folkeregistrert i kommunen" in page.content.decode()
    assert not Placement.objects.filter(child=child).exists()
