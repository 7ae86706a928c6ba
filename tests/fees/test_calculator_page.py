"""The public price calculator page: renders for anyone, computes through htmx, shows field errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from oas import clock

pytestmark = pytest.mark.django_db


def form_data(children: list[dict[str, Any]], **household: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "date": "2026-11-19",
        "municipality": "3030",
        "annual_income": "",
        "children-TOTAL_FORMS": "4",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "0",
        "children-MAX_NUM_FORMS": "6",
    }
    data.update(household)
    for index, child in enumerate(children):
        for key, value in child.items():
            data[f"children-{index}-{key}"] = value
    return data


@pytest.fixture
def november() -> Any:
    with clock.freeze(dt.date(2026, 11, 19)):
        yield


def test_anyone_can_open_the_calculator(seeded_rates: None, november: None) -> None:
    response = Client().get(reverse("fees:calculator"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Priskalkulator for barnehage og SFO" in body
    assert 'hx-post="/priskalkulator/"' in body
    assert "htmx.min.js" in body  # loaded once, by base.html
    assert body.count("htmx.min.js") == 1
    assert 'value="2026-11-19"' in body  # today's date is the default
    assert "Lillestrøm (3030)" in body
    assert "Heltidsplass (5 dager)" in body  # SFO place types of the current period


def test_the_calculator_computes_and_returns_the_htmx_partial(seeded_rates: None, november: None) -> None:
    data = form_data(
        [
            {"unit_type": "kindergarten", "birth_date": "2021-06-01", "name": "Eldst"},
            {
                "unit_type": "kindergarten",
                "birth_date": "2024-02-01",
                "place_percentage": "60",
                "weekly_hours": "25",
                "start_date": "2026-11-16",
            },
            {"unit_type": "sfo", "birth_date": "2019-05-01", "grade": "2", "sfo_place_type": "full"},
        ],
        annual_income="250000",
    )
    response = Client().post(reverse("fees:calculator"), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body  # the partial only
    assert 'id="calculator"' in body
    # The SFO place (3 300 × (1 − 12/25) = 1 716 before discounts, list price 3 300) is child 1; the
    # kindergarten children become child 2 and 3: Eldst 1 400 after 30 %, the unnamed child 3 is free.
    # Eldst: 2 000 → 30 % → 1 400 → reduced cap 1 363,64 → core hours × 21/41 = 698,45 + 400 = 1 098,45.
    # Barn 2: 2 000 → free as child 3 → 60 % food 240 × 15/30 days = 120.
    # SFO (Barn 3): 3 300 × 13/25 = 1 716 → Lillestrøm's demo SFO income cap 1 363,64 + food 300 = 1 663,64.
    assert "Eldst: 1\xa0098,45 kr" in body
    assert "Barn 2: 120,00 kr" in body
    assert "Barn 3: 1\xa0663,64 kr" in body
    assert "Sum per måned: 2\xa0882,09 kr" in body
    assert "Søskenmoderasjon (barn nr. 2)" in body
    assert "Gratis kjernetid (20 timer per uke)" in body
    assert "Gratis SFO (12 timer per uke, 2. trinn)" in body
    assert "ikke bekreftet" in body


def test_the_calculator_works_without_javascript(seeded_rates: None, november: None) -> None:
    data = form_data([{"unit_type": "kindergarten", "birth_date": "2023-05-01", "name": "Ola"}])
    response = Client().post(reverse("fees:calculator"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body
    assert "Ola: 2\xa0400,00 kr" in body  # 2 000 + food 400, in Norwegian number format


def test_negative_income_shows_a_field_error_and_no_result(seeded_rates: None, november: None) -> None:
    data = form_data([{"unit_type": "kindergarten", "birth_date": "2023-05-01"}], annual_income="-5")
    response = Client().post(reverse("fees:calculator"), data, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "Inntekten kan ikke være negativ." in body
    assert 'id="result"' not in body


def test_an_sfo_child_without_grade_shows_the_error_on_that_child(seeded_rates: None, november: None) -> None:
    data = form_data([{"unit_type": "sfo", "birth_date": "2019-05-01", "sfo_place_type": "full"}])
    response = Client().post(reverse("fees:calculator"), data, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "Oppgi trinn (1–7) for SFO." in body
    assert 'id="result"' not in body


def test_a_month_without_rates_says_which_rate_is_missing(seeded_rates: None, november: None) -> None:
    data = form_data([{"unit_type": "kindergarten", "birth_date": "2021-05-01"}], date="2023-01-10")
    body = Client().post(reverse("fees:calculator"), data, headers={"HX-Request": "true"}).content.decode()
    assert "Mangler sats for perioden: nasjonal maksimalpris" in body


def test_an_empty_household_is_refused(seeded_rates: None, november: None) -> None:
    body = Client().post(reverse("fees:calculator"), form_data([])).content.decode()
    assert "Legg inn minst ett barn." in body


def test_the_calculator_refuses_other_methods(seeded_rates: None, november: None) -> None:
    assert Client().put(reverse("fees:calculator")).status_code == 405


def test_without_rates_the_calculator_says_it_is_unavailable(db: None, november: None) -> None:
    response = Client().get(reverse("fees:calculator"))
    assert response.status_code == 200
    assert "Kalkulatoren er ikke tilgjengelig" in response.content.decode()
