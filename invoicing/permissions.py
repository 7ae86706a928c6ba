"""Actions of the invoicing app (finance office = sector_finance; guardians apply for reduced fees)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from invoicing.models import FeeApplication, PaymentSplitRequest
from oas.access.actions import NONE, PERSON, register_action
from oas.access.resources import register_resource
from oas.access.roles import Role

R = Role

register_resource(FeeApplication, resource="invoicing.application", person_field="applicant")
register_resource(PaymentSplitRequest, resource="invoicing.split_request", person_field="child")

RUN_MANAGE = register_action(
    "invoicing.run.manage",
    label=_("Kjøre og godkjenne månedlig fakturering"),
    resource=NONE,
    global_roles=[R.SECTOR_FINANCE, R.SYSTEM_ADMIN],
    break_glass=False,
)
APPLICATION_SUBMIT = register_action(
    "invoicing.application.submit",
    label=_("Søke om redusert foreldrebetaling eller gratis timer"),
    resource=NONE,
    account_kinds=["guardian"],
    break_glass=False,
)
APPLICATION_READ = register_action(
    "invoicing.application.read",
    label=_("Se søknader om redusert betaling"),
    resource="invoicing.application",
    global_roles=[R.SECTOR_FINANCE],
    self_allowed=True,
)
APPLICATION_DECIDE = register_action(
    "invoicing.application.decide",
    label=_("Behandle søknader om redusert betaling"),
    resource="invoicing.application",
    global_roles=[R.SECTOR_FINANCE],
)
SPLIT_REQUEST = register_action(
    "invoicing.split.request",
    label=_("Be om delt faktura for barnet (delt bosted)"),
    resource=PERSON,
    guardian_side=True,
    break_glass=False,
)
SPLIT_READ_OWN = register_action(
    "invoicing.split.read_own",
    label=_("Se egne søknader om delt faktura"),
    resource="invoicing.split_request",
    guardian_side=True,
    break_glass=False,
)
SPLIT_DECIDE = register_action(
    "invoicing.split.decide",
    label=_("Behandle søknader om delt faktura"),
    resource="invoicing.split_request",
    global_roles=[R.SECTOR_FINANCE],
)
INVOICE_READ_OWN = register_action(
    "invoicing.invoice.read_own",
    label=_("Se egne fakturaer for barnehage og SFO"),
    resource=NONE,
    account_kinds=["guardian"],
    break_glass=False,
)
SIBLINGS_MANAGE = register_action(
    "invoicing.siblings.manage",
    label=_("Registrere søsken manuelt (barn med strengt fortrolig adresse)"),
    resource=NONE,
    global_roles=[R.SECTOR_FINANCE],
    break_glass=False,
)
