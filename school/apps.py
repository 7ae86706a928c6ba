"""Skole (domain app). Other apps use only `school.public`."""

import importlib.util

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolConfig(AppConfig):
    name = "school"
    verbose_name = _("Skole")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from school import permissions  # noqa: F401  (registers actions and resources)

        # The app shell's menu registry (oas.navigation) arrives with branch w-nav; until then no menu entries.
        if importlib.util.find_spec("oas.navigation") is not None:
            from school import navigation  # noqa: F401
