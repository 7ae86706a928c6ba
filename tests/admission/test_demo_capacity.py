"""The demo's kindergartens have registered places, and the demo's open round starts from them (issue 15)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from kindergarten.models import AdmissionRound, KindergartenUnitDetail, Programme, RoundKind
from oas.organisation.models import OrgUnit, OrgUnitKind

pytestmark = pytest.mark.django_db


def test_the_demo_round_capacity_is_prefilled_from_each_kindergartens_registered_places(demo_municipality: Any) -> None:
    call_command("seed_admission_rounds", stdout=io.StringIO())
    kindergartens = OrgUnit.objects.filter(kind=OrgUnitKind.KINDERGARTEN, municipality=demo_municipality)
    assert kindergartens.count() == KindergartenUnitDetail.objects.filter(unit__in=kindergartens).count() > 0
    continuous = AdmissionRound.objects.get(municipality=demo_municipality, kind=RoundKind.CONTINUOUS)
    programmes = Programme.objects.filter(round=continuous).select_related("unit__kindergarten_unit_detail")
    coordinated = kindergartens.filter(coordinated_admission=True).count()
    assert programmes.count() == 2 * coordinated > 0
    for programme in programmes:
        detail = programme.unit.kindergarten_unit_detail
        assert programme.capacity == detail.registered_places(age_group=programme.age_group) > 0
