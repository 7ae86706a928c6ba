"""OAS project package: settings, urls, Celery app and the shared kernel."""

from oas.celery import app as celery_app

__all__ = ["celery_app"]
