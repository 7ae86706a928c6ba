"""Menu entries for the timetable: the school's timetables, the teacher's own week, the guardian's view."""

from django.utils.translation import gettext_lazy as _

from oas.navigation import GUARDIAN, STAFF, register_nav_item

register_nav_item(
    "staff-timetable-school",
    label=_("Timeplan"),
    audience=STAFF,
    order=18,
    unit_url_name="timetable:school",
    unit_kinds=("school",),
    prefixes=("/timeplan/versjon/", "/timeplan/time/", "/timeplan/kjoring/"),
    description=_("Skolens timeplaner: bygg, generer, rediger og publiser."),
)
register_nav_item(
    "staff-timetable-mine",
    label=_("Min timeplan"),
    audience=STAFF,
    order=19,
    url_name="timetable:mine",
    description=_("Dine timer denne uken, også som kalender (ICS)."),
)
register_nav_item("guardian-timetable", label=_("Timeplan"), audience=GUARDIAN, order=26, url_name="timetable:portal")
