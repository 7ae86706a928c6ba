"""Log in as a demo persona of the seeded demo municipality (``demo_municipality`` fixture) without OIDC.

Creates the user and account that a first login through the identity provider would create, for the
employee or person that ``seed_demo`` made for the persona, so tests can walk the demo as its people do.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from oas.access.services import roles_recompute_for_employees
from oas.demo_personas import PERSONAS_BY_KEY
from oas.identity.models import Account, AccountKind
from oas.people.models import Employee, Person


def persona_user(key: str) -> Any:
    """Return the (new or existing) user of demo persona ``key``; the demo must be seeded."""
    persona = PERSONAS_BY_KEY[key]
    user_model = get_user_model()
    if persona.kind == "staff":
        employee = Employee.objects.select_related("person").get(employee_number=persona.employee_number)
        account = Account.objects.filter(kind=AccountKind.STAFF, employee=employee).select_related("user").first()
        if account is None:
            # As a first login does (oas.identity.services): the user carries the person's name.
            user = user_model.objects.create(
                username=f"staff-{employee.employee_number}",
                first_name=employee.person.first_name[:150],
                last_name=employee.person.last_name[:150],
            )
            account = Account.objects.create(
                user=user, kind=AccountKind.STAFF, person=employee.person, employee=employee, provider=persona.provider
            )
            roles_recompute_for_employees(employee_ids=[employee.pk])  # admin access (is_staff) follows the role
        return user_model.objects.get(pk=account.user_id)
    person = Person.objects.get(national_id=persona.national_id)
    account = Account.objects.filter(kind=AccountKind.GUARDIAN, person=person).select_related("user").first()
    if account is None:
        user = user_model.objects.create(
            username=f"guardian-{person.pk}", first_name=person.first_name[:150], last_name=person.last_name[:150]
        )
        account = Account.objects.create(user=user, kind=AccountKind.GUARDIAN, person=person, provider="idporten")
    return account.user
