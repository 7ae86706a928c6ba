"""Demo skole with its generated, published timetable (built from seed_school_demo's groups and teachers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from tests.school.conftest import SchoolDemo, login, persona_user, school_demo  # noqa: F401 - fixture
from timetable.demo import demo_timetable_publish
from timetable.models import TimetableVersion


@dataclass
class TimetableDemo:
    demo: SchoolDemo
    version: TimetableVersion


@pytest.fixture
def tt_demo(school_demo: SchoolDemo, frozen_today: dt.date) -> TimetableDemo:  # noqa: F811 - the imported fixture
    version = demo_timetable_publish(school=school_demo.school, day=frozen_today, seconds=30, feasible_only=True)
    assert version.status == "published", [(r.status, r.message) for r in version.runs.all()]
    return TimetableDemo(demo=school_demo, version=version)


__all__ = ["TimetableDemo", "login", "persona_user"]
