"""The Celery application (workers and beat). Tasks are thin; see house style rule 8."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oas.settings.base")

app = Celery("oas")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["oas"])  # the kernel's own oas/tasks.py (oas itself is not an installed app)
