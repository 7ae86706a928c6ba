"""Actions of assessment (deny by default: every view names one of these).

A subject teacher reaches a teaching group through a ``GroupAssignment`` (group staff), the contact teacher a class
(contact teacher); the principal reaches every group of the school through the unit role. Guardians read their
child's published assessments with the relation policy's ``information`` right (foreldreansvar, barneloven § 47).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from assessment.models import (
    ConductMark,
    DevelopmentTalk,
    ExamGrade,
    FinalGrade,
    HalfYearAssessment,
    LeavingCertificate,
    Remark,
    WrittenWarning,
)
from oas.access.actions import ORGUNIT, PERSON, register_action
from oas.access.resources import register_resource
from oas.access.roles import Role

R = Role

register_resource(HalfYearAssessment, resource="assessment.halfyear", person_field="pupil", unit_field="group")
register_resource(FinalGrade, resource="assessment.final", person_field="pupil", unit_field="group")
register_resource(Remark, resource="assessment.remark", person_field="pupil", unit_field="group")
register_resource(ConductMark, resource="assessment.conduct", person_field="pupil", unit_field="klass")

GROUP_ENTER = register_action(
    "assessment.group.enter",
    label=_("Føre halvårsvurdering og standpunkt for gruppen"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER],
    group_roles=[R.GROUP_STAFF, R.CONTACT_TEACHER],
)
REMARK_REGISTER = register_action(
    "assessment.remark.register",
    label=_("Registrere anmerkninger"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER],
    group_roles=[R.GROUP_STAFF, R.CONTACT_TEACHER],
)
CLASS_STATUS = register_action(
    "assessment.class.status",
    label=_("Se vurderingsstatus for klassen"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
    group_roles=[R.CONTACT_TEACHER],
)
CONDUCT_PROPOSE = register_action(
    "assessment.conduct.propose",
    label=_("Foreslå karakter i orden og oppførsel"),
    resource=ORGUNIT,
    group_roles=[R.CONTACT_TEACHER],
)
SCHOOL_STATUS = register_action(
    "assessment.school.status",
    label=_("Se skolens vurderingsstatus"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)
FINAL_LOCK = register_action(
    "assessment.final.lock",
    label=_("Låse standpunktkarakterer"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER],
)
CHILD_READ = register_action(
    "assessment.child.read",
    label=_("Se barnets vurderinger"),
    resource=PERSON,
    guardian_side=True,
    relation_right="information",
    break_glass=False,
)
APPEAL_REGISTER = register_action(
    "assessment.appeal.register",
    label=_("Klage på standpunktkarakter"),
    resource=PERSON,
    guardian_side=True,
    relation_right="information",
    break_glass=False,
)

register_resource(LeavingCertificate, resource="assessment.certificate", person_field="pupil", unit_field="school")

CERTIFICATE_ISSUE = register_action(
    "assessment.certificate.issue",
    label=_("Utstede vitnemål for skolens 10. trinn"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER],
)
CERTIFICATE_READ = register_action(
    "assessment.certificate.read",
    label=_("Se skolens vitnemål"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)
CERTIFICATE_DOWNLOAD = register_action(
    "assessment.certificate.download",
    label=_("Laste ned vitnemålet"),
    resource=PERSON,
    guardian_side=True,
    # The certificate names the school: only adults who may know where the child goes to school (a strengt
    # fortrolig child's other parent keeps the information right but not this one).
    relation_right="whereabouts",
    self_allowed=True,
    break_glass=False,
)

register_resource(WrittenWarning, resource="assessment.warning", person_field="pupil", unit_field="klass")

WARNING_SEND = register_action(
    "assessment.warning.send",
    label=_("Sende skriftlig varsel (§ 9-7)"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER],
    group_roles=[R.CONTACT_TEACHER],
)

CONDUCT_DECIDE = register_action(
    "assessment.conduct.decide",
    label=_("Fastsette og publisere karakter i orden og oppførsel"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER],
)

APPEAL_PROCESS = register_action(
    "assessment.appeal.process",
    label=_("Behandle klager på standpunktkarakterer"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER],
)

register_resource(DevelopmentTalk, resource="assessment.talk", person_field="pupil", unit_field="klass")

TALK_NOTES = register_action(
    "assessment.talk.notes",
    label=_("Se og skrive referat fra utviklingssamtaler"),
    resource=ORGUNIT,
    unit_roles=[R.UNIT_LEADER],
    group_roles=[R.CONTACT_TEACHER],
)

register_resource(ExamGrade, resource="assessment.exam", person_field="pupil", unit_field="school")

EXAM_RECORD = register_action(
    "assessment.exam.record",
    label=_("Registrere eksamenskarakterer for skolens 10. trinn"),
    resource=ORGUNIT,
    # The school office (merkantil) registers the exam office's results; the principal may too.
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)
