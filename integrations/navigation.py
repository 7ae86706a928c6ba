"""Menu entries for integrations: changes from the population register that need a person's attention."""

from django.utils.translation import gettext_lazy as _

from oas.navigation import STAFF, register_nav_item

register_nav_item(
    "staff-register-changes",
    label=_("Endringer fra Folkeregisteret"),
    audience=STAFF,
    parent="staff-reports",
    order=50,
    url_name="integrations:register_changes",
    description=_("Flytting, navn og adressebeskyttelse som må følges opp."),
)
