"""Actions of the timetable app (deny by default: every view names one of these).

The principal and the office build, generate, edit and publish a school's timetables (``timetable.manage``); the
school's staff read the published timetable of any class, teacher or room (``timetable.read``); any staff member
reads their own lessons (``timetable.own.read``, filtered to the user's own employee in the view); guardians with
the right to know where the child is read the child's week (``timetable.child.read``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oas.access.actions import ORGUNIT, PERSON, register_action
from oas.access.resources import register_resource
from oas.access.roles import Role
from timetable.models import TimetableVersion

R = Role

register_resource(TimetableVersion, resource="timetable.version", unit_field="school")

MANAGE = register_action(
    "timetable.manage",
    label=_("Bygge, generere, endre og publisere timeplanen"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)
VERSION_MANAGE = register_action(
    "timetable.version.manage",
    label=_("Endre en timeplanversjon"),
    resource="timetable.version",
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)
VERSION_READ = register_action(
    "timetable.version.read",
    label=_("Se en timeplanversjon"),
    resource="timetable.version",
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADVISOR],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN, R.UNIT_STAFF, R.SPECIAL_EDUCATION],
)
READ = register_action(
    "timetable.read",
    label=_("Se skolens timeplan"),
    resource=ORGUNIT,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADVISOR],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN, R.UNIT_STAFF, R.SPECIAL_EDUCATION],
)
OWN_READ = register_action(
    "timetable.own.read",
    label=_("Se min timeplan"),
    resource=ORGUNIT,
    account_kinds=["staff"],
)
CHILD_READ = register_action(
    "timetable.child.read",
    label=_("Se barnets timeplan"),
    resource=PERSON,
    guardian_side=True,
    relation_right="whereabouts",
    break_glass=False,
)
