"""Need-to-know in messaging: who reads a mailbox's conversations, who is on a thread, who is notified.

A conversation is visible to the staff on it (``ThreadParticipant``: who started it, wrote in it or was given
it) and to the mailbox's handlers: the roles the mailbox names (default by the unit's kind: a class's contact
teacher, a unit's leader and office staff), its named handlers and its out-of-office substitute. A sensitive
conversation is visible to the staff on it and the named handlers/substitute only. Everyone must also still
hold a working role on the mailbox's unit (``messaging.thread.read``): staff who left the unit lose access.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from messaging.models import HANDLER_ROLE_CHOICES, Mailbox, NotificationPreference, Thread, ThreadParticipant
from oas import clock
from oas.access.evaluation import NOTHING, access_filter
from oas.access.principal import principal_for
from oas.access.roles import Role
from oas.audit.services import audit_record
from oas.errors import NotFound, ValidationError
from oas.identity.models import AccountKind
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Person
from oas.periods import active_on

if TYPE_CHECKING:
    from oas.access.principal import Actor

THREAD_READ = "messaging.thread.read"
MAILBOX_MANAGE = "messaging.mailbox.manage"
# Roles that may read a mailbox at all (the base gate, same as the messaging.thread.read action's roles).
WORKING_ROLES = (
    Role.UNIT_LEADER,
    Role.UNIT_ADMIN,
    Role.UNIT_STAFF,
    Role.SPECIAL_EDUCATION,
    Role.CONTACT_TEACHER,
    Role.GROUP_STAFF,
)
DEFAULT_HANDLER_ROLES: dict[str, tuple[str, ...]] = {
    OrgUnitKind.CLASS: (Role.CONTACT_TEACHER,),
    OrgUnitKind.DEPARTMENT: (Role.GROUP_STAFF, Role.CONTACT_TEACHER),
    OrgUnitKind.GROUP: (Role.GROUP_STAFF, Role.CONTACT_TEACHER),
    OrgUnitKind.SCHOOL: (Role.UNIT_LEADER, Role.UNIT_ADMIN),
    OrgUnitKind.KINDERGARTEN: (Role.UNIT_LEADER, Role.UNIT_ADMIN),
    OrgUnitKind.SFO: (Role.UNIT_LEADER, Role.UNIT_ADMIN),
    OrgUnitKind.SECTOR_OFFICE: (Role.UNIT_LEADER,),
}


def handler_roles_of(*, mailbox: Mailbox) -> list[str]:
    """Return the roles that handle the mailbox: its own list, or the default for its unit's kind."""
    return list(mailbox.handler_roles) or list(DEFAULT_HANDLER_ROLES.get(mailbox.unit.kind, ()))


def _kinds_defaulting_to(role: str) -> list[str]:
    return sorted(kind for kind, roles in DEFAULT_HANDLER_ROLES.items() if role in roles)


def staff_thread_filter(*, user: Actor) -> Q:
    """Return the database filter for the threads a staff member may read (need-to-know; see module doc)."""
    principal = principal_for(user)
    if principal.kind != AccountKind.STAFF or principal.person_id is None:
        return NOTHING
    base = access_filter(user=user, action=THREAD_READ, model=Thread)
    if base == NOTHING:
        return NOTHING
    pid = principal.person_id
    named = Q(mailbox_id__in=Mailbox.handlers.through.objects.filter(person_id=pid).values("mailbox_id")) | Q(
        mailbox__substitute_id=pid
    )
    need = Q(pk__in=ThreadParticipant.objects.filter(person_id=pid).values("thread_id")) | named
    by_role = NOTHING
    for holding in principal.roles:
        if holding.role not in WORKING_ROLES:
            continue
        listed = Q(mailbox__handler_roles__contains=[holding.role]) | (
            Q(mailbox__handler_roles=[]) & Q(unit__kind__in=_kinds_defaulting_to(holding.role))
        )
        by_role |= listed & Q(unit__path__startswith=holding.unit_path)
    need |= Q(sensitive=False) & by_role
    return base & need


def staff_threads_visible(*, user: Actor) -> QuerySet[Thread]:
    """Return the threads the staff member may read (one SQL query)."""
    return Thread.objects.filter(staff_thread_filter(user=user))


def staff_may_read_thread(*, user: Actor, thread: Thread) -> bool:
    """Return whether the staff member may read this thread."""
    return Thread.objects.filter(pk=thread.pk).filter(staff_thread_filter(user=user)).exists()


def _prefixes(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    lead = "/" if path.startswith("/") else ""
    trail = "/" if path.endswith("/") else ""
    return [lead + "/".join(parts[: i + 1]) + trail for i in range(len(parts))]


def _role_holders(*, unit: OrgUnit, roles: Iterable[str]) -> dict[int, set[str]]:
    """Person ids holding any of ``roles`` on ``unit`` or a unit above it today: {person_id: roles}."""
    from oas.access.models import RoleAssignment

    today = clock.today()
    rows = (
        RoleAssignment.objects.filter(active_on(today), unit__path__in=_prefixes(unit.path), role__in=list(roles))
        .filter(employee__active=True)
        .values_list("employee__person_id", "role")
    )
    out: dict[int, set[str]] = {}
    for pid, role in rows:
        out.setdefault(pid, set()).add(role)
    return out


def mailbox_handler_ids(*, mailbox: Mailbox, sensitive: bool = False) -> list[int]:
    """Person ids who handle a mailbox and may open its threads: named handlers, else the role holders.

    Named handlers come first (the unit chose them); without any, the holders of the handler roles. For a
    sensitive thread only the named handlers (and, without any, the unit's leaders) — never the whole staff.
    Without anyone in those roles, the unit's leaders.
    """
    unit = mailbox.unit
    can_open = set(_role_holders(unit=unit, roles=WORKING_ROLES))
    named = [pid for pid in mailbox.handlers.values_list("pk", flat=True) if pid in can_open]
    if named:
        return sorted(named)
    roles = [Role.UNIT_LEADER] if sensitive else handler_roles_of(mailbox=mailbox)
    found = set(_role_holders(unit=unit, roles=roles)) & can_open
    if not found:  # e.g. a class without a contact teacher: the unit's leaders take it
        found = set(_role_holders(unit=unit, roles=[Role.UNIT_LEADER])) & can_open
    return sorted(found)


def persons_away(*, person_ids: Iterable[int], day: dt.date | None = None) -> set[int]:
    """Return those of ``person_ids`` who have marked themselves away (fravær) on ``day`` (default today)."""
    day = day or clock.today()
    return set(
        NotificationPreference.objects.filter(person_id__in=list(person_ids), away_until__gte=day)
        .filter(Q(away_from__isnull=True) | Q(away_from__lte=day))
        .values_list("person_id", flat=True)
    )


def thread_staff_to_notify(*, thread: Thread) -> list[int]:
    """Return who is told of a guardian's message: the staff on the thread who may open it, away ones replaced.

    An away participant is replaced by the mailbox's substitute (or, without one, its named handlers); when no
    replacement is present, the participant keeps it (it waits in their inbox). Nobody who may not open the
    thread is notified.
    """
    mailbox = thread.mailbox
    can_open = set(_role_holders(unit=thread.unit, roles=WORKING_ROLES))
    on_thread = [
        pid
        for pid in ThreadParticipant.objects.filter(thread=thread).values_list("person_id", flat=True)
        if pid in can_open
    ]
    if not on_thread:
        on_thread = mailbox_handler_ids(mailbox=mailbox, sensitive=thread.sensitive)
    away = persons_away(person_ids=[*on_thread, *([mailbox.substitute_id] if mailbox.substitute_id else [])])
    present = [pid for pid in on_thread if pid not in away]
    if len(present) == len(on_thread):
        return sorted(on_thread)
    replacements: list[int] = []
    if mailbox.substitute_id and mailbox.substitute_id in can_open and mailbox.substitute_id not in away:
        replacements = [mailbox.substitute_id]
    else:
        named = set(mailbox.handlers.values_list("pk", flat=True)) & can_open
        replacements = sorted(named - away)
    if not replacements:
        return sorted(on_thread)
    return sorted(set(present) | set(replacements))


def participants_add(*, thread: Thread, person_ids: Iterable[int]) -> None:
    """Put staff on a thread (idempotent)."""
    now = clock.now()
    ThreadParticipant.objects.bulk_create(
        [ThreadParticipant(thread=thread, person_id=pid, added_at=now) for pid in sorted(set(person_ids))],
        ignore_conflicts=True,
    )


def thread_participant_add(*, user: Actor, thread: Thread, person_id: int) -> ThreadParticipant:
    """Give a colleague a thread the user can read: they must work at the mailbox's unit."""
    if not staff_may_read_thread(user=user, thread=thread):
        raise NotFound(_("Fant ikke meldingstråden."))
    if person_id not in _role_holders(unit=thread.unit, roles=WORKING_ROLES):
        raise ValidationError(
            _("Kollegaen må arbeide ved enheten for å kunne få samtalen."), fields={"person": [_("Ugyldig valg.")]}
        )
    with transaction.atomic():
        participants_add(thread=thread, person_ids=[person_id])
        audit_record(
            action="update",
            event="messaging.thread.participant_add",
            person_ids=[thread.child_id],
            object_type="messaging.thread",
            object_id=thread.pk,
            details={"participant": person_id},
            user_id=user.pk,
        )
    return ThreadParticipant.objects.get(thread=thread, person_id=person_id)


def unit_staff(*, unit: OrgUnit) -> list[Person]:
    """Staff who work at the unit (or above it), by name: who may be given a thread or named on its mailbox."""
    ids = list(_role_holders(unit=unit, roles=WORKING_ROLES))
    return list(Person.objects.filter(pk__in=ids).order_by("last_name", "first_name"))


def colleagues_for_thread(*, thread: Thread) -> list[Person]:
    """Staff who work at the thread's unit (to give the thread to), by name."""
    return unit_staff(unit=thread.unit)


def mailbox_update(
    *,
    user: Actor,
    mailbox_id: int,
    handler_roles: list[str],
    handler_ids: list[int],
    substitute_id: int | None,
    guardians_may_mark_urgent: bool,
) -> Mailbox:
    """Change who handles a mailbox (leaders of the unit); named persons must work at the unit."""
    from oas.access.evaluation import has_action

    mailbox = Mailbox.objects.select_related("unit").filter(pk=mailbox_id).first()
    if mailbox is None or not has_action(user=user, action=MAILBOX_MANAGE, target=mailbox):
        raise NotFound(_("Fant ikke postkassen."))
    allowed_roles = {code for code, _label in HANDLER_ROLE_CHOICES}
    if not set(handler_roles) <= allowed_roles:
        raise ValidationError(_("Ukjent rolle."), fields={"handler_roles": [_("Ukjent rolle.")]})
    staff = set(_role_holders(unit=mailbox.unit, roles=WORKING_ROLES))
    wanted = {*handler_ids, *([substitute_id] if substitute_id else [])}
    if not wanted <= staff:
        raise ValidationError(
            _("Saksbehandlere og stedfortreder må arbeide ved enheten."), fields={"handlers": [_("Ugyldig valg.")]}
        )
    with transaction.atomic():
        mailbox.handler_roles = sorted(set(handler_roles))
        mailbox.substitute_id = substitute_id
        mailbox.guardians_may_mark_urgent = guardians_may_mark_urgent
        mailbox.full_clean()
        mailbox.save(update_fields=["handler_roles", "substitute", "guardians_may_mark_urgent"])
        mailbox.handlers.set(sorted(set(handler_ids)))
        audit_record(
            action="update",
            event="messaging.mailbox.update",
            object_type="messaging.mailbox",
            object_id=mailbox.pk,
            details={"handler_roles": mailbox.handler_roles, "handlers": len(handler_ids)},
            user_id=user.pk,
        )
    return mailbox
