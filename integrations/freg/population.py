"""Synthetic population and event stream for the FREG simulator (synthetic numbers: month + 80).

Households in one municipality with children 0–16 and their adults: felles or sole foreldreansvar,
separated parents with delt bosted, a guardian who is not a parent, a strengt fortrolig child (no
bostedsadresse, only the open postadresse), fortrolig households, a deceased parent, D-nummer adults.
Events mutate the documents the way FREG does (old element ``erGjeldende: false``, new one appended)
and append entries to the feed.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from faker import Faker

from oas.people.national_id import individual_range, make_national_id

POSTAL_PLACES = [
    ("2000", "LILLESTRØM"),
    ("2004", "LILLESTRØM"),
    ("2007", "KJELLER"),
    ("2010", "STRØMMEN"),
    ("2013", "SKJETTEN"),
    ("2016", "FROGNER"),
    ("2019", "SKEDSMOKORSET"),
    ("1900", "FETSUND"),
    ("1920", "SØRUMSAND"),
    ("1925", "BLAKER"),
]
SKOLEKRETSER = list(range(1, 32))  # 31 schools
OTHER_MUNICIPALITIES = ["0301", "3201", "3207", "3222", "3232"]
KNOWN_EVENT_TYPES = (
    "endringIBostedsadresse",
    "endringIBostedsadresseUtenFlytting",
    "endringIForeldreansvar",
    "endringIAdressebeskyttelse",
    "personErUtflyttet",
    "personErDoed",
    "endringINavn",
)
UNKNOWN_EVENT_TYPE = "endringIHaarfarge"  # not in the spec's enum: consumers must skip it
PERSON_BASIS = (
    "identifikasjonsnummer",
    "identitetsgrunnlag",
    "status",
    "doedsfall",
    "sivilstand",
    "foedsel",
    "statsborgerskap",
    "kjoenn",
    "navn",
    "bostedsadresse",
    "oppholdsadresse",
    "deltBosted",
    "postadresse",
    "postadresseIUtlandet",
    "adressebeskyttelse",
    "kontaktinformasjonForDoedsbo",
)
RELASJON_UTVIDET = ("familierelasjon", "foreldreansvar", "vergemaalEllerFremtidsfullmakt")
PRIVATE_KOMMUNE = "_bostedskommune"
KRIPOS_POSTADRESSE = {
    "postboksadresse": {
        "postboks": "2094",
        "postbokseier": "SOS-tjenesten",
        "poststed": {"postnummer": "0125", "poststedsnavn": "OSLO"},
    }
}


def _ts(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class FregState:
    """What the simulator holds: person documents, the feed and event documents."""

    documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    feed: list[dict[str, Any]] = field(default_factory=list)
    event_documents: dict[str, dict[str, Any]] = field(default_factory=dict)
    children: list[str] = field(default_factory=list)
    adults: list[str] = field(default_factory=list)
    outsiders: list[str] = field(default_factory=list)  # persons living elsewhere (not in the municipality's extract)


class PopulationGenerator:
    """Deterministic for a given seed."""

    def __init__(self, *, seed: int = 3030, municipality: str = "3030", today: dt.date | None = None):
        self.rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not security
        self.fake = Faker("no_NO")
        self.fake.seed_instance(seed)
        self.municipality = municipality
        self.today = today or dt.date(2026, 11, 19)
        self.now = dt.datetime.combine(self.today, dt.time(8, 0), tzinfo=dt.UTC)
        self._used: set[str] = set()
        self._address_seq = 0

    # --- numbers and elements -------------------------------------------------------------------
    def national_id(self, birth_date: dt.date, *, d_number: bool = False) -> str:
        allowed = individual_range(birth_date.year)
        start = self.rng.randrange(len(allowed))
        for offset in range(len(allowed)):
            individual = allowed.start + (start + offset) % len(allowed)
            value = make_national_id(birth_date, individual, synthetic=True, d_number=d_number)
            if value and value not in self._used:
                self._used.add(value)
                return value
        raise RuntimeError(f"no free synthetic number for {birth_date}")

    def meta(self, when: dt.datetime | None = None) -> dict[str, Any]:
        moment = _ts(when or self.now - dt.timedelta(days=self.rng.randrange(30, 3000)))
        return {
            "erGjeldende": True,
            "ajourholdstidspunkt": moment,
            "gyldighetstidspunkt": moment,
            "kilde": "skatteetaten",
        }

    def address(self, *, municipality: str | None = None, skolekrets: int | None = None) -> dict[str, Any]:
        self._address_seq += 1
        postal_code, place = self.rng.choice(POSTAL_PLACES)
        kommune = municipality or self.municipality
        return {
            "vegadresse": {
                "kommunenummer": kommune,
                "adressenavn": self.fake.street_name(),
                "adressenummer": {"husnummer": str(self.rng.randint(1, 120))},
                "adressekode": str(self.rng.randint(1000, 9999)),
                "bruksenhetsnummer": self.rng.choice(["H0101", "H0201", "H0102", ""]) or None,
                "poststed": {"postnummer": postal_code, "poststedsnavn": place},
            },
            "grunnkrets": int(f"{kommune}{self.rng.randint(101, 1999):04d}"),
            "skolekrets": (skolekrets or self.rng.choice(SKOLEKRETSER)) if kommune == self.municipality else None,
            "adresseIdentifikatorFraMatrikkelen": f"{kommune}-{self._address_seq:08d}",
        }

    def bosted(self, address: dict[str, Any], gradering: str = "ugradert") -> dict[str, Any]:
        element = {"adressegradering": gradering, **self.meta(), **_clean(address)}
        element["flyttedato"] = element["gyldighetstidspunkt"][:10]
        return element

    def person(
        self,
        *,
        birth_date: dt.date,
        sex: str,
        address: dict[str, Any] | None,
        last_name: str,
        d_number: bool = False,
        gradering: str = "ugradert",
    ) -> dict[str, Any]:
        nid = self.national_id(birth_date, d_number=d_number)
        first = self.fake.first_name_female() if sex == "kvinne" else self.fake.first_name_male()
        navn: dict[str, Any] = {"fornavn": first, "etternavn": last_name, **self.meta()}
        if self.rng.random() < 0.15:
            navn["mellomnavn"] = self.fake.last_name()
        doc: dict[str, Any] = {
            "identifikasjonsnummer": [
                {
                    "foedselsEllerDNummer": nid,
                    "identifikatortype": "dNummer" if d_number else "foedselsnummer",
                    "status": "iBruk",
                    **self.meta(),
                }
            ],
            "navn": [navn],
            "foedsel": [
                {
                    "foedselsaar": str(birth_date.year),
                    "foedselsdato": birth_date.isoformat(),
                    "foedeland": "NOR",
                    **self.meta(),
                }
            ],
            "kjoenn": [{"kjoenn": sex, **self.meta()}],
            "status": [{"status": "bosatt", **self.meta()}],
        }
        if gradering != "strengtFortrolig" and address is not None:
            doc["bostedsadresse"] = [self.bosted(address, gradering)]
        if gradering != "ugradert":
            doc["adressebeskyttelse"] = [{"graderingsnivaa": gradering, **self.meta()}]
        if gradering == "strengtFortrolig":
            doc["postadresse"] = [{"adressegradering": "ugradert", **self.meta(), **KRIPOS_POSTADRESSE}]
            # FREG knows where the person lives but never shares it; kept under a private key (never served)
            # so the extract by bostedskommune still finds them.
            doc[PRIVATE_KOMMUNE] = (address or {}).get("vegadresse", {}).get("kommunenummer", self.municipality)
        return doc

    def child_birth_date(self) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randrange(0, 16 * 365 + 360))

    def adult_birth_date(self) -> dt.date:
        return dt.date(self.rng.randint(1968, 2002), self.rng.randint(1, 12), self.rng.randint(1, 28))

    # --- households -----------------------------------------------------------------------------
    def generate(self, *, children: int, min_persons: int = 0) -> FregState:
        """Generate households until there are ``children`` children and ``min_persons`` children and adults."""
        state = FregState()
        specials = ["strengt", "fortrolig", "andre", "dead_parent", "d_number"]
        while len(state.children) < children or len(state.children) + len(state.adults) < min_persons:
            kind = specials.pop(0) if specials else self._household_kind()
            self._household(state, kind)
        # a few people elsewhere, so the feed also has events about persons the municipality does not know
        for _ in range(max(3, len(state.children) // 200)):
            doc = self.person(
                birth_date=self.adult_birth_date(),
                sex=self.rng.choice(["kvinne", "mann"]),
                address=self.address(municipality=self.rng.choice(OTHER_MUNICIPALITIES)),
                last_name=self.fake.last_name(),
            )
            state.documents[nid_of(doc)] = doc
            state.outsiders.append(nid_of(doc))
        return state

    def _household_kind(self) -> str:
        roll = self.rng.random()
        if roll < 0.68:
            return "together"
        if roll < 0.70:
            return "medmor"
        if roll < 0.86:
            return "separated"
        if roll < 0.96:
            return "single_mother"
        if roll < 0.98:
            return "andre"
        return "fortrolig"

    def _household(self, state: FregState, kind: str) -> None:
        gradering = {"strengt": "strengtFortrolig", "fortrolig": "fortrolig"}.get(kind, "ugradert")
        home = self.address()
        family_name = self.fake.last_name()
        mother = self.person(
            birth_date=self.adult_birth_date(), sex="kvinne", address=home, last_name=family_name, gradering=gradering
        )
        second_sex = "kvinne" if kind == "medmor" else "mann"
        second_role = "medmor" if kind == "medmor" else "far"
        apart = kind in ("separated", "single_mother")
        other_home = self.address() if apart else home
        second = self.person(
            birth_date=self.adult_birth_date(),
            sex=second_sex,
            address=other_home,
            last_name=family_name if not apart else self.fake.last_name(),
            d_number=kind == "d_number",
            gradering=gradering if not apart else "ugradert",
        )
        adults = [mother, second]
        guardian_other = None
        if kind == "andre":
            guardian_other = self.person(
                birth_date=dt.date(self.rng.randint(1950, 1965), 5, 5),
                sex="kvinne",
                address=home,
                last_name=family_name,
            )
            adults.append(guardian_other)
        if kind == "dead_parent":
            second["status"][0]["erGjeldende"] = False
            second["status"].append({"status": "doed", **self.meta()})
            second["doedsfall"] = {"doedsdato": (self.today - dt.timedelta(days=400)).isoformat(), **self.meta()}
        for _ in range(self.rng.choice([1, 1, 2, 2, 3])):
            child = self.person(
                birth_date=self.child_birth_date(),
                sex=self.rng.choice(["kvinne", "mann"]),
                address=home,
                last_name=family_name,
                gradering=gradering,
            )
            cid = nid_of(child)
            relations = [("mor", mother), (second_role, second)]
            child["familierelasjon"] = [
                {"relatertPerson": nid_of(p), "relatertPersonsRolle": role, "minRolleForPerson": "barn", **self.meta()}
                for role, p in relations
            ]
            for role, p in relations:
                p.setdefault("familierelasjon", []).append(
                    {"relatertPerson": cid, "relatertPersonsRolle": "barn", "minRolleForPerson": role, **self.meta()}
                )
            if kind == "single_mother":
                responsible = [("mor", mother)]
            elif kind == "andre":
                assert guardian_other is not None
                responsible = [("andre", guardian_other)]
            elif kind == "dead_parent":
                responsible = [("mor", mother)]
            else:
                responsible = [("felles", mother), ("felles", second)]
            child["foreldreansvar"] = [
                {"ansvar": ansvar, "ansvarlig": nid_of(p), "ansvarssubjekt": cid, **self.meta()}
                for ansvar, p in responsible
            ]
            if kind == "separated" and self.rng.random() < 0.4:
                child["deltBosted"] = [
                    {
                        "adressegradering": "ugradert",
                        "startdatoForKontrakt": (
                            self.today - dt.timedelta(days=self.rng.randrange(30, 900))
                        ).isoformat(),
                        **self.meta(),
                        **_clean(other_home),
                    }
                ]
            state.documents[cid] = child
            state.children.append(cid)
        for adult in adults:
            state.documents[nid_of(adult)] = adult
            state.adults.append(nid_of(adult))


def nid_of(doc: dict[str, Any]) -> str:
    return str(doc["identifikasjonsnummer"][0]["foedselsEllerDNummer"])


def _clean(address: dict[str, Any]) -> dict[str, Any]:
    """Drop None values (FREG leaves absent fields out rather than sending null)."""
    cleaned: dict[str, Any] = {}
    for key, value in address.items():
        if value is None:
            continue
        cleaned[key] = _clean(value) if isinstance(value, dict) else value
    return cleaned


def _supersede(doc: dict[str, Any], key: str, new: dict[str, Any] | None) -> None:
    """Mark the current element historical and append ``new`` (if any), the way FREG keeps history."""
    for element in doc.get(key) or []:
        if element.get("erGjeldende"):
            element["erGjeldende"] = False
            element["opphoerstidspunkt"] = new["gyldighetstidspunkt"] if new else element.get("gyldighetstidspunkt")
    if new is not None:
        doc.setdefault(key, []).append(new)


class EventGenerator:
    """Applies realistic changes to a FregState and records them in the feed."""

    def __init__(self, *, state: FregState, generator: PopulationGenerator):
        self.state = state
        self.gen = generator
        self.rng = generator.rng
        self.moment = generator.now

    def _append(self, national_id: str, event_type: str) -> int:
        self.moment += dt.timedelta(seconds=self.rng.randint(1, 90))
        sequence = len(self.state.feed) + 1
        event_id = str(uuid.UUID(int=self.rng.getrandbits(128)))
        entry = {
            "sekvensnummer": sequence,
            "hendelse": {
                "folkeregisteridentifikator": national_id,
                "hendelsetype": event_type,
                "hendelsesdokument": event_id,
                "persondokument": str(uuid.UUID(int=self.rng.getrandbits(128))),
                "ajourholdstidspunkt": _ts(self.moment),
            },
        }
        self.state.feed.append(entry)
        if event_type != UNKNOWN_EVENT_TYPE:
            self.state.event_documents[event_id] = {
                "dokumentidentifikator": event_id,
                "skjemaversjon": "1.5",
                "hendelse": {
                    "folkeregisteridentifikator": national_id,
                    "hendelsestype": event_type,
                    "ajourholdstidspunkt": _ts(self.moment),
                    "egenskapshendelse": [],
                },
            }
        return sequence

    def _meta(self) -> dict[str, Any]:
        return self.gen.meta(self.moment)

    # --- the changes ------------------------------------------------------------------------------
    def move(
        self,
        nid: str,
        *,
        out_of_municipality: bool = False,
        new_skolekrets: bool = True,
        flyttedato: dt.date | None = None,
        to_municipality: str | None = None,
    ) -> int:
        """Move a person; ``flyttedato`` dates the move other than today (reported late, or ahead of time)."""
        doc = self.state.documents[nid]
        gradering = (doc.get("adressebeskyttelse") or [{}])[-1].get("graderingsnivaa", "ugradert")
        if gradering == "strengtFortrolig":
            return self.rename(nid)
        old: dict[str, Any] = next((e for e in doc.get("bostedsadresse") or [] if e.get("erGjeldende")), {})
        skolekrets = None
        if not out_of_municipality and not new_skolekrets:
            skolekrets = old.get("skolekrets")
        elif not out_of_municipality:
            skolekrets = self.rng.choice([s for s in SKOLEKRETSER if s != old.get("skolekrets")])
        elsewhere = to_municipality or self.rng.choice(OTHER_MUNICIPALITIES)
        address = self.gen.address(municipality=elsewhere if out_of_municipality else None, skolekrets=skolekrets)
        element = {"adressegradering": gradering, **self._meta(), **_clean(address)}
        element["flyttedato"] = element["gyldighetstidspunkt"][:10]
        if flyttedato is not None:  # the element takes effect on the moving day (Norwegian midnight); recorded now
            midnight = dt.datetime.combine(flyttedato, dt.time(0), tzinfo=ZoneInfo("Europe/Oslo"))
            element["gyldighetstidspunkt"] = _ts(midnight)
            element["flyttedato"] = flyttedato.isoformat()
        _supersede(doc, "bostedsadresse", element)
        return self._append(nid, "endringIBostedsadresse")

    def move_in_with(self, nid: str, other_nid: str) -> int:
        """Move ``nid`` to ``other_nid``'s current bostedsadresse (a parent moving back in, a child moving over)."""
        doc = self.state.documents[nid]
        target = next(e for e in self.state.documents[other_nid].get("bostedsadresse") or [] if e.get("erGjeldende"))
        element = {**target, **self._meta()}
        element["flyttedato"] = element["gyldighetstidspunkt"][:10]
        _supersede(doc, "bostedsadresse", element)
        return self._append(nid, "endringIBostedsadresse")

    def birth(self, sibling_nid: str) -> str:
        """A baby born into ``sibling_nid``'s family: same home, parents and foreldreansvar; returns the number."""
        sibling = self.state.documents[sibling_nid]
        gradering = (sibling.get("adressebeskyttelse") or [{}])[-1].get("graderingsnivaa", "ugradert")
        name: dict[str, Any] = next((e for e in sibling.get("navn") or [] if e.get("erGjeldende")), {})
        doc = self.gen.person(
            birth_date=self.moment.date(),
            sex=self.rng.choice(["kvinne", "mann"]),
            address=None,
            last_name=name.get("etternavn", self.gen.fake.last_name()),
            gradering=gradering,
        )
        home = next((e for e in sibling.get("bostedsadresse") or [] if e.get("erGjeldende")), None)
        if home is not None:
            doc["bostedsadresse"] = [{**home, **self._meta()}]
        if PRIVATE_KOMMUNE in sibling:
            doc[PRIVATE_KOMMUNE] = sibling[PRIVATE_KOMMUNE]
        cid = nid_of(doc)
        parents = [r for r in sibling.get("familierelasjon") or [] if r.get("erGjeldende", True)]
        doc["familierelasjon"] = [{**r, **self._meta()} for r in parents]
        for relation in parents:
            self.state.documents[relation["relatertPerson"]].setdefault("familierelasjon", []).append(
                {
                    "relatertPerson": cid,
                    "relatertPersonsRolle": "barn",
                    "minRolleForPerson": relation["relatertPersonsRolle"],
                    **self._meta(),
                }
            )
        doc["foreldreansvar"] = [
            {"ansvar": e["ansvar"], "ansvarlig": e["ansvarlig"], "ansvarssubjekt": cid, **self._meta()}
            for e in sibling.get("foreldreansvar") or []
            if e.get("erGjeldende")
        ]
        self.state.documents[cid] = doc
        self.state.children.append(cid)
        self._append(cid, "personErOpprettet")
        return cid

    def family_moves_in(self) -> tuple[list[str], list[str]]:
        """A family from elsewhere moves into the municipality; returns (children, adults) numbers."""
        children, adults = len(self.state.children), len(self.state.adults)
        self.gen._household(self.state, "together")
        new_children, new_adults = self.state.children[children:], self.state.adults[adults:]
        for number in [*new_adults, *new_children]:
            self._append(number, "endringIBostedsadresse")
        return new_children, new_adults

    def new_address_without_moving(self, nid: str) -> int:
        doc = self.state.documents[nid]
        current_address = next((e for e in doc.get("bostedsadresse") or [] if e.get("erGjeldende")), None)
        if current_address is None:
            return self.rename(nid)
        element = {**current_address, **self._meta()}
        element["grunnkrets"] = int(element.get("grunnkrets", 0)) + 1
        element["adresseIdentifikatorFraMatrikkelen"] = f"{element.get('adresseIdentifikatorFraMatrikkelen', '')}-ny"
        _supersede(doc, "bostedsadresse", element)
        return self._append(nid, "endringIBostedsadresseUtenFlytting")

    def change_foreldreansvar(self, child_nid: str) -> int:
        doc = self.state.documents[child_nid]
        current_elements = [e for e in doc.get("foreldreansvar") or [] if e.get("erGjeldende")]
        mother = next(
            (r["relatertPerson"] for r in doc.get("familierelasjon") or [] if r.get("relatertPersonsRolle") == "mor"),
            None,
        )
        if not mother:
            return self.rename(child_nid)
        for element in current_elements:
            element["erGjeldende"] = False
        if len(current_elements) == 1 and current_elements[0].get("ansvar") == "mor":
            parents = [
                r["relatertPerson"] for r in doc.get("familierelasjon") or [] if r.get("minRolleForPerson") == "barn"
            ]
            new = [{"ansvar": "felles", "ansvarlig": p, "ansvarssubjekt": child_nid, **self._meta()} for p in parents]
        else:
            new = [{"ansvar": "mor", "ansvarlig": mother, "ansvarssubjekt": child_nid, **self._meta()}]
        doc.setdefault("foreldreansvar", []).extend(new)
        return self._append(child_nid, "endringIForeldreansvar")

    def protect_address(self, nid: str, level: str = "strengtFortrolig") -> int:
        doc = self.state.documents[nid]
        _supersede(doc, "adressebeskyttelse", {"graderingsnivaa": level, **self._meta()})
        if level == "strengtFortrolig":
            old: dict[str, Any] = next((e for e in doc.get("bostedsadresse") or [] if e.get("erGjeldende")), {})
            doc[PRIVATE_KOMMUNE] = (old.get("vegadresse") or {}).get("kommunenummer", self.gen.municipality)
            doc.pop("bostedsadresse", None)  # the residential address is removed entirely
            doc.pop("deltBosted", None)
            _supersede(doc, "postadresse", {"adressegradering": "ugradert", **self._meta(), **KRIPOS_POSTADRESSE})
        else:
            for element in doc.get("bostedsadresse") or []:
                element["adressegradering"] = level
        return self._append(nid, "endringIAdressebeskyttelse")

    def emigrate(self, nid: str) -> int:
        doc = self.state.documents[nid]
        _supersede(doc, "status", {"status": "utflyttet", **self._meta()})
        _supersede(doc, "bostedsadresse", None)
        doc.setdefault("utflytting", []).append(
            {"tilflyttingsland": "SWE", "utflyttingsdato": self.moment.date().isoformat(), **self._meta()}
        )
        return self._append(nid, "personErUtflyttet")

    def die(self, nid: str) -> int:
        doc = self.state.documents[nid]
        _supersede(doc, "status", {"status": "doed", **self._meta()})
        doc["doedsfall"] = {"doedsdato": self.moment.date().isoformat(), **self._meta()}
        return self._append(nid, "personErDoed")

    def rename(self, nid: str) -> int:
        doc = self.state.documents[nid]
        current_name: dict[str, Any] = next((e for e in doc.get("navn") or [] if e.get("erGjeldende")), {})
        _supersede(doc, "navn", {**current_name, "etternavn": self.gen.fake.last_name(), **self._meta()})
        return self._append(nid, "endringINavn")

    def unknown_type(self, nid: str) -> int:
        return self._append(nid, UNKNOWN_EVENT_TYPE)

    def stream(self, count: int) -> None:
        """Append ``count`` events with a realistic mix (mostly moves and names; rare deaths)."""
        choices: list[tuple[float, Callable[[], int]]] = [
            (0.30, lambda: self.move(self._any_child(), new_skolekrets=self.rng.random() < 0.5)),
            (0.12, lambda: self.move(self._any_adult())),
            (0.04, lambda: self.move(self._any_child(), out_of_municipality=True)),
            (0.12, lambda: self.new_address_without_moving(self._any_person())),
            (0.10, lambda: self.change_foreldreansvar(self._any_child())),
            (0.02, lambda: self.protect_address(self._any_child(), self.rng.choice(["fortrolig", "strengtFortrolig"]))),
            (0.02, lambda: self.emigrate(self._any_person())),
            (0.01, lambda: self.die(self._any_adult())),
            (0.15, lambda: self.rename(self._any_person())),
            (0.07, lambda: self.rename(self.rng.choice(self.state.outsiders))),
            (0.05, lambda: self.unknown_type(self._any_person())),
        ]
        total = sum(weight for weight, _ in choices)
        for _ in range(count):
            roll = self.rng.random() * total
            for weight, action in choices:
                roll -= weight
                if roll <= 0:
                    action()
                    break

    def _any_child(self) -> str:
        return self.rng.choice(self.state.children)

    def _any_adult(self) -> str:
        return self.rng.choice(self.state.adults)

    def _any_person(self) -> str:
        return self.rng.choice(self.state.children if self.rng.random() < 0.5 else self.state.adults)
