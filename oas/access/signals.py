"""Recompute derived roles when master data changes (Employment, GroupAssignment, Employee)

Mapping edits in the admin recompute everyone (see admin.py)..

Bulk imports (``bulk_create``/``update``) send no signals: the importer calls
``roles_recompute_for_employees(employee_ids=…)`` itself afterwards.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from oas.identity.models import Account, AccountKind
from oas.people.models import Employee, Employment, GroupAssignment


@receiver([post_save, post_delete], sender=Employment)
@receiver([post_save, post_delete], sender=GroupAssignment)
def _master_data_changed(sender: Any, instance: Employment | GroupAssignment, **kwargs: Any) -> None:
    from oas.access.services import roles_recompute_for_employees

    employee_id = instance.employee_id
    if kwargs.get("signal") is post_delete and not Employee.objects.filter(pk=employee_id).exists():
        return  # the employee itself is being deleted; its role rows cascade away
    roles_recompute_for_employees(employee_ids=[employee_id])


@receiver(post_save, sender=Employee)
def _employee_changed(sender: Any, instance: Employee, created: bool, **kwargs: Any) -> None:
    if not created:  # ``active`` may have changed
        from oas.access.services import roles_recompute_for_employees

        roles_recompute_for_employees(employee_ids=[instance.pk])


@receiver(post_save, sender=Account)
def _account_saved(sender: Any, instance: Account, created: bool, **kwargs: Any) -> None:
    # A staff account created after the employment (first login, seed) gets its admin flags now.
    if instance.employee_id is not None and instance.kind == AccountKind.STAFF:
        from oas.access.services import sync_admin_flags

        sync_admin_flags(employee_ids=[instance.employee_id])
