"""The kernel's actions (children, persons, units, the workspace, the portal, the audit log)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oas.access.actions import NONE, ORGUNIT, PERSON, register_action
from oas.access.roles import Role

R = Role

CHILD_READ = register_action(
    "child.read",
    label=_("Se barnet (navn, enhet, gruppe)"),
    resource=PERSON,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADMISSION, R.SECTOR_FINANCE, R.SECTOR_ADVISOR],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN, R.UNIT_STAFF, R.SPECIAL_EDUCATION],
    group_roles=[R.CONTACT_TEACHER, R.GROUP_STAFF],
    guardian_side=True,
    self_allowed=True,
)
CHILD_READ_CONTACTS = register_action(
    "child.read_contacts",
    label=_("Se foresatte og kontaktinformasjon"),
    resource=PERSON,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADMISSION, R.SECTOR_FINANCE],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
    group_roles=[R.CONTACT_TEACHER, R.GROUP_STAFF],
    guardian_side=True,
    self_allowed=True,
)
CHILD_READ_SPECIAL_NEEDS = register_action(
    "child.read_special_needs",
    label=_("Se spesialpedagogiske opplysninger"),
    resource=PERSON,
    global_roles=[R.SECTOR_ADVISOR],
    unit_roles=[R.UNIT_LEADER, R.SPECIAL_EDUCATION],
    guardian_side=True,
)
CHILD_AUDIT_INNSYN = register_action(
    "child.audit_innsyn",
    label=_("Se hvem som har sett barnets opplysninger (innsyn)"),
    resource=PERSON,
    guardian_side=True,
    self_allowed=True,
)
CHILD_LIST_PROTECTED = register_action(
    "child.list_protected",
    label=_("Liste barn med fortrolig eller strengt fortrolig adresse"),
    resource=PERSON,
    # Leaders and merkantil protect these children in their unit (letters, class lists); system administrators
    # handle the grants. Other municipality-wide roles (opptak, faktura, rådgiver) are not entitled to the list.
    global_roles=[R.SYSTEM_ADMIN],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)
PERSON_READ_PROTECTED_ADDRESS = register_action(
    "person.read_protected_address",
    label=_("Se adresse for personer med fortrolig eller strengt fortrolig adresse"),
    resource=PERSON,
    # No role has it by default: only explicit grants (AccessGrant) give it.
    break_glass=False,
)
PERSON_CONFIRM_LIVES_WITH = register_action(
    "person.confirm_lives_with",
    label=_("Bekrefte hvem et barn med strengt fortrolig adresse bor hos"),
    resource=PERSON,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADMISSION],
)
UNIT_READ_SNAPSHOT = register_action(
    "unit.read_snapshot",
    label=_("Se øyeblikksbilde for enheten"),
    resource=ORGUNIT,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADVISOR, R.REPORT_VIEWER],
    unit_roles=[R.UNIT_LEADER],
)
UNIT_READ_STAFF = register_action(
    "unit.read_staff",
    label=_("Se ansatte ved enheten"),
    resource=ORGUNIT,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADVISOR],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)
WORKSPACE_VIEW = register_action(
    "workspace.view",
    label=_("Bruke arbeidsflaten"),
    resource=NONE,
    account_kinds=["staff", "break_glass"],
)
PORTAL_VIEW = register_action(
    "portal.view",
    label=_("Bruke foresattportalen"),
    resource=NONE,
    account_kinds=["guardian"],
    break_glass=False,
)
AUDIT_SEARCH = register_action(
    "audit.search",
    label=_("Søke i tilgangsloggen"),
    resource=NONE,
    global_roles=[R.SYSTEM_ADMIN],
)
ACCESS_MANAGE_GRANTS = register_action(
    "access.manage_grants",
    label=_("Tildele og trekke tilbake tilganger"),
    resource=NONE,
    global_roles=[R.SYSTEM_ADMIN],
)
REPORTS_VIEW = register_action(
    "reports.view",
    label=_("Se rapporter"),
    resource=NONE,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADVISOR, R.REPORT_VIEWER],
)


def _register_kernel_resources() -> None:
    from oas.access.actions import ORGUNIT as _ORGUNIT
    from oas.access.actions import PERSON as _PERSON
    from oas.access.resources import register_resource
    from oas.organisation.models import OrgUnit
    from oas.people.models import Person

    register_resource(Person, resource=_PERSON, person_field="pk")
    register_resource(OrgUnit, resource=_ORGUNIT, unit_field="pk")


_register_kernel_resources()
