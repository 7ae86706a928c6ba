"""Kernel menu entries: the guardian's and the staff member's home, children, settings and the admin."""

from django.utils.translation import gettext_lazy as _

from oas.navigation import GUARDIAN, STAFF, register_nav_item

register_nav_item("guardian-children", label=_("Barn"), audience=GUARDIAN, order=10, url_name="portal:home")
register_nav_item("guardian-applications", label=_("Søknader"), audience=GUARDIAN, order=50)
register_nav_item("guardian-invoices", label=_("Faktura"), audience=GUARDIAN, order=60)
register_nav_item("guardian-settings", label=_("Innstillinger"), audience=GUARDIAN, order=90, url_name="settings")

register_nav_item("staff-home", label=_("Arbeidsflate"), audience=STAFF, order=10, url_name="arbeidsflate:home")
register_nav_item(
    "staff-children", label=_("Barn og elever"), audience=STAFF, order=15, url_name="arbeidsflate:children"
)
register_nav_item("staff-attendance", label=_("Oppmøte"), audience=STAFF, order=30)
register_nav_item("staff-admission", label=_("Opptak"), audience=STAFF, order=50)
register_nav_item("staff-placements", label=_("Plasser"), audience=STAFF, order=55)
register_nav_item("staff-invoicing", label=_("Fakturering"), audience=STAFF, order=60)
register_nav_item("staff-reports", label=_("Rapporter"), audience=STAFF, order=70)
register_nav_item("staff-settings", label=_("Innstillinger"), audience=STAFF, order=90, url_name="settings")
register_nav_item(
    "staff-admin",
    label=_("Admin"),
    audience=STAFF,
    order=95,
    url_name="admin:index",
    check=lambda user: bool(user.is_staff),
    description=_("Roller, tilganger, enheter og satser."),
)
