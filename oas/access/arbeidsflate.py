"""Arbeidsflate (staff workspace) tasks and notification types about access and refused access attempts.

Registered in ``AccessConfig.ready``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy

from oas import clock
from oas.access.models import AccessGrant, RoleAssignment
from oas.access.roles import Role
from oas.arbeidsflate.registry import CountTask, NotificationType, TaskProvider, admin_url
from oas.audit.models import AuditAction, AuditEvent
from oas.organisation.models import OrgUnit, OrgUnitKind, Ownership
from oas.organisation.selectors import orgunits_active
from oas.periods import active_on

if TYPE_CHECKING:
    from oas.access.principal import Actor


def _grants_expiring(user: Actor) -> QuerySet[AccessGrant]:
    today = clock.today()
    return AccessGrant.objects.filter(valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=14))


def _denied_attempts(user: Actor) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(action=AuditAction.DENIED, at__gte=clock.now() - dt.timedelta(days=7))


def _units_without_leader(user: Actor) -> QuerySet[OrgUnit]:
    today = clock.today()
    leader = RoleAssignment.objects.filter(active_on(today), unit=OuterRef("pk"), role=Role.UNIT_LEADER)
    return (
        orgunits_active(on=today)
        .filter(kind__in=[OrgUnitKind.SCHOOL, OrgUnitKind.KINDERGARTEN, OrgUnitKind.SFO], ownership=Ownership.MUNICIPAL)
        .filter(~Exists(leader))
    )


EXPIRING_GRANTS = CountTask(
    key="access.expiring_grants",
    module="access",
    title=gettext_lazy("Unntakstilganger som utløper snart"),  # explicit grants ending within 14 days
    roles=frozenset({Role.SYSTEM_ADMIN}),
    rows=_grants_expiring,
    url=lambda: admin_url("admin:access_accessgrant_changelist"),
)

UNITS_WITHOUT_LEADER = CountTask(
    key="access.units_without_leader",
    module="access",
    title=gettext_lazy("Kommunale enheter uten leder"),  # no current leader role: check the ERP data
    roles=frozenset({Role.SYSTEM_ADMIN, Role.SECTOR_ADVISOR}),
    rows=_units_without_leader,
    url=lambda: admin_url("admin:access_roleassignment_changelist"),
    severity="warning",
)

DENIED_ATTEMPTS = CountTask(
    key="audit.denied_attempts",
    module="audit",
    title=gettext_lazy("Avviste tilgangsforsøk siste 7 dager"),  # look for someone guessing
    roles=frozenset({Role.SYSTEM_ADMIN}),
    rows=_denied_attempts,
    url=lambda: admin_url("admin:audit_auditevent_changelist", "?action__exact=denied"),
    severity="warning",
)

TASKS: tuple[TaskProvider, ...] = (EXPIRING_GRANTS, DENIED_ATTEMPTS, UNITS_WITHOUT_LEADER)

NOTIFICATION_TYPES = (
    NotificationType(key="access.grant_expiring", label=gettext_lazy("Tilgang utløper"), module="access"),
    NotificationType(key="audit.denied_attempt", label=gettext_lazy("Avvist tilgangsforsøk"), module="audit"),
)
