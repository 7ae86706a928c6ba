"""Menu entries for SFO: applications for guardians; admission and places for the office."""

from django.utils.translation import gettext_lazy as _

from oas.navigation import GUARDIAN, STAFF, register_nav_item

register_nav_item(
    "guardian-sfo",
    label=_("SFO"),
    audience=GUARDIAN,
    parent="guardian-applications",
    order=20,
    url_name="sfo_pages:portal",
    description=_("Søk SFO-plass og svar på tilbud."),
)
register_nav_item(
    "staff-sfo-rounds",
    label=_("SFO-opptak"),
    audience=STAFF,
    parent="staff-admission",
    order=40,
    url_name="sfo_pages:office_rounds",
    description=_("Opptaksrunder for SFO."),
)
register_nav_item(
    "staff-sfo-placements",
    label=_("SFO-plasser"),
    audience=STAFF,
    parent="staff-placements",
    order=30,
    unit_url_name="sfo_placements:unit",
    unit_kinds=("sfo",),
    description=_("Barna med plass i en SFO."),
)
register_nav_item(
    "staff-sfo-placement-new",
    label=_("Ny SFO-plass"),
    audience=STAFF,
    parent="staff-placements",
    order=40,
    url_name="sfo_placements:new",
    description=_("Gi et barn SFO-plass uten søknad."),
)
