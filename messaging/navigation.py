"""Menu entries for Kommunikasjon med hjemmet: inboxes with unread counts, the calendar, notification settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from messaging import selectors
from oas.navigation import GUARDIAN, STAFF, register_nav_item

if TYPE_CHECKING:
    from oas.access.principal import Actor


def guardian_unread(user: Actor) -> int:
    """Threads with messages the guardian has not read."""
    # ``unread_flag`` is an annotation of the selector, which django-stubs cannot see.
    return selectors.guardian_threads(user=user).filter(unread_flag=True).count()  # type: ignore[misc]


def staff_unanswered(user: Actor) -> int:
    """Threads in the user's mailboxes where a guardian waits for an answer."""
    return selectors.staff_threads_unanswered(user=user).count()


register_nav_item(
    "guardian-messages",
    label=_("Meldinger"),
    audience=GUARDIAN,
    order=30,
    url_name="messaging:guardian-inbox",
    badge=guardian_unread,
)
register_nav_item("guardian-calendar", label=_("Kalender"), audience=GUARDIAN, order=40, url_name="messaging:calendar")
register_nav_item(
    "guardian-notification-settings",
    label=_("Varsler"),
    audience=GUARDIAN,
    parent="guardian-settings",
    order=10,
    url_name="messaging:settings",
    description=_("Velg om du vil ha varsel på e-post, SMS eller i nettleseren."),
)
register_nav_item(
    "staff-messages",
    label=_("Meldinger"),
    audience=STAFF,
    order=20,
    url_name="messaging:staff-inbox",
    prefixes=("/meldinger/",),
    badge=staff_unanswered,
)
register_nav_item(
    "staff-sent-notices",
    label=_("Sendte oppslag"),
    audience=STAFF,
    order=22,
    url_name="messaging:notices-sent",
    description=_("Oppslagene du har sendt, og hvem som ikke har lest dem."),
)
register_nav_item("staff-calendar", label=_("Kalender"), audience=STAFF, order=25, url_name="messaging:calendar")
register_nav_item(
    "staff-notification-settings",
    label=_("Varsler"),
    audience=STAFF,
    parent="staff-settings",
    order=10,
    url_name="messaging:settings",
    description=_("Velg hvordan du vil bli varslet om nye meldinger."),
)
register_nav_item(
    "staff-mailbox-settings",
    label=_("Postkasse"),
    audience=STAFF,
    parent="staff-settings",
    order=20,
    unit_url_name="messaging:mailbox-settings",
    description=_("Hvem som behandler enhetens meldinger, og hvem som tar over ved fravær."),
)
