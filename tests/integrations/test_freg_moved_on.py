"""The register's moving date (flyttedato / gyldighetstidspunkt, or the emigration's date) read from a FREG person."""

from __future__ import annotations

import datetime as dt

from integrations.freg.mapping import moved_on
from oas.people.models import PersonStatus


def _bosted(**meta: str) -> dict[str, object]:
    return {"bostedsadresse": [{"erGjeldende": True, "adressegradering": "ugradert", **meta}]}


def test_the_moving_day_is_the_flyttedato_even_when_reported_later() -> None:
    doc = _bosted(flyttedato="2026-10-30", gyldighetstidspunkt="2026-10-29T23:00:00.000Z")  # midnight in Oslo
    assert moved_on(doc, status=PersonStatus.BOSATT) == dt.date(2026, 10, 30)


def test_a_new_krets_without_moving_counts_from_when_it_took_effect() -> None:
    doc = _bosted(flyttedato="2019-06-01", gyldighetstidspunkt="2026-11-18T10:00:00.000Z")
    assert moved_on(doc, status=PersonStatus.BOSATT) == dt.date(2026, 11, 18)


def test_an_emigration_is_dated_by_utflyttingsdato_and_no_date_is_none() -> None:
    doc = {"utflytting": [{"erGjeldende": True, "utflyttingsdato": "2026-12-01"}]}
    assert moved_on(doc, status=PersonStatus.UTFLYTTET) == dt.date(2026, 12, 1)
    assert moved_on({}, status=PersonStatus.BOSATT) is None


def test_a_malformed_date_leaves_the_moving_day_unknown_without_refusing_the_person() -> None:
    doc = _bosted(flyttedato="30.10.2026", gyldighetstidspunkt="i går")
    assert moved_on(doc, status=PersonStatus.BOSATT) is None
