"""Fødselsnummer / D-nummer validation (Skatteetaten's rules, incl. the 2032 rule and synthetic numbers).

* 11 digits ``d1d2 m1m2 å1å2 i1i2i3 k1 k2``.
* k1: ``(Σ w1·d[0..8] + k1) mod 11`` must be 0 — or 1, 2, 3 for numbers issued from 2032 ("2032-regelen").
  k2: ``(Σ w2·d[0..9] + k2) mod 11 == 0``.
* D-nummer: day + 40. Synthetic test numbers (Tenor / Testnorge): month + 80.
* The birth date must exist (the century follows from the individual number, classic rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


class IdType(StrEnum):
    FOEDSELSNUMMER = "foedselsnummer"
    D_NUMMER = "dNummer"


@dataclass(frozen=True)
class NationalId:
    value: str
    id_type: IdType
    birth_date: dt.date
    synthetic: bool


class InvalidNationalId(ValueError):
    """Carries ``rule`` (a stable code) and a Norwegian message naming the rule that failed."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message


def _century(year2: int, individual: int) -> int | None:
    if individual <= 499:
        return 1900
    if individual <= 749 and year2 >= 54:
        return 1800
    if individual >= 500 and year2 <= 39:
        return 2000
    if individual >= 900 and year2 >= 40:
        return 1900
    return None


def parse_national_id(raw: str) -> NationalId:
    """Validate ``raw`` and return what it encodes; raise InvalidNationalId naming the failed rule."""
    value = (raw or "").strip().replace(" ", "")
    if not value.isdigit():
        raise InvalidNationalId("digits", _("Fødselsnummeret kan bare inneholde sifre."))
    if len(value) != 11:
        raise InvalidNationalId("length", _("Fødselsnummeret må ha 11 sifre (fikk %(count)s).") % {"count": len(value)})
    digits = [int(c) for c in value]
    remainder1 = (sum(w * d for w, d in zip(W1, digits[:9], strict=True)) + digits[9]) % 11
    if remainder1 not in (0, 1, 2, 3):
        raise InvalidNationalId("check_digit_1", _("Første kontrollsiffer (k1) stemmer ikke (mod 11)."))
    remainder2 = (sum(w * d for w, d in zip(W2, digits[:10], strict=True)) + digits[10]) % 11
    if remainder2 != 0:
        raise InvalidNationalId("check_digit_2", _("Andre kontrollsiffer (k2) stemmer ikke (mod 11)."))

    day = int(value[0:2])
    month = int(value[2:4])
    year2 = int(value[4:6])
    individual = int(value[6:9])
    id_type = IdType.FOEDSELSNUMMER
    if day > 40:
        id_type = IdType.D_NUMMER
        day -= 40
    synthetic = False
    if month > 80:
        synthetic = True
        month -= 80
    elif month > 40:  # H-nummer / older test ranges use month + 40
        month -= 40
    century = _century(year2, individual)
    if century is None:
        raise InvalidNationalId("century", _("Individnummeret passer ikke med fødselsåret."))
    try:
        birth_date = dt.date(century + year2, month, day)
    except ValueError:
        raise InvalidNationalId(
            "date",
            _("Fødselsnummeret inneholder en dato som ikke finnes (%(date)s).")
            % {"date": f"{value[0:2]}.{value[2:4]}.{value[4:6]}"},
        ) from None
    return NationalId(value=value, id_type=id_type, birth_date=birth_date, synthetic=synthetic)


def is_valid_national_id(raw: str) -> bool:
    try:
        parse_national_id(raw)
    except InvalidNationalId:
        return False
    return True


def make_national_id(
    birth_date: dt.date, individual: int, *, synthetic: bool = True, d_number: bool = False
) -> str | None:
    """Build a valid number (classic k1 remainder 0) for ``birth_date``; None if ``individual`` gives none.

    Used by the demo seed and the Folkeregisteret simulator: synthetic numbers only (month + 80).
    """
    day = birth_date.day + (40 if d_number else 0)
    month = birth_date.month + (80 if synthetic else 0)
    base = f"{day:02d}{month:02d}{birth_date.year % 100:02d}{individual:03d}"
    digits = [int(c) for c in base]
    k1 = (11 - sum(w * d for w, d in zip(W1, digits, strict=True)) % 11) % 11
    if k1 == 10:
        return None
    digits.append(k1)
    k2 = (11 - sum(w * d for w, d in zip(W2, digits, strict=True)) % 11) % 11
    if k2 == 10:
        return None
    return base + str(k1) + str(k2)


def individual_range(year: int) -> range:
    """Individual numbers that give ``year`` under the classic century rule."""
    if 1900 <= year <= 1999:
        return range(500)
    if 2000 <= year <= 2039:
        return range(500, 1000)
    raise ValueError(f"no individual range for {year}")
