"""Menu entries for attendance: the guardian's "meld fravær", the krysseliste and occupancy for staff."""

from django.utils.translation import gettext_lazy as _

from oas.navigation import GUARDIAN, STAFF, register_nav_item

register_nav_item(
    "guardian-absence", label=_("Meld fravær"), audience=GUARDIAN, order=20, url_name="attendance:portal_absence"
)
register_nav_item(
    "staff-checkin",
    label=_("Krysseliste"),
    audience=STAFF,
    parent="staff-attendance",
    order=10,
    url_name="attendance:checkin_units",
    description=_("Kryss barna inn og ut, og se hvem som er meldt syke."),
)
register_nav_item(
    "staff-absences-today",
    label=_("Fravær i dag"),
    audience=STAFF,
    parent="staff-attendance",
    order=20,
    url_name="attendance:absences_today",
    description=_("Fravær som foresatte har meldt for i dag."),
)
register_nav_item(
    "staff-occupancy",
    label=_("Belegg og bemanning"),
    audience=STAFF,
    order=40,
    unit_url_name="attendance:occupancy",
    unit_kinds=("kindergarten",),
    description=_("Plasser, ledige plasser og bemanningsnormen per barnehage."),
)
