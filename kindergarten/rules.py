"""Pure admission rules of barnehageloven (no database): the § 16 right to a place, age groups, school start."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

AUGUST = 8


@dataclass(frozen=True)
class RightToPlace:
    """Whether a child has a statutory right to a place in a round, and from when (barnehageloven § 16)."""

    has_right: bool
    from_date: dt.date | None
    reason: str


def right_to_place(
    *,
    birth_date: dt.date,
    applied_on: dt.date,
    deadline: dt.date,
    admission_year: int,
    lives_in_municipality: bool = True,
) -> RightToPlace:
    """Compute the § 16 right to a place for a child applying in ``admission_year``'s main admission.

    A child who turns one by the end of August of the admission year has a right from August; one who turns one
    in September, October or November has a right by the end of the birth month. December children get their
    right the next August. The application must reach the municipality by its deadline, and the right is in
    the municipality where the child lives.
    """
    first_birthday_year = birth_date.year + 1
    if not lives_in_municipality:
        return RightToPlace(False, None, _("Barnet bor ikke i kommunen."))
    if first_birthday_year < admission_year or (first_birthday_year == admission_year and birth_date.month <= AUGUST):
        from_date: dt.date | None = dt.date(admission_year, AUGUST, 1)
    elif first_birthday_year == admission_year and birth_date.month in (9, 10, 11):
        last_day = calendar.monthrange(admission_year, birth_date.month)[1]
        from_date = dt.date(admission_year, birth_date.month, last_day)
    else:
        next_august = dt.date(first_birthday_year + (1 if birth_date.month == 12 else 0), AUGUST, 1)
        return RightToPlace(
            False,
            next_august,
            _("Barnet får rett til plass fra %(date)s.") % {"date": next_august.strftime("%d.%m.%Y")},
        )
    if applied_on > deadline:
        return RightToPlace(False, None, _("Søknaden kom etter søknadsfristen for hovedopptaket."))
    return RightToPlace(
        True, from_date, _("Barnet har rett til plass fra %(date)s.") % {"date": f"{from_date:%d.%m.%Y}"}
    )


def school_start(*, birth_date: dt.date) -> dt.date:
    """Return the first day of school: 1 August of the year the child turns six (opplæringslova § 2-1).

    A kindergarten place ends before it; a deferred school start (utsatt skolestart) is a municipal decision this
    rule does not know about.
    """
    return dt.date(birth_date.year + 6, AUGUST, 1)


def is_school_age(*, birth_date: dt.date, on: dt.date) -> bool:
    """Return whether the child has started school by ``on`` (from 1 August of the year it turns six)."""
    return on >= school_start(birth_date=birth_date)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Return the age in whole years on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def counts_as_under_3(*, birth_date: dt.date, on: dt.date) -> bool:
    """Return whether a child counts as under three on ``on``: until 31 July of the year it turns three.

    Barnehageloven § 26 with forskrift om pedagogisk bemanning (and the tilskudd and area rules): a child counts
    as three from and including August of the year it turns three, not from its birthday.
    """
    return on < dt.date(birth_date.year + 3, AUGUST, 1)


def age_group(*, birth_date: dt.date, on: dt.date) -> str:
    """Return the age group ("0-2" or "3-5") of a child on ``on``; admission and occupancy both use it."""
    return "0-2" if counts_as_under_3(birth_date=birth_date, on=on) else "3-5"
