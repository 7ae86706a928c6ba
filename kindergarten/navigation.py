"""Menu entries for kindergarten: applications for guardians; admission and places for the office."""

from django.utils.translation import gettext_lazy as _

from oas.navigation import GUARDIAN, STAFF, register_nav_item

register_nav_item(
    "guardian-kindergarten",
    label=_("Barnehage"),
    audience=GUARDIAN,
    parent="guardian-applications",
    order=10,
    url_name="kindergarten_pages:portal",
    description=_("Søk barnehageplass, svar på tilbud og si opp plass."),
)
register_nav_item(
    "staff-kindergarten-rounds",
    label=_("Barnehageopptak"),
    audience=STAFF,
    parent="staff-admission",
    order=10,
    url_name="kindergarten_pages:office_rounds",
    description=_("Opptaksrunder: kapasitet, fordeling og tilbud."),
)
register_nav_item(
    "staff-kindergarten-applications",
    label=_("Barnehagesøknader"),
    audience=STAFF,
    parent="staff-admission",
    order=20,
    url_name="kindergarten_pages:office_applications",
    description=_("Alle søknader om barnehageplass."),
)
register_nav_item(
    "staff-kindergarten-approvals",
    label=_("Godkjenn tildeling"),
    audience=STAFF,
    parent="staff-admission",
    order=30,
    url_name="kindergarten_pages:unit_approvals",
    description=_("Barnehagens godkjenning av foreslåtte barn."),
)
register_nav_item(
    "staff-kindergarten-placements",
    label=_("Barnehageplasser"),
    audience=STAFF,
    parent="staff-placements",
    order=10,
    unit_url_name="kindergarten_placements:unit",
    unit_kinds=("kindergarten",),
    description=_("Barna med plass i en barnehage."),
)
register_nav_item(
    "staff-kindergarten-placement-new",
    label=_("Ny barnehageplass"),
    audience=STAFF,
    parent="staff-placements",
    order=20,
    url_name="kindergarten_placements:new",
    description=_("Gi et barn plass uten søknad."),
)
