"""Families around the planned children: guardians, parents, foster parents, pick-up persons."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from devtools.seed.base import (
    BuilderBase,
    _Child,
)
from oas.people.models import (
    Adressebeskyttelse,
    Foreldreansvar,
    ParentRole,
    Person,
    RelationKind,
    RelationSource,
    Sex,
)


@dataclass(frozen=True)
class _Household:
    muni: str
    surname: str
    home: dict[str, Any]
    eldest: dt.date
    protection: str
    children: list[Person]


class FamiliesMixin(BuilderBase):
    """Families around the planned children: guardians, parents, foster parents, pick-up persons."""

    # --- families ---------------------------------------------------------------------------------
    def build_families(self) -> None:
        by_muni: dict[str, list[_Child]] = {}
        for child in self.pupils + self.kg_children:
            by_muni.setdefault(child.muni, []).append(child)
        families: list[tuple[str, list[_Child]]] = []
        for muni, children in by_muni.items():
            self.rng.shuffle(children)
            i = 0
            while i < len(children):
                n = self.rng.choices([1, 2, 3, 4], weights=[42, 40, 14, 4])[0]
                families.append((muni, children[i : i + n]))
                i += n
        count = len(families)
        fortrolig = set(self.rng.sample(range(count), max(1, round(count * 0.006))))
        strengt = set(self.rng.sample(sorted(set(range(count)) - fortrolig), max(1, round(count * 0.0015))))
        for index, (muni, children) in enumerate(families):
            protection = Adressebeskyttelse.UGRADERT
            if index in fortrolig:
                protection = Adressebeskyttelse.FORTROLIG
            elif index in strengt:
                protection = Adressebeskyttelse.STRENGT_FORTROLIG
            self._family(muni, children, protection)

    def _family(self, muni: str, members: list[_Child], protection: str) -> None:
        rng = self.rng
        surname = self.fake.last_name()
        skolekrets = next((c.skolekrets for c in members if c.skolekrets), None)
        home = self.address(muni, skolekrets=skolekrets)
        roll = rng.random()
        children = [
            self.person(
                birth=c.birth,
                sex=rng.choice([Sex.KVINNE, Sex.MANN]),
                last_name=surname,
                address=home,
                protection=protection,
                adult=False,
            )
            for c in members
        ]
        for record, child in zip(members, children, strict=True):
            self._place(child, record)
        household = _Household(
            muni=muni,
            surname=surname,
            home=home,
            eldest=min(c.birth for c in members),
            protection=protection,
            children=children,
        )
        # Adults who live with the children share their protection; others keep an ordinary address.
        if roll < 0.70:
            self._two_parents(household, separated=False)
        elif roll < 0.85:
            self._two_parents(household, separated=True)
        elif roll < 0.97:
            self._sole_responsibility(household)
        elif roll < 0.985:
            self._foster_care(household)
        else:
            self._other_responsibility(household)
        if rng.random() < 0.12:
            self._pickup(muni, children, household.eldest)

    def _parent_birth(self, household: _Household) -> dt.date:
        return self.birth_in_year(household.eldest.year - self.rng.randint(24, 40))

    def _two_parents(self, household: _Household, *, separated: bool) -> None:
        """Mother and father (or medmor) with felles foreldreansvar, living together or apart."""
        rng = self.rng
        h = household
        medmor = rng.random() < 0.03
        mother_lives = not separated or rng.random() < 0.7
        other_lives = not separated or not mother_lives
        away = self.address(h.muni) if separated else h.home
        mother = self.person(
            birth=self._parent_birth(h),
            sex=Sex.KVINNE,
            last_name=h.surname if rng.random() < 0.7 else self.fake.last_name(),
            address=h.home if mother_lives else away,
            protection=h.protection if mother_lives else Adressebeskyttelse.UGRADERT,
        )
        other = self.person(
            birth=self._parent_birth(h),
            sex=Sex.KVINNE if medmor else Sex.MANN,
            last_name=h.surname,
            address=h.home if other_lives else away,
            protection=h.protection if other_lives else Adressebeskyttelse.UGRADERT,
        )
        delt = separated and h.protection != Adressebeskyttelse.STRENGT_FORTROLIG and rng.random() < 0.4
        for child in h.children:
            self.relate(
                mother,
                child,
                RelationKind.GUARDIAN,
                foreldreansvar=Foreldreansvar.FELLES,
                parent_role=ParentRole.MOR,
                lives_with=mother_lives,
            )
            self.relate(
                other,
                child,
                RelationKind.GUARDIAN,
                foreldreansvar=Foreldreansvar.FELLES,
                parent_role=ParentRole.MEDMOR if medmor else ParentRole.FAR,
                lives_with=other_lives,
            )
            if delt:
                self._delt_bosted(child, away)

    def _sole_responsibility(self, household: _Household) -> None:
        """One parent with foreldreansvar alene; the other parent often known, without it."""
        rng = self.rng
        h = household
        is_mother = rng.random() < 0.8
        guardian = self.person(
            birth=self._parent_birth(h),
            sex=Sex.KVINNE if is_mother else Sex.MANN,
            last_name=h.surname,
            address=h.home,
            protection=h.protection,
        )
        absent = None
        if rng.random() < 0.6:
            absent = self.person(
                birth=self._parent_birth(h),
                sex=Sex.MANN if is_mother else Sex.KVINNE,
                last_name=self.fake.last_name(),
                address=self.address(h.muni),
            )
        for child in h.children:
            self.relate(
                guardian,
                child,
                RelationKind.GUARDIAN,
                foreldreansvar=Foreldreansvar.MOR if is_mother else Foreldreansvar.FAR,
                parent_role=ParentRole.MOR if is_mother else ParentRole.FAR,
            )
            if absent:
                self.relate(
                    absent,
                    child,
                    RelationKind.PARENT,
                    parent_role=ParentRole.FAR if is_mother else ParentRole.MOR,
                    lives_with=False,
                )

    def _foster_care(self, household: _Household) -> None:
        """Foster parents (barnevernet) care for the children; the parents keep foreldreansvar."""
        rng = self.rng
        h = household
        bio_home = self.address(h.muni)
        bio = [
            self.person(birth=self._parent_birth(h), sex=sex, last_name=h.surname, address=bio_home)
            for sex in (Sex.KVINNE, Sex.MANN)
        ]
        foster_surname = self.fake.last_name()
        fosters = [
            self.person(
                birth=self.birth_in_year(rng.randint(1965, 1988)),
                sex=sex,
                last_name=foster_surname,
                address=h.home,
                protection=h.protection,
            )
            for sex in (Sex.KVINNE, Sex.MANN)
        ]
        for child in h.children:
            assert child.birth_date is not None
            moved = min(child.birth_date + dt.timedelta(days=rng.randint(200, 1500)), self.today)
            for parent, role in zip(bio, (ParentRole.MOR, ParentRole.FAR), strict=True):
                self.relate(
                    parent,
                    child,
                    RelationKind.GUARDIAN,
                    foreldreansvar=Foreldreansvar.FELLES,
                    parent_role=role,
                    lives_with=False,
                )
            for foster in fosters:
                self.relate(
                    foster,
                    child,
                    RelationKind.FOSTER_PARENT,
                    source=RelationSource.CHILD_WELFARE,
                    valid_from=moved,
                )

    def _other_responsibility(self, household: _Household) -> None:
        """Someone other than a parent holds foreldreansvar (e.g. after a court decision)."""
        rng = self.rng
        h = household
        guardian = self.person(
            birth=self.birth_in_year(h.eldest.year - rng.randint(30, 50)),
            sex=rng.choice([Sex.KVINNE, Sex.MANN]),
            last_name=self.fake.last_name(),
            address=h.home,
            protection=h.protection,
        )
        for child in h.children:
            self.relate(guardian, child, RelationKind.GUARDIAN, foreldreansvar=Foreldreansvar.ANDRE)
