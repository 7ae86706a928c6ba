"""Actions of the SFO app for admission (deny by default: every view names one of these)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oas.access.actions import NONE, PERSON, register_action
from oas.access.resources import register_resource
from oas.access.roles import Role
from sfo.models import SfoApplication

R = Role

register_resource(SfoApplication, resource="sfo.application", person_field="child", unit_field="unit")

SFO_PLACEMENT_CREATE = register_action(
    "sfo.placement.create",
    label=_("Gi et barn SFO-plass fra sektorkontoret (oppslag på fødselsnummer i hele kommunen)"),
    resource=NONE,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADMISSION],
)

SFO_APPLY = register_action(
    "sfo.application.apply",
    label=_("Søke SFO-plass for barnet"),
    resource=PERSON,
    guardian_side=True,
    relation_right="residence",
)
SFO_APPLICATION_READ_OWN = register_action(
    "sfo.application.read_own",
    label=_("Se og svare på SFO-søknader for eget barn"),
    resource="sfo.application",
    guardian_side=True,
    relation_right="whereabouts",
)
SFO_APPLICATION_READ = register_action(
    "sfo.application.read",
    label=_("Se søknader om SFO-plass"),
    resource="sfo.application",
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADMISSION],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)
SFO_ROUND_MANAGE = register_action(
    "sfo.round.manage",
    label=_("Styre SFO-opptak (tildeling og publisering)"),
    resource=NONE,
    global_roles=[R.SECTOR_ADMISSION],
)
