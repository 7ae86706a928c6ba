"""Arbeidsflate (staff workspace) tasks about children and staff; each is role-aware and counts only what the
user may see. Registered in ``PeopleConfig.ready``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oas import clock
from oas.access.evaluation import access_queryset
from oas.access.principal import principal_for
from oas.access.roles import Role
from oas.arbeidsflate.registry import CountTask, TaskProvider, WorkspaceTask, children_url
from oas.arbeidsflate.selectors import children_for_staff
from oas.people.models import Adressebeskyttelse, Employment, Person, PersonRelation, Placement, RelationKind
from oas.periods import active_on

if TYPE_CHECKING:
    from oas.access.principal import Actor


def _lives_with_unconfirmed(user: Actor) -> QuerySet[Person]:
    # The register gives no address for strengt fortrolig children, so nobody counts as living with the child
    # (and may learn its unit) until the office confirms it (``child_lives_with_confirm``, on the child's page).
    current = active_on(clock.today())
    confirmed = PersonRelation.objects.filter(
        current, child=OuterRef("pk"), lives_with_child_confirmed_at__isnull=False
    )
    children = Person.objects.filter(adressebeskyttelse=Adressebeskyttelse.STRENGT_FORTROLIG).filter(
        ~Exists(confirmed), pk__in=PersonRelation.objects.filter(current).values("child_id")
    )
    return access_queryset(user=user, action="person.confirm_lives_with", queryset=children)


def _employments_ending(user: Actor) -> QuerySet[Employment]:
    today = clock.today()
    in_units = Q()
    for r in principal_for(user).roles:
        if r.role == Role.UNIT_LEADER:
            in_units |= Q(unit__path__startswith=r.unit_path)
    return Employment.objects.filter(in_units, valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=30))


def _children_starting(user: Actor) -> QuerySet[Any]:
    today = clock.today()
    starting = Placement.objects.filter(
        child=OuterRef("pk"), start_date__gt=today, start_date__lte=today + dt.timedelta(days=14)
    )
    return access_queryset(user=user, action="child.read", queryset=Person.objects.filter(Exists(starting)))


def _children_without_guardian(user: Actor) -> QuerySet[Person]:
    # Placed children with no current relation giving foreldreansvar: nobody to invoice. Only the guardian's
    # relation kind counts (a foster parent is not invoiced), so this is not ``child_adult_ids``.
    guardian = PersonRelation.objects.filter(active_on(clock.today()), child=OuterRef("pk"), kind=RelationKind.GUARDIAN)
    return children_for_staff(user=user).filter(~Exists(guardian))


PROTECTED_CHILDREN = CountTask(
    key="people.protected_children",
    module="people",
    title=gettext_lazy("Barn med beskyttet adresse"),
    # Leaders, and merkantil because they send the letters that must not carry these addresses; system
    # administrators everywhere (they handle the grants).
    roles=frozenset({Role.UNIT_LEADER, Role.UNIT_ADMIN, Role.SYSTEM_ADMIN}),
    rows=lambda user: children_for_staff(user=user, protected_only=True),
    url=lambda: children_url(protected="1"),
    severity="warning",
)

LIVES_WITH_UNCONFIRMED = CountTask(
    key="people.lives_with_unconfirmed",
    module="people",
    title=gettext_lazy("Barn med strengt fortrolig adresse: bekreft hvem barnet bor hos"),
    rows=_lives_with_unconfirmed,
    url=lambda: children_url(oppgave="people.lives_with_unconfirmed"),
    severity="danger",
)

CHILDREN_WITHOUT_GROUP = CountTask(
    key="people.children_without_group",
    module="people",
    title=gettext_lazy("Barn uten gruppe"),
    roles=frozenset({Role.UNIT_LEADER, Role.UNIT_ADMIN}),
    rows=lambda user: children_for_staff(user=user, without_group=True),
    url=lambda: children_url(nogroup="1"),
    severity="warning",
)

EMPLOYMENTS_ENDING = CountTask(
    key="people.employments_ending",
    module="people",
    title=gettext_lazy("Arbeidsforhold som avsluttes innen 30 dager"),  # plan substitutes and access
    roles=frozenset({Role.UNIT_LEADER}),
    rows=_employments_ending,
)

CHILDREN_STARTING = CountTask(
    key="people.children_starting",
    module="people",
    title=gettext_lazy("Barn som starter innen 14 dager"),
    roles=frozenset({Role.SECTOR_ADMISSION}),
    rows=_children_starting,
    url=lambda: children_url(oppgave="people.children_starting"),
)

CHILDREN_WITHOUT_GUARDIAN = CountTask(
    key="people.children_without_guardian",
    module="people",
    title=gettext_lazy("Barn med plass uten foresatt med foreldreansvar"),
    roles=frozenset({Role.SECTOR_FINANCE}),
    rows=_children_without_guardian,
    url=lambda: children_url(oppgave="people.children_without_guardian"),
    severity="warning",
)

DELT_BOSTED = CountTask(
    key="people.delt_bosted",
    module="people",
    title=gettext_lazy("Barn med plass og delt bosted (avklar fakturamottaker)"),
    roles=frozenset({Role.SECTOR_FINANCE}),
    rows=lambda user: children_for_staff(user=user, delt_bosted=True),
    url=lambda: children_url(delt="1"),
)


class MyGroupChildren:
    """Contact teachers and group staff: the children in their groups, one line per group."""

    key = "people.my_groups"
    module = "people"

    def tasks_for(self, *, user: Actor) -> list[WorkspaceTask]:
        groups = [r for r in principal_for(user).roles if r.role in (Role.CONTACT_TEACHER, Role.GROUP_STAFF)]
        tasks = []
        for unit_id, unit_name in sorted({(g.unit_id, g.unit_name) for g in groups}):
            n = children_for_staff(user=user, unit_id=unit_id).count()
            title = _("Barn i %(group)s") % {"group": unit_name}
            url = children_url(unit=str(unit_id))
            tasks.append(WorkspaceTask(self.key, title, n, url, self.module, "info", unit_id=unit_id))
        return tasks


class UnitChildren:
    """Unit staff without a group of their own (teachers, special-education staff): the unit's children."""

    key = "people.unit_children"
    module = "people"

    def tasks_for(self, *, user: Actor) -> list[WorkspaceTask]:
        roles = principal_for(user).roles
        if any(r.role in (Role.CONTACT_TEACHER, Role.GROUP_STAFF, Role.UNIT_LEADER) for r in roles):
            return []  # they get their groups or the snapshot instead
        units = sorted({(r.unit_id, r.unit_name) for r in roles if r.role in (Role.UNIT_STAFF, Role.SPECIAL_EDUCATION)})
        tasks = []
        for unit_id, unit_name in units:
            n = children_for_staff(user=user, unit_id=unit_id).count()
            title = _("Barn ved %(unit)s") % {"unit": unit_name}
            tasks.append(
                WorkspaceTask(self.key, title, n, children_url(unit=str(unit_id)), self.module, unit_id=unit_id)
            )
        return tasks


TASKS: tuple[TaskProvider, ...] = (
    PROTECTED_CHILDREN,
    LIVES_WITH_UNCONFIRMED,
    CHILDREN_WITHOUT_GROUP,
    MyGroupChildren(),
    EMPLOYMENTS_ENDING,
    CHILDREN_STARTING,
    CHILDREN_WITHOUT_GUARDIAN,
    UnitChildren(),
    DELT_BOSTED,
)
