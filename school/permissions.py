"""Actions of the school app (deny by default: every view names one of these).

A teacher reaches a class or teaching group through a ``GroupAssignment`` (contact teacher or group staff), which
the kernel turns into a group-scoped role: assigning the teacher is what gives the access. Leaders and the office
reach every group of their school through their unit role.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oas.access.actions import ORGUNIT, PERSON, register_action
from oas.access.resources import register_resource
from oas.access.roles import Role
from school.models import (
    AdaptedEducationDecision,
    Enrolment,
    ExpertAssessment,
    GroupMembership,
    LeaveApplication,
    PupilAttendance,
    TeachingGroup,
)

R = Role

register_resource(PupilAttendance, resource="school.attendance", person_field="pupil")
register_resource(GroupMembership, resource="school.membership", person_field="pupil", unit_field="group")
register_resource(TeachingGroup, resource="school.teachinggroup", unit_field="unit")

GROUP_ROLES = [R.CONTACT_TEACHER, R.GROUP_STAFF]

GROUP_REGISTER = register_action(
    "school.group.register_attendance",
    label=_("Registrere fravær for klassen eller gruppen"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
    group_roles=GROUP_ROLES,
)
GROUP_READ = register_action(
    "school.group.read",
    label=_("Se klasselisten"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN, R.SPECIAL_EDUCATION],
    group_roles=GROUP_ROLES,
)
PUPIL_READ = register_action(
    "school.pupil.read",
    label=_("Se elevsiden"),
    resource=PERSON,
    global_roles=[R.SYSTEM_ADMIN],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN, R.UNIT_STAFF, R.SPECIAL_EDUCATION],
    group_roles=GROUP_ROLES,
)
OVERVIEW_READ = register_action(
    "school.overview.read",
    label=_("Se skolens klasser og fravær"),
    resource=ORGUNIT,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADVISOR],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)
STAFFING_READ = register_action(
    "school.staffing.read",
    label=_("Se elevtall, lærere og lærernormen"),
    resource=ORGUNIT,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADVISOR],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)
STRUCTURE_MANAGE = register_action(
    "school.structure.manage",
    label=_("Opprette grupper og knytte lærere til dem"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)
CHILD_SCHOOL_READ = register_action(
    "school.child.read",
    label=_("Se barnets skoleside"),
    resource=PERSON,
    guardian_side=True,
    break_glass=False,
)
ATTENDANCE_READ = register_action(
    "school.attendance.read",
    label=_("Se elevfravær"),
    resource="school.attendance",
    global_roles=[R.SYSTEM_ADMIN],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN, R.UNIT_STAFF, R.SPECIAL_EDUCATION],
    group_roles=GROUP_ROLES,
    guardian_side=True,
)
MEMBERSHIP_READ = register_action(
    "school.membership.read",
    label=_("Se gruppemedlemskap"),
    resource="school.membership",
    global_roles=[R.SYSTEM_ADMIN],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN, R.UNIT_STAFF, R.SPECIAL_EDUCATION],
    group_roles=GROUP_ROLES,
)
ROLLOVER_RUN = register_action(
    "school.rollover.run",
    label=_("Kjøre skoleårsskiftet for kommunen"),
    resource=ORGUNIT,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADMISSION],
)

register_resource(LeaveApplication, resource="school.leave", person_field="pupil", unit_field="school")
# Guardians apply and read; the application names the school, so a parent the strengt fortrolig child does not
# live with may do neither (whereabouts).
LEAVE_APPLY = register_action(
    "school.leave.apply",
    label=_("Søke permisjon for barnet"),
    resource=PERSON,
    guardian_side=True,
    relation_right="whereabouts",
    break_glass=False,
)
LEAVE_READ = register_action(
    "school.leave.read",
    label=_("Se permisjonssøknader"),
    resource="school.leave",
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
    group_roles=[R.CONTACT_TEACHER],
    guardian_side=True,
    relation_right="whereabouts",
)
LEAVE_DECIDE = register_action(
    "school.leave.decide",
    label=_("Avgjøre permisjonssøknader"),
    resource="school.leave",
    unit_roles=[R.UNIT_LEADER],
)
LEAVE_MANAGE = register_action(
    "school.leave.manage",
    label=_("Behandle skolens permisjonssøknader"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER],
)
ABSENCE_DOCUMENT = register_action(
    "school.absence.document",
    label=_("Registrere dokumentert fravær"),
    resource=PERSON,
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
    group_roles=[R.CONTACT_TEACHER],
)
# Only the teachers assigned to the group (no unit roles): the arbeidsflate's "not registered" and "over the
# threshold" tasks are the assigned teacher's and the contact teacher's, not the whole school's.
GROUP_TEACH = register_action(
    "school.group.teach",
    label=_("Undervise gruppen"),
    resource=ORGUNIT,
    group_roles=GROUP_ROLES,
)
CLASS_FOLLOW_UP = register_action(
    "school.class.follow_up",
    label=_("Følge opp klassens fravær (kontaktlærer)"),
    resource=ORGUNIT,
    group_roles=[R.CONTACT_TEACHER],
)

register_resource(Enrolment, resource="school.enrolment", person_field="child", unit_field="school")
ENROLMENT_MANAGE = register_action(
    "school.enrolment.manage",
    label=_("Skoleinnskriving og ønsker om annen skole"),
    resource="school.enrolment",
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADMISSION],
)
ENROLMENT_RUN = register_action(
    "school.enrolment.run",
    label=_("Kjøre skoleinnskrivingen for kommunen"),
    resource=ORGUNIT,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADMISSION],
)
ENROLMENT_READ = register_action(
    "school.enrolment.read",
    label=_("Se skoleinnskrivingen"),
    resource="school.enrolment",
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADMISSION],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
    guardian_side=True,
    relation_right="whereabouts",
)
ENROLMENT_WISH = register_action(
    "school.enrolment.wish",
    label=_("Ønske annen skole og svare på samtykke"),
    resource="school.enrolment",
    guardian_side=True,
    relation_right="whereabouts",
    break_glass=False,
)
PUPIL_MOVE = register_action(
    "school.pupil.move",
    label=_("Flytte en elev til en annen skole"),
    resource=PERSON,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADMISSION],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)

# Individually adapted education (opplæringslova §§ 11-6 to 11-11): confidential (taushetsplikt). Readable by the
# principal, the school's special educators, the pupil's contact teacher (through the class: the pupil's placement)
# and the subject teachers the decision names (an ``AccessGrant`` on the pupil for the decision's period, made by
# ``adapted_decision_create``) — never by the school's other teachers (no UNIT_STAFF, no GROUP_STAFF).
register_resource(ExpertAssessment, resource="school.iop.assessment", person_field="pupil")
register_resource(AdaptedEducationDecision, resource="school.iop.decision", person_field="pupil")
IOP_READ = register_action(
    "school.iop.read",
    label=_("Se individuelt tilrettelagt opplæring (sakkyndig vurdering, vedtak, IOP)"),
    resource=PERSON,
    unit_roles=[R.UNIT_LEADER, R.SPECIAL_EDUCATION],
    group_roles=[R.CONTACT_TEACHER],
)
IOP_MANAGE = register_action(
    "school.iop.manage",
    label=_("Registrere sakkyndig vurdering og fatte vedtak om individuelt tilrettelagt opplæring"),
    resource=PERSON,
    unit_roles=[R.UNIT_LEADER],
)
IOP_WRITE = register_action(
    "school.iop.write",
    label=_("Skrive individuell opplæringsplan (IOP) og årsrapport"),
    resource=PERSON,
    unit_roles=[R.SPECIAL_EDUCATION],
    group_roles=[R.CONTACT_TEACHER],
)
# Guardians see the decision and the IOP; they name the school, so a parent a strengt fortrolig child does not live
# with sees nothing (whereabouts).
IOP_GUARDIAN_READ = register_action(
    "school.iop.child_read",
    label=_("Se barnets individuelle opplæringsplan"),
    resource=PERSON,
    guardian_side=True,
    relation_right="whereabouts",
    break_glass=False,
)
# Moving out of the municipality: the old school's leader or office sends the pupil record to the new municipality.
PUPIL_RECORD_TRANSFER = register_action(
    "school.pupil.record_transfer",
    label=_("Sende elevmappen til den nye kommunen når eleven flytter ut"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)
# The yearly evaluation (årsrapport, § 11-11) is followed up by the principal and the special educators: the
# arbeidsflate task "årsrapport mangler" (``school/arbeidsflate.py``) lists what is missing for them, not for the
# contact teacher.
IOP_FOLLOW_UP = register_action(
    "school.iop.follow_up",
    label=_("Følge opp årsrapporter for individuelt tilrettelagt opplæring"),
    resource=PERSON,
    unit_roles=[R.UNIT_LEADER, R.SPECIAL_EDUCATION],
)
