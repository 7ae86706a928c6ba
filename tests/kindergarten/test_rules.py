"""Barnehageloven § 16: the right to a place is computed from the birth date and the application date."""

from __future__ import annotations

import datetime as dt

from kindergarten.rules import RightToPlace, age_group, right_to_place

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


def test_the_age_group_is_taken_on_the_start_date() -> None:
    assert age_group(birth_date=dt.date(2024, 8, 2), on=dt.date(2027, 8, 1)) == "0-2"
    assert age_group(birth_date=dt.date(2024, 8, 1), on=dt.date(2027, 8, 1)) == "3-5"
