"""Beat tasks: nightly role recompute (validity dates pass) and cleanup of expired grants."""

from __future__ import annotations

from celery import shared_task

from oas.access.services import access_grants_cleanup, roles_recompute_all


@shared_task(acks_late=True, time_limit=600, soft_time_limit=540)
def access_roles_recompute_all() -> int:
    return roles_recompute_all()


@shared_task(acks_late=True, time_limit=300, soft_time_limit=240)
def access_grants_cleanup_task() -> int:
    return access_grants_cleanup()
