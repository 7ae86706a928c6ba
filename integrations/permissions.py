"""Actions of the integrations (deny by default): who sees dead letters and register changes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from integrations.models import RegisterChangeNotice
from oas.access.actions import NONE, register_action
from oas.access.resources import register_resource
from oas.access.roles import Role

register_resource(RegisterChangeNotice, resource="integrations.register_change", unit_field="unit")

OUTBOX_MANAGE = register_action(
    "integrations.outbox.manage",
    label=_("Behandle feilede leveranser til andre systemer"),
    resource=NONE,
    global_roles=[Role.SYSTEM_ADMIN],
)
REGISTER_CHANGE_READ = register_action(
    "integrations.register_change.read",
    label=_("Se endringer fra Folkeregisteret for barn ved enheten"),
    resource="integrations.register_change",
    global_roles=[Role.SYSTEM_ADMIN, Role.SECTOR_ADMISSION],
    unit_roles=[Role.UNIT_LEADER, Role.UNIT_ADMIN],
)
REGISTER_CHANGE_RESOLVE = register_action(
    "integrations.register_change.resolve",
    label=_("Markere endringer fra Folkeregisteret som behandlet"),
    resource="integrations.register_change",
    global_roles=[Role.SYSTEM_ADMIN, Role.SECTOR_ADMISSION],
    unit_roles=[Role.UNIT_LEADER, Role.UNIT_ADMIN],
)
