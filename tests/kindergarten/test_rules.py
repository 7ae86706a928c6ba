"""Barnehageloven § 16: the right to a place is computed from the birth date and the application date."""

from __future__ import annotations

import datetime as dt

import pytest

from kindergarten.rules import RightToPlace, age_group, counts_as_under_3, is_school_age, right_to_place

DEADLINE = dt.date(2027, 3, 1)


def right(birth: dt.date, applied: dt.date = dt.date(2027, 2, 1), **kw: bool) -> RightToPlace:
    return right_to_place(birth_date=birth, applied_on=applied, deadline=DEADLINE, admission_year=2027, **kw)


def test_a_child_turning_one_by_the_end_of_august_has_a_right_from_august() -> None:
    r = right(dt.date(2026, 8, 31))
    assert r.has_right and r.from_date == dt.date(2027, 8, 1)


def test_an_older_child_also_has_a_right_from_august() -> None:
    assert right(dt.date(2024, 5, 3)).from_date == dt.date(2027, 8, 1)


def test_a_child_turning_one_in_september_to_november_has_a_right_by_the_end_of_the_birth_month() -> None:
    assert right(dt.date(2026, 9, 10)).from_date == dt.date(2027, 9, 30)
    assert right(dt.date(2026, 11, 2)).from_date == dt.date(2027, 11, 30)


def test_a_child_born_in_december_gets_the_right_next_august() -> None:
    r = right(dt.date(2026, 12, 1))
    assert not r.has_right and r.from_date == dt.date(2028, 8, 1)


def test_applying_after_the_deadline_gives_no_right_in_the_main_admission() -> None:
    assert not right(dt.date(2026, 3, 1), applied=dt.date(2027, 3, 2)).has_right


def test_a_child_living_in_another_municipality_has_no_right_here() -> None:
    assert not right(dt.date(2025, 3, 1), lives_in_municipality=False).has_right


@pytest.mark.parametrize(
    ("birth_date", "on", "group"),
    [
        # Born 2 August 2024: only two on 1 August 2027, but counts as three from August of the year it turns three.
        (dt.date(2024, 8, 2), dt.date(2027, 8, 1), "3-5"),
        (dt.date(2024, 12, 31), dt.date(2027, 8, 1), "3-5"),
        (dt.date(2024, 12, 31), dt.date(2027, 7, 31), "0-2"),
        # Turned three on 1 July 2027, but is still counted as under three until 31 July.
        (dt.date(2024, 7, 1), dt.date(2027, 7, 15), "0-2"),
        (dt.date(2024, 1, 1), dt.date(2027, 7, 31), "0-2"),
        (dt.date(2024, 1, 1), dt.date(2027, 8, 1), "3-5"),
        (dt.date(2025, 1, 1), dt.date(2027, 8, 1), "0-2"),
    ],
)
def test_the_age_group_follows_barnehageloven_26_from_august_of_the_year_the_child_turns_three(
    birth_date: dt.date, on: dt.date, group: str
) -> None:
    assert age_group(birth_date=birth_date, on=on) == group
    assert counts_as_under_3(birth_date=birth_date, on=on) == (group == "0-2")


@pytest.mark.parametrize(
    ("birth_date", "on", "school_age"),
    [
        (dt.date(2021, 12, 31), dt.date(2027, 7, 31), False),
        (dt.date(2021, 12, 31), dt.date(2027, 8, 1), True),
        (dt.date(2022, 1, 1), dt.date(2027, 8, 1), False),
    ],
)
def test_school_starts_in_august_of_the_year_the_child_turns_six(
    birth_date: dt.date, on: dt.date, school_age: bool
) -> None:
    assert is_school_age(birth_date=birth_date, on=on) is school_age
