"""make up seeds Demo skole's timetable after the school data; the command is idempotent."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from devtools.seed.after import AFTER_SEED_COMMANDS
from tests.timetable.conftest import TimetableDemo
from timetable.models import TimetableVersion

pytestmark = pytest.mark.django_db


def test_devstack_seeds_the_timetable_after_the_school() -> None:
    source = (Path(__file__).parents[2] / "devtools/management/commands/devstack.py").read_text()
    assert "demo_after_seed_run()" in source
    assert AFTER_SEED_COMMANDS.index("seed_school_demo") < AFTER_SEED_COMMANDS.index("seed_timetable_demo")


def test_the_seed_command_leaves_a_published_timetable_alone(tt_demo: TimetableDemo) -> None:
    lessons = sorted(tt_demo.version.lessons.values_list("requirement_id", "day", "position"))
    out = io.StringIO()
    call_command("seed_timetable_demo", stdout=out)
    assert "Demo skole: Timeplan" in out.getvalue() and "Publisert" in out.getvalue()
    assert TimetableVersion.objects.filter(school=tt_demo.demo.school).count() == 1
    assert sorted(tt_demo.version.lessons.values_list("requirement_id", "day", "position")) == lessons
