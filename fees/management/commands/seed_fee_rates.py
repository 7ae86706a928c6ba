"""Load the national fee rates from barnehageåret 2024/25 and Lillestrøm's demo prices (idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from fees.rates_data import LILLESTROM_DEMO_RATES, LILLESTROM_NAME, LILLESTROM_NUMBER, NATIONAL_RATES
from fees.services import municipal_fee_rates_upsert, national_fee_rates_upsert
from oas.organisation.models import Municipality


class Command(BaseCommand):
    help = "Load national fee rates (2024/25 onwards) and demo SFO/kindergarten prices for Lillestrøm."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--only-verified",
            action="store_true",
            help="Skip periods whose national rates are not confirmed against a source (see fees/rates_data.py).",
        )
        parser.add_argument("--no-demo", action="store_true", help="Do not load Lillestrøm's demo prices.")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        periods = [r for r in NATIONAL_RATES if r.verified or not options["only_verified"]]
        for rates in periods:
            national_fee_rates_upsert(rates=rates)
            flag = "" if rates.verified else " (IKKE BEKREFTET – kontroller i admin)"
            self.stdout.write(f"Nasjonale satser {rates.label}: maksimalpris {rates.max_price}{flag}")
        if options["no_demo"]:
            return
        municipality = Municipality.objects.filter(number=LILLESTROM_NUMBER, valid_to__isnull=True).first()
        if municipality is None:
            municipality = Municipality.objects.create(
                number=LILLESTROM_NUMBER, name=LILLESTROM_NAME, valid_from=dt.date(2020, 1, 1)
            )
        labels = {r.label for r in periods}
        for municipal in LILLESTROM_DEMO_RATES:
            if municipal.label in labels:
                municipal_fee_rates_upsert(municipality=municipality, rates=municipal)
                self.stdout.write(f"Kommunale satser {municipality.name} {municipal.label} (DEMOVERDIER)")
