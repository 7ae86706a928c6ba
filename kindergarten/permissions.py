"""Actions of the kindergarten app for placements (changing a child's department, size or weekly hours)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oas.access.actions import ORGUNIT, register_action
from oas.access.roles import Role

R = Role

PLACEMENT_CHANGE = register_action(
    "kindergarten.placement.change",
    label=_("Endre barnehageplass (avdeling, plasstørrelse, oppholdstid)"),
    resource=ORGUNIT,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADMISSION],
    unit_roles=[R.UNIT_LEADER],
)
SFO_PLACEMENT_CHANGE = register_action(
    "sfo.placement.change",
    label=_("Endre SFO-plass (plasstype og timer)"),
    resource=ORGUNIT,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADMISSION],
    unit_roles=[R.UNIT_LEADER],
)
