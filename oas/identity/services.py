"""Writes for logins: accounts for staff and guardians, the break-glass superuser, and their audit rows."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import Conflict, ValidationError
from oas.identity import errors
from oas.identity.models import Account, AccountKind
from oas.identity.providers import ACR_RANK, LOA_SUBSTANTIAL, Provider
from oas.identity.selectors import employee_for_claims, person_for_pid
from oas.people.models import Employee, Person

if TYPE_CHECKING:
    from oas.access.principal import Actor


def _user_model() -> type[User]:
    return get_user_model()


def _unique_username(base: str) -> str:
    user_model = _user_model()
    candidate, n = base, 1
    while user_model.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _account_user(*, kind: str, person: Person, employee: Employee | None, provider: Provider, subject: str) -> Any:
    """Find or create the user behind an account of ``kind`` for this person/employee; keep names current."""
    accounts = Account.objects.select_related("user").filter(kind=kind)
    account = (accounts.filter(employee=employee) if employee else accounts.filter(person=person)).first()
    if account is None:
        base = f"staff-{employee.employee_number}" if employee else f"guardian-{person.pk}"
        user = _user_model()(username=_unique_username(base))
        user.set_unusable_password()
        user.save()
        account = Account(user=user, kind=kind, person=person, employee=employee)
    user = account.user
    user.first_name, user.last_name = person.first_name[:150], person.last_name[:150]
    user.email = employee.email if employee else ""
    user.save(update_fields=["first_name", "last_name", "email"])
    account.provider, account.subject = provider.key, subject[:200]
    account.full_clean()
    account.save()
    return user


def login_refusal(*, provider: Provider, reason: str, detail: str = "") -> errors.LoginRejected:
    """Audit a refused login and return the exception to raise."""
    # No person ids: a refused login names nobody in the register (an unknown pid is not ours to store).
    audit_record(
        action=AuditAction.DENIED,
        event="login.refused",
        user_id=None,
        actor_display=f"{provider.key}-innlogging",
        details={"provider": provider.key, "reason": reason},
    )
    return errors.LoginRejected(reason, detail)


def account_login_staff(*, provider: Provider, claims: Mapping[str, Any]) -> Any:
    """Match a staff login to an active employee and return the (created or updated) user."""
    if provider.tenant_id and claims.get("tid") != provider.tenant_id:
        raise login_refusal(provider=provider, reason=errors.WRONG_TENANT)
    employee = employee_for_claims(claims=claims, match_claim=provider.match_claim)
    if employee is None:
        raise login_refusal(provider=provider, reason=errors.UNKNOWN_EMPLOYEE, detail=provider.match_claim)
    with transaction.atomic():  # refusals above stay outside, so their audit rows are never rolled back
        return _login_recorded(
            kind=AccountKind.STAFF, person=employee.person, employee=employee, provider=provider, claims=claims
        )


def _login_recorded(
    *, kind: str, person: Person, employee: Employee | None, provider: Provider, claims: Mapping[str, Any]
) -> Any:
    user = _account_user(kind=kind, person=person, employee=employee, provider=provider, subject=str(claims["sub"]))
    details = {"provider": provider.key} | ({"acr": str(claims["acr"])} if kind == AccountKind.GUARDIAN else {})
    audit_record(
        action=AuditAction.LOGIN,
        event=f"login.{kind}",
        user_id=user.pk,
        actor_display=user.get_full_name() or user.username,
        person_ids=[person.pk],
        details=details,
    )
    return user


def guardian_acr_check(*, provider: Provider, claims: Mapping[str, Any], required: str) -> str:
    """Return the login's acr when it is at least ``required``; ID-porten clients must check it."""
    acr = claims.get("acr")
    if not isinstance(acr, str) or acr not in ACR_RANK:
        raise login_refusal(provider=provider, reason=errors.ACR_MISSING)
    if ACR_RANK[acr] < ACR_RANK.get(required, ACR_RANK[LOA_SUBSTANTIAL]):
        raise login_refusal(provider=provider, reason=errors.ACR_TOO_LOW, detail=acr)
    return acr


def account_login_guardian(*, provider: Provider, claims: Mapping[str, Any], required_acr: str) -> Any:
    """Match an ID-porten login (pid) to a person in the register and return the guardian user."""
    acr = guardian_acr_check(provider=provider, claims=claims, required=required_acr)
    pid = claims.get("pid")
    person = person_for_pid(pid=pid) if isinstance(pid, str) else None
    if person is None:
        raise login_refusal(provider=provider, reason=errors.UNKNOWN_PERSON)
    with transaction.atomic():
        return _login_recorded(
            kind=AccountKind.GUARDIAN, person=person, employee=None, provider=provider, claims={**claims, "acr": acr}
        )


def breakglass_login_record(*, user: Actor) -> None:
    """Audit a password login by a break-glass account."""
    audit_record(
        action=AuditAction.LOGIN,
        event="login.break_glass",
        user_id=user.pk,
        actor_display=str(user),  # a User: its username
        details={"method": "password"},
    )


def breakglass_password_refused_record(*, user: Actor) -> None:
    """Audit a correct password for an account that may not log in with a password."""
    audit_record(
        action=AuditAction.DENIED,
        event="login.password_refused",
        user_id=user.pk,
        actor_display=str(user),  # a User: its username
        details={"method": "password"},
    )


@transaction.atomic
def breakglass_superuser_create(*, username: str) -> tuple[Any, str]:
    """Create a break-glass superuser with a generated password; return the user and the password (shown once)."""
    username = username.strip()
    if not username or len(username) > 150:
        raise ValidationError(_("Brukernavnet må ha 1–150 tegn."), fields={"username": [_("Ugyldig brukernavn.")]})
    user_model = _user_model()
    if user_model.objects.filter(username=username).exists():
        raise Conflict(_("Brukernavnet %(username)s finnes allerede.") % {"username": username})
    password = secrets.token_urlsafe(24)
    user = user_model(username=username, is_staff=True, is_superuser=True, is_active=True)
    user.set_password(password)
    user.full_clean()
    user.save()
    Account.objects.create(user=user, kind=AccountKind.BREAK_GLASS)
    audit_record(
        action=AuditAction.CREATE,
        event="account.break_glass_created",
        object_type="user",
        object_id=user.pk,
        details={"username": username},
    )
    return user, password
