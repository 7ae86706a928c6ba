"""Actions of Kommunikasjon med hjemmet (see oas/access/__init__.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from messaging.models import Mailbox, Thread
from oas.access.actions import NONE, ORGUNIT, PERSON, register_action
from oas.access.resources import register_resource
from oas.access.roles import Role

R = Role
UNIT_WORKERS = [R.UNIT_LEADER, R.UNIT_ADMIN, R.UNIT_STAFF, R.SPECIAL_EDUCATION]
GROUP_WORKERS = [R.CONTACT_TEACHER, R.GROUP_STAFF]

register_resource(Thread, resource="messaging.thread", unit_field="unit")
register_resource(Mailbox, resource="messaging.mailbox", unit_field="unit")

# Who may write (and be written to) about a child: staff of the child's unit or group; the adults the kernel
# relation policy gives the information right (guardians with foreldreansvar, foster parents); a parent without
# foreldreansvar only through an explicit AccessGrant. The thread view hides the unit from the parent a strengt
# fortrolig child does not live with (thread_guardian_view_hides_unit).
CHILD_MESSAGE = register_action(
    "messaging.child.message",
    label=_("Sende meldinger om barnet"),
    resource=PERSON,
    unit_roles=UNIT_WORKERS,
    group_roles=GROUP_WORKERS,
    guardian_side=True,
)
THREAD_READ = register_action(
    "messaging.thread.read",
    label=_("Lese og svare på meldinger i enhetens postkasse"),
    resource="messaging.thread",
    unit_roles=UNIT_WORKERS,
    group_roles=GROUP_WORKERS,
    break_glass=False,
)
MAILBOX_USE = register_action(
    "messaging.mailbox.use",
    label=_("Skrive fra enhetens eller gruppens postkasse"),
    resource="messaging.mailbox",
    unit_roles=UNIT_WORKERS,
    group_roles=GROUP_WORKERS,
)
MAILBOX_MANAGE = register_action(
    "messaging.mailbox.manage",
    label=_("Endre postkassens fraværsmelding og svarfrist"),
    resource="messaging.mailbox",
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN],
)
NOTICE_SEND = register_action(
    "messaging.notice.send",
    label=_("Sende oppslag til gruppe, enhet eller kommune"),
    resource=ORGUNIT,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADVISOR],
    unit_roles=UNIT_WORKERS,
    group_roles=GROUP_WORKERS,
)
NOTICE_APPROVE = register_action(
    "messaging.notice.approve",
    label=_("Godkjenne oppslag"),
    resource=ORGUNIT,
    global_roles=[R.SECTOR_ADVISOR],
    unit_roles=[R.UNIT_LEADER],
)
EVENT_MANAGE = register_action(
    "messaging.event.manage",
    label=_("Legge inn hendelser i kalenderen"),
    resource=ORGUNIT,
    global_roles=[R.SYSTEM_ADMIN, R.SECTOR_ADVISOR],
    unit_roles=[R.UNIT_LEADER, R.UNIT_ADMIN, R.UNIT_STAFF],
    group_roles=GROUP_WORKERS,
)
INBOX_VIEW = register_action(
    "messaging.inbox.view",
    label=_("Åpne meldinger og kalender"),
    resource=NONE,
    account_kinds=["staff", "guardian"],
    break_glass=False,
)
