"""The Celery application (workers and beat). Tasks are thin; see house style rule 8."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "devtools.settings.development")

app = Celery("oas")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["oas"])  # the kernel's own oas/tasks.py (oas itself is not an installed app)


def _forget_inherited_connection_pools(**_kwargs: object) -> None:
    """A forked worker process must not use the parent's connection pool (its threads did not survive the fork and
    its sockets are the parent's): forget it without closing, and the child opens its own on first use."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    pools: dict[str, object] = getattr(DatabaseWrapper, "_connection_pools", {})
    pools.clear()


worker_process_init.connect(_forget_inherited_connection_pools, weak=False)
