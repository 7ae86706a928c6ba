from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from oas import clock


@pytest.fixture
def application_day() -> Iterator[dt.date]:
    """Freeze the clock before the main admission's deadline (1 March 2027)."""
    day = dt.date(2027, 2, 1)
    with clock.freeze(day):
        yield day
