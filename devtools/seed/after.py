"""What ``make up`` loads after the demo municipality: one list, used by devstack and the journey suite."""

from __future__ import annotations

import io
from typing import TextIO

from django.core.management import call_command

# In order: each step reads what the ones before it made.
AFTER_SEED_COMMANDS: tuple[str, ...] = (
    # The units' own closing days (planning days, Christmas, summer) live in attendance.
    "seed_closing_days",
    # National fee rates and the demo's municipal prices: the price calculator and invoicing work at once
    # (unconfirmed national figures stay marked as such).
    "seed_fee_rates",
    # Open admission rounds: a continuous kindergarten round and next year's SFO round.
    "seed_admission_rounds",
    "seed_sfo_rounds",
    # Every school: school year and terms, subjects, teaching groups, teachers, some attendance.
    "seed_school_demo",
    # Demo skole's timetable: built from those groups, generated and published.
    "seed_timetable_demo",
    # Grades, written assessments and remarks for the demo school's pupils (assessment).
    "seed_assessment_demo",
)


def demo_after_seed_run(*, stdout: TextIO | None = None) -> None:
    """Run every command of ``AFTER_SEED_COMMANDS`` in order (each is idempotent)."""
    for command in AFTER_SEED_COMMANDS:
        call_command(command, verbosity=0, stdout=stdout or io.StringIO())
