"""Actions of the kindergarten app: placements (department, size, hours) and admission (issue 5)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kindergarten.models import Application, Attachment, Offer, PriorityGround
from oas.access.actions import NONE, ORGUNIT, PERSON, register_action
from oas.access.resources import register_resource
from oas.access.roles import Role

R = Role

PLACEMENT_CHANGE = register_action(
    "kindergarten.placement.change",
    label=_("Endre barnehageplass (avdeling, plasstørrelse, oppholdstid)"),
    resource=ORGUNIT,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADMISSION],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)
SFO_PLACEMENT_CHANGE = register_action(
    "sfo.placement.change",
    label=_("Endre SFO-plass (plasstype og timer)"),
    resource=ORGUNIT,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADMISSION],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)
PLACEMENT_CREATE = register_action(
    "kindergarten.placement.create",
    label=_("Gi et barn barnehageplass fra sektorkontoret (oppslag på fødselsnummer i hele kommunen)"),
    resource=NONE,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADMISSION],
)

# ------------------------------------------------------------------------------------------ admission (issue 5)


register_resource(Application, resource="kindergarten.application", person_field="child")
register_resource(Offer, resource="kindergarten.offer", person_field="application__child")
register_resource(PriorityGround, resource="kindergarten.ground", person_field="application__child")
register_resource(Attachment, resource="kindergarten.attachment", person_field="ground__application__child")

APPLY = register_action(
    "kindergarten.application.apply",
    label=_("Søke barnehageplass for barnet"),
    resource=PERSON,
    guardian_side=True,
    relation_right="residence",
)
APPLICATION_READ_OWN = register_action(
    "kindergarten.application.read_own",
    label=_("Se søknader om barnehageplass for eget barn"),
    resource="kindergarten.application",
    guardian_side=True,
    relation_right="whereabouts",
)
APPLICATION_READ = register_action(
    "kindergarten.application.read",
    label=_("Se søknader om barnehageplass"),
    resource="kindergarten.application",
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADMISSION],
)
APPLICATION_DECIDE = register_action(
    "kindergarten.application.decide",
    label=_("Behandle søknader og kontrollere dokumentasjon"),
    resource="kindergarten.ground",
    global_roles=[R.SECTOR_ADMISSION],
)
# The documentation of a § 18 ground (sakkyndig vurdering, barnevernsvedtak) is health and child-welfare data:
# only the admission office that checks it may open it.
ATTACHMENT_READ = register_action(
    "kindergarten.attachment.read",
    label=_("Åpne dokumentasjon som er lastet opp med en søknad om barnehageplass"),
    resource="kindergarten.attachment",
    global_roles=[R.SECTOR_ADMISSION],
)
APPLICANTS_APPROVE = register_action(
    "kindergarten.application.approve_private",
    label=_("Godkjenne søkere til egen private barnehage"),
    resource=ORGUNIT,
    global_roles=[R.SECTOR_ADMISSION],
    unit_roles=[R.UNIT_LEADER],
)
ROUND_MANAGE = register_action(
    "kindergarten.round.manage",
    label=_("Styre opptak (frister, kapasitet, tildeling, publisering)"),
    resource=NONE,
    global_roles=[R.SECTOR_ADMISSION],
)
OFFER_RESPOND = register_action(
    "kindergarten.offer.respond",
    label=_("Svare på tilbud om barnehageplass"),
    resource="kindergarten.offer",
    guardian_side=True,
    relation_right="residence",
)
APPEAL_REGISTER = register_action(
    "kindergarten.appeal.register",
    label=_("Registrere klage på vedtak om barnehageplass"),
    resource="kindergarten.application",
    global_roles=[R.SECTOR_ADMISSION],
    guardian_side=True,
    relation_right="residence",
)
APPEAL_DECIDE = register_action(
    "kindergarten.appeal.decide",
    label=_("Avgjøre klage på vedtak om barnehageplass"),
    resource="kindergarten.application",
    global_roles=[R.SECTOR_ADMISSION],
)
PLACE_TERMINATE = register_action(
    "kindergarten.placement.terminate",
    label=_("Si opp barnehage- eller SFO-plass"),
    resource=PERSON,
    guardian_side=True,
    relation_right="residence",
)
