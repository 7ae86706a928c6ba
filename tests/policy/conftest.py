"""Fixtures for the relation policy tests: the demo municipality plus the scenario of issue 13."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.policy.scenario import Scenario, build_scenario


@pytest.fixture
def scenario(frozen_today: dt.date, demo_municipality: Any) -> Scenario:
    return build_scenario(demo_municipality)
