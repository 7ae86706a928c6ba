"""Writes for access control: derived roles, explicit grants, the default role mapping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm

from oas import clock
from oas.access.actions import get_action
from oas.access.models import AccessGrant, MappingSource, RoleAssignment, RoleMapping
from oas.access.roles import DEFAULT_GROUP_ROLES, DEFAULT_POSITION_ROLES, GROUP_ROLES, Role
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError, full_clean_or_raise
from oas.identity.models import Account, AccountKind
from oas.organisation.models import OrgUnit
from oas.people.models import Employment, GroupAssignment, Person
from oas.periods import active_on


@transaction.atomic
def role_mapping_seed() -> int:
    """Create the default position→role mapping rows that are missing; return how many were created."""
    rows = [(MappingSource.POSITION, c, r) for c, roles in DEFAULT_POSITION_ROLES.items() for r in roles]
    rows += [(MappingSource.GROUP_ASSIGNMENT, c, r) for c, roles in DEFAULT_GROUP_ROLES.items() for r in roles]
    # One read and one insert instead of a get_or_create (two queries) per row.
    existing = set(RoleMapping.objects.values_list("source", "code", "role"))
    missing = [RoleMapping(source=s, code=c, role=r) for s, c, r in rows if (s, c, r) not in existing]
    RoleMapping.objects.bulk_create(missing)
    return len(missing)


def _mapping() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    by_position: dict[str, set[str]] = {}
    by_group_role: dict[str, set[str]] = {}
    for source, code, role in RoleMapping.objects.values_list("source", "code", "role"):
        target = by_position if source == MappingSource.POSITION else by_group_role
        target.setdefault(code, set()).add(role)
    return by_position, by_group_role


@transaction.atomic
def roles_recompute_for_employees(*, employee_ids: Iterable[int]) -> int:
    """Rebuild the derived role rows of these employees from their employments and group assignments.

    Also syncs Django admin access: a current system administrator role gives ``is_staff`` and
    ``is_superuser`` to the employee's staff accounts, and losing it takes them away. Returns the number
    of role rows written.
    """
    ids = sorted({int(i) for i in employee_ids})
    if not ids:
        return 0
    by_position, by_group_role = _mapping()
    RoleAssignment.objects.filter(employee_id__in=ids).delete()
    rows: list[RoleAssignment] = []
    for emp in Employment.objects.filter(employee_id__in=ids, employee__active=True):
        for role in sorted(by_position.get(emp.position_code, set())):
            if role in GROUP_ROLES:
                continue  # group roles need a group: they come from group assignments only
            rows.append(
                RoleAssignment(
                    employee_id=emp.employee_id,
                    role=role,
                    unit_id=emp.unit_id,
                    valid_from=emp.valid_from,
                    valid_to=emp.valid_to,
                    employment=emp,
                )
            )
    rows.extend(
        RoleAssignment(
            employee_id=ga.employee_id,
            role=role,
            unit_id=ga.group_id,
            valid_from=ga.valid_from,
            valid_to=ga.valid_to,
            group_assignment=ga,
        )
        for ga in GroupAssignment.objects.filter(employee_id__in=ids, employee__active=True)
        for role in sorted(by_group_role.get(ga.role, set()))
    )
    RoleAssignment.objects.bulk_create(rows)
    sync_admin_flags(employee_ids=ids)
    return len(rows)


def roles_recompute_all() -> int:
    """Rebuild every employee's roles (nightly, and after the mapping changes)."""
    from oas.people.models import Employee

    return roles_recompute_for_employees(employee_ids=Employee.objects.values_list("pk", flat=True))


def sync_admin_flags(*, employee_ids: list[int]) -> None:
    """Give staff accounts Django admin access exactly while the employee holds the system administrator role."""
    today = clock.today()
    admins = set(
        RoleAssignment.objects.filter(
            active_on(today), employee_id__in=employee_ids, role=Role.SYSTEM_ADMIN
        ).values_list("employee_id", flat=True)
    )
    accounts = Account.objects.filter(employee_id__in=employee_ids, kind=AccountKind.STAFF).select_related("user")
    for account in accounts:
        user = account.user
        wanted = account.employee_id in admins
        if user.is_staff != wanted or user.is_superuser != wanted:
            user.is_staff = wanted
            user.is_superuser = wanted
            user.save(update_fields=["is_staff", "is_superuser"])


def grant_codename(action: str) -> str:
    """Return the django-guardian permission codename for an action (dots are not allowed there)."""
    return "oas__" + action.replace(".", "__")


def _permission_for(*, action: str, model: type[Person] | type[OrgUnit]) -> Permission:
    ctype = ContentType.objects.get_for_model(model)
    codename = grant_codename(action)
    perm, _created = Permission.objects.get_or_create(
        content_type=ctype, codename=codename, defaults={"name": f"OAS {action}"[:255]}
    )
    return perm


@transaction.atomic
def grant_create(
    *,
    user_id: int,
    action: str,
    valid_to: dt.date,
    reason: str,
    person: Person | None = None,
    unit: OrgUnit | None = None,
    valid_from: dt.date | None = None,
    granted_by: str = "",
) -> AccessGrant:
    """Give one user one action on one child or one unit subtree until ``valid_to`` (inclusive)."""
    try:
        get_action(action)
    except LookupError:
        raise ValidationError(
            _("Ukjent handling."), fields={"action": [_("%(action)s finnes ikke.") % {"action": action}]}
        ) from None
    if (person is None) == (unit is None):
        raise ValidationError(_("Velg enten et barn eller en enhet."), fields={"person": [_("Velg ett mål.")]})
    if not reason.strip():
        raise ValidationError(_("Begrunnelse mangler."), fields={"reason": [_("Skriv en begrunnelse.")]})
    grant = AccessGrant(
        user_id=user_id,
        action=action,
        person=person,
        unit=unit,
        valid_from=valid_from or clock.today(),
        valid_to=valid_to,
        reason=reason.strip(),
        granted_by=granted_by,
    )
    full_clean_or_raise(grant, exclude=["object_permission"])
    if grant.valid_to < grant.valid_from:
        raise ValidationError(_("Sluttdato før startdato."), fields={"valid_to": [_("Må være etter startdato.")]})
    target: Person | OrgUnit = person if person is not None else unit  # type: ignore[assignment]
    perm = _permission_for(action=action, model=type(target))
    obj_perm = assign_perm(perm, grant.user, target)
    assert isinstance(obj_perm, UserObjectPermission)
    grant.object_permission = obj_perm
    grant.save()
    audit_record(
        action=AuditAction.CREATE,
        event="access.grant_create",
        person_ids=[person.pk] if person is not None else [],
        object_type="access.AccessGrant",
        object_id=grant.pk,
        details={"action": action, "user_id": user_id, "valid_to": valid_to.isoformat(), "reason": grant.reason},
    )
    return grant


@transaction.atomic
def grant_revoke(*, grant: AccessGrant) -> None:
    """End a grant now: its guardian permission is removed, so it stops working at once."""
    grant.valid_to = max(grant.valid_from, clock.today() - dt.timedelta(days=1))
    grant.save(update_fields=["valid_to"])
    if grant.object_permission_id is not None:
        UserObjectPermission.objects.filter(pk=grant.object_permission_id).delete()
    audit_record(
        action=AuditAction.UPDATE,
        event="access.grant_revoke",
        person_ids=[grant.person_id] if grant.person_id else [],
        object_type="access.AccessGrant",
        object_id=grant.pk,
    )


def access_grants_cleanup() -> int:
    """Remove the guardian permissions of expired grants (the grants already stopped working)."""
    expired = AccessGrant.objects.filter(valid_to__lt=clock.today(), object_permission__isnull=False)
    ids = list(expired.values_list("object_permission_id", flat=True))
    UserObjectPermission.objects.filter(pk__in=ids).delete()
    return len(ids)
