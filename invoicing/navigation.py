"""Menu entries for invoicing: reduced fees and split invoices for guardians; runs and decisions for finance."""

from django.utils.translation import gettext_lazy as _

from oas.navigation import GUARDIAN, STAFF, register_nav_item

register_nav_item(
    "guardian-invoice-list",
    label=_("Mine fakturaer"),
    audience=GUARDIAN,
    parent="guardian-invoices",
    order=10,
    url_name="invoicing:portal_invoices",
    description=_("Hva du betaler hver måned, for hvert barn, og hvordan prisen er regnet ut."),
)
register_nav_item(
    "guardian-reduced-fee",
    label=_("Redusert foreldrebetaling"),
    audience=GUARDIAN,
    parent="guardian-invoices",
    order=20,
    url_name="invoicing:portal_application",
    description=_("Søk om lavere pris eller gratis kjernetid etter inntekt."),
)
register_nav_item(
    "guardian-split-invoice",
    label=_("Delt faktura"),
    audience=GUARDIAN,
    parent="guardian-invoices",
    order=30,
    url_name="invoicing:portal_split",
    description=_("Del fakturaen med den andre forelderen."),
)
register_nav_item(
    "staff-invoicing-runs",
    label=_("Fakturakjøring"),
    audience=STAFF,
    parent="staff-invoicing",
    order=10,
    url_name="invoicing:runs",
    description=_("Forhåndsvis og fakturer en måned."),
)
register_nav_item(
    "staff-invoicing-applications",
    label=_("Søknader om redusert betaling"),
    audience=STAFF,
    parent="staff-invoicing",
    order=20,
    url_name="invoicing:applications",
    description=_("Behandle søknader om redusert foreldrebetaling og gratis kjernetid."),
)
register_nav_item(
    "staff-invoicing-split",
    label=_("Delt faktura"),
    audience=STAFF,
    parent="staff-invoicing",
    order=30,
    url_name="invoicing:split_requests",
    description=_("Behandle ønsker om delt faktura."),
)
register_nav_item(
    "staff-invoicing-siblings",
    label=_("Søsken registrert manuelt"),
    audience=STAFF,
    parent="staff-invoicing",
    order=40,
    url_name="invoicing:manual_siblings",
    description=_("Søskenmoderasjon for barn med strengt fortrolig adresse, som registeret ikke viser."),
)
