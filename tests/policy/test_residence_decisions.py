"""Issue 13, point 5 (barneloven § 37): decisions belong to the parent the child lives with; the other parent with
foreldreansvar keeps the right to information (§ 47) in the portal."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest

from oas.errors import PermissionDenied
from oas.people.models import Foreldreansvar, Person, Service
from tests import factories as f
from tests.policy.scenario import Scenario


@pytest.fixture
def family(scenario: Scenario) -> dict[str, Any]:
    """Ola (no protection) lives with his mother; his father has felles foreldreansvar and lives elsewhere."""
    born = dt.date(2022, 6, 7)
    ola = cast(Person, f.ChildFactory(first_name="Ola", birth_date=born, national_id=f.synthetic_national_id(born)))
    mother = cast(Person, f.PersonFactory())
    father = cast(Person, f.PersonFactory())
    f.RelationFactory(adult=mother, child=ola, foreldreansvar=Foreldreansvar.FELLES, lives_with_child=True)
    f.RelationFactory(adult=father, child=ola, foreldreansvar=Foreldreansvar.FELLES, lives_with_child=False)
    f.PlacementFactory(
        child=ola,
        unit=scenario.kindergarten,
        group=scenario.department,
        service=Service.KINDERGARTEN,
        start_date=dt.date(2024, 8, 1),
    )
    return {
        "ola": ola,
        "mother": f.guardian_account(mother),
        "father": f.guardian_account(father),
        "kindergarten": scenario.kindergarten,
    }


def _round(kindergarten: Any) -> Any:
    from kindergarten import services

    rnd = services.admission_round_create(
        municipality=kindergarten.municipality,
        code="policy-res-2027",
        name="Hovedopptak 2027",
        application_deadline=dt.date(2027, 3, 1),
        start_date=dt.date(2027, 8, 1),
        lottery_seed="policy",
    )
    services.admission_round_set_state(admission_round=rnd, state="open")
    return rnd


def test_the_parent_the_child_does_not_live_with_cannot_apply(client, family):
    from kindergarten import services

    client.force_login(family["father"].user)
    assert client.get(f"/portal/barnehage/sok/{family['ola'].pk}/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.application_submit(
            admission_round=_round(family["kindergarten"]),
            child=family["ola"],
            applicant=family["father"].person,
            choices=[family["kindergarten"]],
            wanted_start_date=dt.date(2027, 8, 1),
        )


def test_the_resident_parent_applies(client, family):
    _round(family["kindergarten"])
    client.force_login(family["mother"].user)
    assert client.get(f"/portal/barnehage/sok/{family['ola'].pk}/").status_code == 200


def test_the_parent_the_child_does_not_live_with_cannot_end_the_place(client, family):
    client.force_login(family["father"].user)
    assert client.get(f"/portal/barnehage/barn/{family['ola'].pk}/si-opp/").status_code == 403
    client.force_login(family["mother"].user)
    assert client.get(f"/portal/barnehage/barn/{family['ola'].pk}/si-opp/").status_code == 200


def test_absence_until_further_notice_only_from_the_resident_parent(family):
    from attendance.services import absence_report

    with pytest.raises(PermissionDenied):
        absence_report(user=family["father"].user, child_id=family["ola"].pk, until_further_notice=True)
    # a day's sick report is day-to-day care: both parents may send it
    absence_report(user=family["father"].user, child_id=family["ola"].pk)
    absence_report(user=family["mother"].user, child_id=family["ola"].pk, until_further_notice=True)


def test_the_other_parent_keeps_the_right_to_information_in_the_portal(client, family):
    client.force_login(family["father"].user)
    response = client.get(f"/portal/barn/{family['ola'].pk}/")
    assert response.status_code == 200
    assert family["kindergarten"].name in response.content.decode()
