"""What `make up` adds after seeding, so every journey works at once: fee rates and open admission rounds."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from fees.models import MunicipalFeeRates, NationalFeeRates
from kindergarten.models import AdmissionRound, RoundKind, RoundState
from sfo.models import SfoCapacity, SfoRound, SfoRoundState

pytestmark = pytest.mark.django_db


def _after_seed() -> None:
    for command in ("seed_fee_rates", "seed_admission_rounds", "seed_sfo_rounds"):
        call_command(command, stdout=io.StringIO())


def test_make_up_loads_rates_and_opens_rounds_once(demo_municipality: Any) -> None:
    _after_seed()
    _after_seed()  # make up on an existing database: nothing twice
    assert NationalFeeRates.objects.exists()
    assert MunicipalFeeRates.objects.filter(municipality__number="3030").exists()
    continuous = AdmissionRound.objects.filter(municipality=demo_municipality, kind=RoundKind.CONTINUOUS)
    assert continuous.count() == 1
    assert continuous.get().state == RoundState.OPEN
    sfo_round = SfoRound.objects.get(municipality=demo_municipality)
    assert sfo_round.state == SfoRoundState.OPEN
    assert SfoCapacity.objects.filter(round=sfo_round).count() >= 1


def test_devstack_runs_the_demo_commands_after_seeding() -> None:
    from pathlib import Path

    from devtools.seed.after import AFTER_SEED_COMMANDS

    source = (Path(__file__).parents[2] / "devtools/management/commands/devstack.py").read_text()
    assert "demo_after_seed_run()" in source  # the same list the journey suite seeds with
    for command in (
        "seed_fee_rates",
        "seed_admission_rounds",
        "seed_sfo_rounds",
        "seed_closing_days",
        "seed_school_demo",
        "seed_timetable_demo",
        "seed_assessment_demo",
    ):
        assert command in AFTER_SEED_COMMANDS
