"""Actions of the attendance app (deny by default: every view names one of these)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from attendance.models import AbsenceReport, AttendanceEvent, MissingArrival
from oas.access.actions import ORGUNIT, PERSON, register_action
from oas.access.resources import register_resource
from oas.access.roles import Role

R = Role

register_resource(AbsenceReport, resource="attendance.absence", person_field="child")
register_resource(AttendanceEvent, resource="attendance.event", person_field="child", unit_field="unit")
register_resource(MissingArrival, resource="attendance.missing", unit_field="unit")

STAFF_UNIT_ROLES = [R.UNIT_LEADER, R.UNIT_ADMIN, R.UNIT_STAFF, R.SPECIAL_EDUCATION]
STAFF_GROUP_ROLES = [R.CONTACT_TEACHER, R.GROUP_STAFF]

ABSENCE_REPORT = register_action(
    "attendance.absence.report",
    label=_("Melde fravær for barnet"),
    resource=PERSON,
    unit_roles=STAFF_UNIT_ROLES,
    group_roles=STAFF_GROUP_ROLES,
    guardian_side=True,
)
ABSENCE_READ = register_action(
    "attendance.absence.read",
    label=_("Se fraværsmeldinger"),
    resource="attendance.absence",
    global_roles=[R.SYSTEM_ADMIN],
    unit_roles=STAFF_UNIT_ROLES,
    group_roles=STAFF_GROUP_ROLES,
    guardian_side=True,
)
CHECKIN = register_action(
    "attendance.checkin",
    label=_("Krysse barn inn og ut"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN, R.UNIT_STAFF],
    group_roles=STAFF_GROUP_ROLES,
)
MISSING_READ = register_action(
    "attendance.missing.read",
    label=_("Se barn som ikke har kommet"),
    resource="attendance.missing",
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN, R.UNIT_STAFF],
    group_roles=STAFF_GROUP_ROLES,
)
OCCUPANCY_READ = register_action(
    "attendance.occupancy.read",
    label=_("Se belegg og bemanningsnorm"),
    resource=ORGUNIT,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADVISOR, R.SECTOR_ADMISSION],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)
