"""Admission rounds on the demo municipality (``demo_municipality``): real surroundings for the admission rules."""

from __future__ import annotations

import datetime as dt
import itertools

from kindergarten import services
from kindergarten.models import AdmissionRound, RoundState
from oas.organisation.models import Municipality, OrgUnit

_codes = itertools.count(1)
START = dt.date(2027, 8, 1)
DEADLINE = dt.date(2027, 3, 1)


def demo_kindergartens(municipality: Municipality) -> dict[str, OrgUnit]:
    """The demo's kindergartens by name (two municipal, one private); other children already attend them."""
    units = OrgUnit.objects.filter(kind="kindergarten", municipality=municipality, coordinated_admission=True)
    by_name = {u.name: u for u in units}
    assert {"Demo barnehage", "Frogner barnehage", "Dalen private barnehage"} <= set(by_name), by_name
    return by_name


def demo_round(
    municipality: Municipality, *, capacity: dict[str, int], small: int = 0, seed: str = "demo-seed"
) -> tuple[AdmissionRound, dict[str, OrgUnit]]:
    """An open main admission (start 1 August 2027, deadline 1 March) with ``capacity`` 3–5 places per unit name."""
    units = demo_kindergartens(municipality)
    rnd = services.admission_round_create(
        municipality=municipality,
        code=f"demo-hovedopptak-{next(_codes)}",
        name="Hovedopptak 2027",
        application_deadline=DEADLINE,
        start_date=START,
        lottery_seed=seed,
    )
    for name, n in capacity.items():
        services.programme_set_capacity(admission_round=rnd, unit=units[name], age_group="3-5", capacity=n)
        services.programme_set_capacity(admission_round=rnd, unit=units[name], age_group="0-2", capacity=small)
    services.admission_round_set_state(admission_round=rnd, state=RoundState.OPEN)
    return rnd, units
