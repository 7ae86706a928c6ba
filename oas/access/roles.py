"""The roles staff get automatically from master data (employments and group assignments).

A role is global (the whole municipality), scoped to an org unit (and everything under it), or scoped to
a group (class, department). Which position codes give which roles is data: ``RoleMapping`` in the admin.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # Global roles
    SYSTEM_ADMIN = "system_admin", _("Systemadministrator")
    SECTOR_ADMISSION = "sector_admission", _("Sektorkontor – opptak")
    SECTOR_FINANCE = "sector_finance", _("Sektorkontor – fakturering")
    SECTOR_ADVISOR = "sector_advisor", _("Rådgiver i sektorkontoret")
    REPORT_VIEWER = "report_viewer", _("Rapportleser")
    # Roles scoped to an org unit
    UNIT_LEADER = "unit_leader", _("Leder (rektor/styrer)")
    UNIT_ADMIN = "unit_admin", _("Merkantil")
    UNIT_STAFF = "unit_staff", _("Ansatt")
    SPECIAL_EDUCATION = "special_education", _("Spesialpedagog")
    # Roles scoped to a group
    CONTACT_TEACHER = "contact_teacher", _("Kontaktlærer")
    GROUP_STAFF = "group_staff", _("Ansatt i gruppen")


class Scope(models.TextChoices):
    GLOBAL = "global", _("Hele kommunen")
    UNIT = "unit", _("Enhet")
    GROUP = "group", _("Gruppe")


GLOBAL_ROLES = frozenset(
    {Role.SYSTEM_ADMIN, Role.SECTOR_ADMISSION, Role.SECTOR_FINANCE, Role.SECTOR_ADVISOR, Role.REPORT_VIEWER}
)
UNIT_ROLES = frozenset({Role.UNIT_LEADER, Role.UNIT_ADMIN, Role.UNIT_STAFF, Role.SPECIAL_EDUCATION})
GROUP_ROLES = frozenset({Role.CONTACT_TEACHER, Role.GROUP_STAFF})
ALL_STAFF_ROLES = GLOBAL_ROLES | UNIT_ROLES | GROUP_ROLES


def role_scope(role: str) -> str:
    """Return the scope (global, unit or group) a role applies to."""
    if role in GLOBAL_ROLES:
        return Scope.GLOBAL
    if role in UNIT_ROLES:
        return Scope.UNIT
    return Scope.GROUP


# The default mapping shipped by ``seed_role_mapping`` (codes from oas/people/positions.py).
DEFAULT_POSITION_ROLES: dict[str, tuple[str, ...]] = {
    "SYSADM": (Role.SYSTEM_ADMIN,),
    "OPPTAK": (Role.SECTOR_ADMISSION,),
    "FAKTURA": (Role.SECTOR_FINANCE,),
    "RADGIVER": (Role.SECTOR_ADVISOR,),
    "RAPPORT": (Role.REPORT_VIEWER,),
    "KOMMUNALSJEF": (Role.SECTOR_ADVISOR, Role.REPORT_VIEWER),
    "REKTOR": (Role.UNIT_LEADER,),
    "ASS_REKTOR": (Role.UNIT_LEADER,),
    "INSPEKTOR": (Role.UNIT_LEADER,),
    "STYRER": (Role.UNIT_LEADER,),
    "ASS_STYRER": (Role.UNIT_LEADER,),
    "SFO_LEDER": (Role.UNIT_LEADER,),
    "MERKANTIL": (Role.UNIT_ADMIN,),
    "LEKTOR": (Role.UNIT_STAFF,),
    "LAERER": (Role.UNIT_STAFF,),
    "PED_LEDER": (Role.UNIT_STAFF,),
    "BHG_LAERER": (Role.UNIT_STAFF,),
    "FAGARBEIDER": (Role.UNIT_STAFF,),
    "ASSISTENT": (Role.UNIT_STAFF,),
    "SPESPED": (Role.UNIT_STAFF, Role.SPECIAL_EDUCATION),
}
DEFAULT_GROUP_ROLES: dict[str, tuple[str, ...]] = {
    "contact_teacher": (Role.CONTACT_TEACHER,),
    "group_staff": (Role.GROUP_STAFF,),
}
