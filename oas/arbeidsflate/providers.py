"""The kernel's own arbeidsflate providers. Each is role-aware and counts only what the user may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oas import clock
from oas.access.evaluation import access_queryset
from oas.access.models import AccessGrant, RoleAssignment
from oas.access.principal import principal_for
from oas.access.roles import Role
from oas.arbeidsflate.registry import NotificationType, WorkspaceTask, registry
from oas.arbeidsflate.selectors import children_for_staff
from oas.audit.models import AuditAction, AuditEvent
from oas.organisation.models import OrgUnitKind, Ownership
from oas.organisation.selectors import orgunits_active
from oas.people.models import (
    Adressebeskyttelse,
    DeltBosted,
    Employment,
    Person,
    PersonRelation,
    Placement,
    RelationKind,
    Service,
)


def _has_role(user: Any, *roles: str) -> bool:
    return bool(principal_for(user).role_codes & set(roles))


def _children_url(**params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("arbeidsflate:children") + (f"?{query}" if query else "")


class ProtectedChildrenProvider:
    """Leaders and merkantil (their unit), system administrators (everywhere: they handle the grants):
    children with fortrolig/strengt fortrolig address."""

    key = "people.protected_children"
    module = "people"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        # Leaders, and merkantil because they send the letters that must not carry these addresses.
        if not _has_role(user, Role.UNIT_LEADER, Role.UNIT_ADMIN, Role.SYSTEM_ADMIN):
            return []
        n = children_for_staff(user=user, protected_only=True).count()
        if not n:
            return []
        title = _("Barn med beskyttet adresse")
        return [WorkspaceTask(self.key, title, n, _children_url(protected="1"), self.module, "warning")]


class LivesWithUnconfirmedProvider:
    """The office (system admin, admission): strengt fortrolig children whose home the office has not confirmed.

    The register gives no address for them, so nobody counts as living with the child (and may learn its unit)
    until the office confirms it (``child_lives_with_confirm``; the link is on the child's page).
    """

    key = "people.lives_with_unconfirmed"
    module = "people"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        today = clock.today()
        current = Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        confirmed = PersonRelation.objects.filter(
            current, child=OuterRef("pk"), lives_with_child_confirmed_at__isnull=False
        )
        children = Person.objects.filter(adressebeskyttelse=Adressebeskyttelse.STRENGT_FORTROLIG).filter(
            ~Exists(confirmed), pk__in=PersonRelation.objects.filter(current).values("child_id")
        )
        n = access_queryset(user=user, action="person.confirm_lives_with", queryset=children).count()
        if not n:
            return []
        title = _("Barn med strengt fortrolig adresse: bekreft hvem barnet bor hos")
        return [WorkspaceTask(self.key, title, n, _children_url(protected="1"), self.module, "danger")]


class ChildrenWithoutGroupProvider:
    """Leaders and merkantil: placed children not yet put in a group (department/class)."""

    key = "people.children_without_group"
    module = "people"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not _has_role(user, Role.UNIT_LEADER, Role.UNIT_ADMIN):
            return []
        n = children_for_staff(user=user, without_group=True).count()
        if not n:
            return []
        title = _("Barn uten gruppe")
        return [WorkspaceTask(self.key, title, n, _children_url(nogroup="1"), self.module, "warning")]


class MyGroupChildrenProvider:
    """Contact teachers and group staff: the children in their groups."""

    key = "people.my_groups"
    module = "people"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        groups = [r for r in principal_for(user).roles if r.role in (Role.CONTACT_TEACHER, Role.GROUP_STAFF)]
        tasks = []
        for holding in sorted({(g.unit_id, g.unit_name) for g in groups}):
            n = children_for_staff(user=user, unit_id=holding[0]).count()
            title = _("Barn i %(group)s") % {"group": holding[1]}
            url = _children_url(unit=str(holding[0]))
            tasks.append(WorkspaceTask(self.key, title, n, url, self.module, "info", unit_id=holding[0]))
        return tasks


class EmploymentsEndingProvider:
    """Leaders: employments in their unit ending within 30 days (plan substitutes and access)."""

    key = "people.employments_ending"
    module = "people"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        leader = [r for r in principal_for(user).roles if r.role == Role.UNIT_LEADER]
        if not leader:
            return []
        today = clock.today()
        in_units = Q()
        for r in leader:
            in_units |= Q(unit__path__startswith=r.unit_path)
        n = Employment.objects.filter(
            in_units, valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=30)
        ).count()
        if not n:
            return []
        return [WorkspaceTask(self.key, _("Arbeidsforhold som avsluttes innen 30 dager"), n, "", self.module, "info")]


class ChildrenStartingProvider:
    """Sector office, admission: children whose placement starts within 14 days."""

    key = "people.children_starting"
    module = "people"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not _has_role(user, Role.SECTOR_ADMISSION):
            return []
        today = clock.today()
        starting = Placement.objects.filter(
            child=OuterRef("pk"), start_date__gt=today, start_date__lte=today + dt.timedelta(days=14)
        )
        n = access_queryset(user=user, action="child.read", queryset=Person.objects.filter(Exists(starting))).count()
        if not n:
            return []
        return [WorkspaceTask(self.key, _("Barn som starter innen 14 dager"), n, _children_url(), self.module, "info")]


class ChildrenWithoutGuardianProvider:
    """Sector office, finance: placed children without a guardian with foreldreansvar (nobody to invoice)."""

    key = "people.children_without_guardian"
    module = "people"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not _has_role(user, Role.SECTOR_FINANCE):
            return []
        today = clock.today()
        guardian = PersonRelation.objects.filter(
            child=OuterRef("pk"), kind=RelationKind.GUARDIAN, valid_from__lte=today
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        n = children_for_staff(user=user).filter(~Exists(guardian)).count()
        if not n:
            return []
        title = _("Barn med plass uten foresatt med foreldreansvar")
        return [WorkspaceTask(self.key, title, n, _children_url(), self.module, "warning")]


class ExpiringGrantsProvider:
    """System administrators: explicit grants that expire within 14 days."""

    key = "access.expiring_grants"
    module = "access"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not _has_role(user, Role.SYSTEM_ADMIN):
            return []
        today = clock.today()
        n = AccessGrant.objects.filter(valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=14)).count()
        if not n:
            return []
        url = reverse("admin:access_accessgrant_changelist")
        return [WorkspaceTask(self.key, _("Unntakstilganger som utløper snart"), n, url, self.module, "info")]


class DeniedAttemptsProvider:
    """System administrators: refused access attempts in the last seven days (look for guessing)."""

    key = "audit.denied_attempts"
    module = "audit"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not _has_role(user, Role.SYSTEM_ADMIN):
            return []
        since = clock.now() - dt.timedelta(days=7)
        n = AuditEvent.objects.filter(action=AuditAction.DENIED, at__gte=since).count()
        if not n:
            return []
        url = reverse("admin:audit_auditevent_changelist") + "?action__exact=denied"
        return [WorkspaceTask(self.key, _("Avviste tilgangsforsøk siste 7 dager"), n, url, self.module, "warning")]


class UnitChildrenProvider:
    """Unit staff without a group of their own (teachers, special-education staff): the unit's children."""

    key = "people.unit_children"
    module = "people"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        roles = principal_for(user).roles
        if any(r.role in (Role.CONTACT_TEACHER, Role.GROUP_STAFF, Role.UNIT_LEADER) for r in roles):
            return []  # they get their groups or the snapshot instead
        units = sorted({(r.unit_id, r.unit_name) for r in roles if r.role in (Role.UNIT_STAFF, Role.SPECIAL_EDUCATION)})
        tasks = []
        for unit_id, unit_name in units:
            n = children_for_staff(user=user, unit_id=unit_id).count()
            title = _("Barn ved %(unit)s") % {"unit": unit_name}
            tasks.append(
                WorkspaceTask(self.key, title, n, _children_url(unit=str(unit_id)), self.module, unit_id=unit_id)
            )
        return tasks


class SchoolStartersProvider:
    """Admission and advisors: kindergarten places freed in August when the six-year-olds start school."""

    key = "people.school_starters"
    module = "people"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not _has_role(user, Role.SECTOR_ADMISSION, Role.SECTOR_ADVISOR):
            return []
        today = clock.today()
        school_year = today.year + (1 if today.month >= 8 else 0)
        born = school_year - 6
        in_kindergarten = Placement.objects.filter(
            child=OuterRef("pk"), service=Service.KINDERGARTEN, start_date__lte=today
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        qs = Person.objects.filter(Exists(in_kindergarten), birth_date__year=born)
        n = access_queryset(user=user, action="child.read", queryset=qs).count()
        if not n:
            return []
        title = _("Barnehageplasser som blir ledige ved skolestart %(year)s (barn født %(born)s)") % {
            "year": school_year,
            "born": born,
        }
        return [WorkspaceTask(self.key, title, n, _children_url(), self.module, "info")]


class DeltBostedProvider:
    """Sector office, finance: placed children with delt bosted (two households: check who is invoiced)."""

    key = "people.delt_bosted"
    module = "people"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not _has_role(user, Role.SECTOR_FINANCE):
            return []
        today = clock.today()
        delt = DeltBosted.objects.filter(child=OuterRef("pk"), valid_from__lte=today).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today)
        )
        n = children_for_staff(user=user).filter(Exists(delt)).count()
        if not n:
            return []
        title = _("Barn med plass og delt bosted (avklar fakturamottaker)")
        return [WorkspaceTask(self.key, title, n, _children_url(delt="1"), self.module, "info")]


class KindergartenCountProvider:
    """Report viewers and advisors: children in kindergarten today (BASIL counts on 15 December)."""

    key = "reports.kindergarten_count"
    module = "reports"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not _has_role(user, Role.REPORT_VIEWER, Role.SECTOR_ADVISOR):
            return []
        today = clock.today()
        n = (
            Placement.objects.filter(service=Service.KINDERGARTEN, start_date__lte=today)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            .values("child_id")
            .distinct()
            .count()
        )
        title = _("Barn i barnehage i dag (BASIL-telling 15. desember)")
        return [WorkspaceTask(self.key, title, n, "", self.module, "info")]


class UnitsWithoutLeaderProvider:
    """System administrators and advisors: municipal units with no current leader role (check the ERP data)."""

    key = "access.units_without_leader"
    module = "access"

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        if not _has_role(user, Role.SYSTEM_ADMIN, Role.SECTOR_ADVISOR):
            return []
        today = clock.today()
        leader = RoleAssignment.objects.filter(
            unit=OuterRef("pk"), role=Role.UNIT_LEADER, valid_from__lte=today
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        n = (
            orgunits_active(on=today)
            .filter(
                kind__in=[OrgUnitKind.SCHOOL, OrgUnitKind.KINDERGARTEN, OrgUnitKind.SFO], ownership=Ownership.MUNICIPAL
            )
            .filter(~Exists(leader))
            .count()
        )
        if not n:
            return []
        url = reverse("admin:access_roleassignment_changelist")
        return [WorkspaceTask(self.key, _("Kommunale enheter uten leder"), n, url, self.module, "warning")]


def register_kernel_providers() -> None:
    """Register the kernel's providers and notification types (called from AppConfig.ready)."""
    for provider in (
        ProtectedChildrenProvider(),
        LivesWithUnconfirmedProvider(),
        ChildrenWithoutGroupProvider(),
        MyGroupChildrenProvider(),
        EmploymentsEndingProvider(),
        ChildrenStartingProvider(),
        ChildrenWithoutGuardianProvider(),
        ExpiringGrantsProvider(),
        DeniedAttemptsProvider(),
        UnitChildrenProvider(),
        SchoolStartersProvider(),
        DeltBostedProvider(),
        KindergartenCountProvider(),
        UnitsWithoutLeaderProvider(),
    ):
        registry.register_task_provider(provider)
    registry.register_notification_type(
        NotificationType(key="access.grant_expiring", label=gettext_lazy("Tilgang utløper"), module="access")
    )
    registry.register_notification_type(
        NotificationType(key="audit.denied_attempt", label=gettext_lazy("Avvist tilgangsforsøk"), module="audit")
    )
