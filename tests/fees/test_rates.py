"""Rates stored as data: seeding, the maksimalpris check, periods without overlap, missing rates named."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from fees.engine import MissingRate
from fees.models import MunicipalFeeRates, NationalFeeRates, SfoPlaceTypeRate
from fees.rates_data import LILLESTROM_DEMO_RATES, NATIONAL_RATES
from fees.selectors import (
    fee_rates_on,
    household_address_key,
    persons_sharing_address,
)
from fees.services import municipal_fee_rates_upsert, national_fee_rates_upsert
from oas.errors import ValidationError
from oas.organisation.models import Municipality
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def test_seed_fee_rates_loads_national_rates_from_2024_and_is_idempotent(seeded_rates: None) -> None:
    call_command("seed_fee_rates", stdout=io.StringIO())
    assert NationalFeeRates.objects.count() == 3
    first = NationalFeeRates.objects.get(valid_from=dt.date(2024, 8, 1))
    assert first.max_price == Decimal("2000.00")
    assert first.reduced_fee_income_limit == Decimal("366667.00")
    assert first.core_hours_income_limit == Decimal("642700.00")
    assert first.verified is True
    assert "stord.kommune.no" in first.sources
    later = NationalFeeRates.objects.exclude(pk=first.pk)
    assert all(not r.verified and "IKKE BEKREFTET" in r.sources for r in later)
    assert MunicipalFeeRates.objects.filter(municipality__number="3030", is_demo=True).count() == 3
    assert SfoPlaceTypeRate.objects.count() == 9


def test_seed_fee_rates_only_verified_skips_unconfirmed_periods(db: None) -> None:
    call_command("seed_fee_rates", "--only-verified", stdout=io.StringIO())
    assert list(NationalFeeRates.objects.values_list("label", flat=True)) == ["2024/25"]
    assert MunicipalFeeRates.objects.count() == 1


def test_rates_on_a_date_come_back_as_engine_dataclasses(seeded_rates: None, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(3):
        rates = fee_rates_on(municipality_number="3030", on=dt.date(2024, 11, 1))
    assert rates.national.label == "2024/25"
    assert rates.municipal.label == "2024/25"
    assert [p.code for p in rates.municipal.sfo_place_types] == ["full", "part", "hours"]
    assert rates.verified is False  # Lillestrøm's prices are demo values


def test_missing_national_rate_names_the_rate_and_the_date(seeded_rates: None) -> None:
    with pytest.raises(MissingRate) as caught:
        fee_rates_on(municipality_number="3030", on=dt.date(2023, 1, 1))
    assert "nasjonal maksimalpris" in caught.value.message
    assert "2023-01-01" in caught.value.message
    assert caught.value.code == "missing_rate"


def test_missing_municipal_rate_names_the_municipality(seeded_rates: None) -> None:
    with pytest.raises(MissingRate) as caught:
        fee_rates_on(municipality_number="0301", on=dt.date(2024, 11, 1))
    assert "kommune 0301" in caught.value.message


def test_municipal_price_above_the_maksimalpris_is_refused_and_nothing_is_written(seeded_rates: None) -> None:
    municipality = Municipality.objects.get(number="3030")
    too_high = dataclasses.replace(LILLESTROM_DEMO_RATES[0], kindergarten_full_time_price=Decimal("2500.00"))
    before = MunicipalFeeRates.objects.count()
    with pytest.raises(ValidationError) as caught:
        municipal_fee_rates_upsert(municipality=municipality, rates=too_high)
    assert "kindergarten_full_time_price" in caught.value.fields
    assert MunicipalFeeRates.objects.count() == before


def test_municipal_child_3_discount_below_the_national_minimum_is_refused(seeded_rates: None) -> None:
    municipality = Municipality.objects.get(number="3030")
    low = dataclasses.replace(LILLESTROM_DEMO_RATES[0], kindergarten_sibling_discount_child3_plus=Decimal(50))
    with pytest.raises(ValidationError) as caught:
        municipal_fee_rates_upsert(municipality=municipality, rates=low)
    assert "kindergarten_sibling_discount_child3_plus" in caught.value.fields


def test_a_period_ending_before_it_starts_is_a_field_error(seeded_rates: None) -> None:
    inverted = dataclasses.replace(NATIONAL_RATES[0], valid_from=dt.date(2030, 8, 1), valid_to=dt.date(2030, 7, 31))
    with pytest.raises(ValidationError) as caught:
        national_fee_rates_upsert(rates=inverted)
    assert "valid_to" in caught.value.fields


def test_national_periods_cannot_overlap(seeded_rates: None) -> None:
    overlapping = dataclasses.replace(NATIONAL_RATES[0], valid_from=dt.date(2025, 1, 1), label="overlapp")
    with pytest.raises((ValidationError, IntegrityError)), transaction.atomic():
        national_fee_rates_upsert(rates=overlapping)


def test_municipal_kindergarten_sibling_discount_below_30_percent_is_refused(seeded_rates: None) -> None:
    row = MunicipalFeeRates.objects.first()
    assert row is not None
    row.kindergarten_sibling_discount_child2 = Decimal(20)
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save(update_fields=["kindergarten_sibling_discount_child2"])


def test_siblings_are_found_by_registered_address(db: None) -> None:
    first = ChildFactory.create(street_address="Storgata 1", unit_number="H0101", postal_code="2000")
    sibling = ChildFactory.create(street_address="STORGATA 1", unit_number="h0101", postal_code="2000")
    neighbour = ChildFactory.create(street_address="Storgata 1", unit_number="H0102", postal_code="2000")  # next door
    assert household_address_key(first) == household_address_key(sibling) != household_address_key(neighbour)
    assert list(persons_sharing_address(person=first)) == [sibling]
    with_id = ChildFactory.create(address_id="12345")
    other = ChildFactory.create(address_id="12345")
    assert list(persons_sharing_address(person=with_id)) == [other]
    assert household_address_key(with_id) == "id:12345|"
    upstairs = ChildFactory.create(address_id="12345", unit_number="H0201")
    assert household_address_key(upstairs) != household_address_key(with_id)  # the flat counts
    assert upstairs not in persons_sharing_address(person=with_id)


def test_full_clean_of_one_municipalitys_rates_ignores_other_municipalities(demo_municipality: object) -> None:
    """The overlap constraint compares the municipality with ``=``: Django can check it for one row."""
    call_command("seed_fee_rates", stdout=io.StringIO())
    lillestrom = MunicipalFeeRates.objects.filter(municipality__number="3030").order_by("valid_from").first()
    assert lillestrom is not None
    other = Municipality.objects.exclude(number="3030").order_by("number").first()
    assert other is not None
    rates = MunicipalFeeRates(
        municipality=other,
        label=lillestrom.label,
        valid_from=lillestrom.valid_from,
        valid_to=lillestrom.valid_to,
        kindergarten_full_time_price=Decimal(1800),
    )
    rates.full_clean()  # same period as Lillestrøm's: not refused
    rates.save()
    again = MunicipalFeeRates(
        municipality=other,
        label="overlapp",
        valid_from=lillestrom.valid_from,
        kindergarten_full_time_price=Decimal(1800),
    )
    with pytest.raises(DjangoValidationError):
        again.full_clean()  # but the same municipality's own overlapping period is
