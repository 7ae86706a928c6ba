"""The seed table of the demo municipality: which units exist, how big they are, and the two sizes.

Lillestrøm (3030) was formed on 2020-01-01 from Skedsmo (0231), Sørum (0226) and Fet (0227); every unit
remembers its former municipality (``OrgUnit.former_municipality``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

MERGER_DATE = dt.date(2020, 1, 1)
LILLESTROM = ("3030", "Lillestrøm")
# Former municipalities: (number, name, founded). Their history is data, not code.
FORMER = [
    ("0231", "Skedsmo", dt.date(1838, 1, 1)),
    ("0226", "Sørum", dt.date(1838, 1, 1)),
    ("0227", "Fet", dt.date(1838, 1, 1)),
]


class SchoolLevel(StrEnum):
    BARNE = "barne"  # 1–7, gets an SFO
    UNGDOM = "ungdom"  # 8–10
    KOMBINERT = "kombinert"  # 1–10, gets an SFO
    SPECIAL = "special"  # spesialskole 1–10
    PRIVATE = "private"  # privat skole 1–10


GRADES: dict[SchoolLevel, tuple[int, int]] = {
    SchoolLevel.BARNE: (1, 7),
    SchoolLevel.UNGDOM: (8, 10),
    SchoolLevel.KOMBINERT: (1, 10),
    SchoolLevel.SPECIAL: (1, 10),
    SchoolLevel.PRIVATE: (1, 10),
}
# Relative pupils per grade: lower secondary schools gather several primary schools' pupils.
GRADE_WEIGHT: dict[SchoolLevel, float] = {
    SchoolLevel.BARNE: 1.0,
    SchoolLevel.UNGDOM: 2.3,
    SchoolLevel.KOMBINERT: 1.0,
    SchoolLevel.SPECIAL: 0.12,
    SchoolLevel.PRIVATE: 0.35,
}


@dataclass(frozen=True)
class SeedSize:
    name: str
    # per former municipality number: school levels in code order (the first is "Demo skole")
    schools: dict[str, list[SchoolLevel]]
    # per former municipality number: (municipal, private) kindergartens
    kindergartens: dict[str, tuple[int, int]]
    pupils: int
    kindergarten_children: int
    sfo_children: int
    employees: int
    sector_office_staff: dict[str, int]
    class_size: int = 26


B, U, K = SchoolLevel.BARNE, SchoolLevel.UNGDOM, SchoolLevel.KOMBINERT

FULL = SeedSize(
    name="full",
    schools={
        # Skedsmo: 19 schools, 1 special school, 1 private school
        "0231": [B] * 13 + [U] * 5 + [K] + [SchoolLevel.SPECIAL, SchoolLevel.PRIVATE],
        # Sørum: 7 schools, 1 special school
        "0226": [B] * 4 + [U] * 2 + [K] + [SchoolLevel.SPECIAL],
        # Fet: 5 schools
        "0227": [B] * 2 + [K] + [U] * 2,
    },
    # 28 municipal and 45 private kindergartens
    kindergartens={"0231": (16, 26), "0226": (7, 11), "0227": (5, 8)},
    pupils=10_000,
    kindergarten_children=4_500,
    sfo_children=3_000,
    employees=2_500,
    sector_office_staff={"KOMMUNALSJEF": 1, "RADGIVER": 14, "OPPTAK": 4, "FAKTURA": 5, "RAPPORT": 2, "SYSADM": 3},
)

SMALL = SeedSize(
    name="small",
    schools={"0231": [B], "0226": [B], "0227": [U]},
    kindergartens={"0231": (1, 0), "0226": (1, 0), "0227": (0, 1)},
    pupils=60,
    kindergarten_children=30,
    sfo_children=16,
    employees=45,
    sector_office_staff={},
    class_size=30,
)

SIZES = {"full": FULL, "small": SMALL}

# Place names for unit names (the first school and kindergarten are "Demo skole" / "Demo barnehage").
PLACE_NAMES: dict[str, list[str]] = {
    "0231": [
        "Asak",
        "Bråtejordet",
        "Djupvold",
        "Hvam",
        "Kjeller",
        "Leiret",
        "Sagdalen",
        "Skjetten",
        "Stalsberg",
        "Tærud",
        "Vigernes",
        "Volla",
        "Åsenhagen",
        "Strømmen",
        "Nesa",
        "Kjellervolla",
        "Skedsmokorset",
        "Lahaugmoen",
        "Holt",
        "Sten",
        "Rud",
        "Berger",
        "Fjellhamar",
        "Nittedalsgata",
        "Lillestrøm",
        "Gjellerås",
        "Hammeren",
        "Bjørnholt",
        "Sophie Rud",
        "Tuen",
        "Vestby",
        "Åråsen",
        "Kirkeby",
        "Tveiter",
        "Løvenstad",
        "Solbakken",
        "Hellerud",
        "Furuholtet",
        "Lundeby",
        "Myrvoll",
        "Elvebredden",
        "Sandbekken",
    ],
    "0226": [
        "Sørumsand",
        "Frogner",
        "Bingsfoss",
        "Blaker",
        "Lundskogen",
        "Sørum",
        "Mork",
        "Rånåsfoss",
        "Melby",
        "Haga",
        "Svarstad",
        "Lunde",
        "Fjuk",
        "Vestvollen",
        "Bingen",
        "Hammerbekk",
        "Stensby",
        "Ask",
    ],
    "0227": [
        "Fetsund",
        "Dalen",
        "Gan",
        "Hovinmoen",
        "Riddersand",
        "Svellet",
        "Kringler",
        "Vestvold",
        "Østersund",
        "Jahren",
        "Ramstad",
        "Enebakkneset",
        "Fetsundtoppen",
    ],
}

# Postal codes by former municipality (synthetic addresses, real postal areas).
POSTAL: dict[str, list[tuple[str, str]]] = {
    "0231": [
        ("2000", "LILLESTRØM"),
        ("2004", "LILLESTRØM"),
        ("2007", "KJELLER"),
        ("2010", "STRØMMEN"),
        ("2013", "SKJETTEN"),
        ("2020", "SKEDSMOKORSET"),
    ],
    "0226": [("1920", "SØRUMSAND"), ("1923", "SØRUM"), ("2016", "FROGNER"), ("1925", "BLAKER")],
    "0227": [("1900", "FETSUND"), ("1910", "ENEBAKKNESET")],
}
