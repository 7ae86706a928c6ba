"""Vurdering (domain app): half-year assessments, final grades, appeals, remarks and conduct marks."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Vurdering")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from assessment import permissions  # noqa: F401  (registers actions and resources)
        from assessment.arbeidsflate import TASKS
        from oas.arbeidsflate.registry import registry

        registry.register_task_providers(TASKS)
