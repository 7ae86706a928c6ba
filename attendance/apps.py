"""Oppmøte (attendance): check-in/out, absence ("sykt barn"), who is expected today. Others use `attendance.public`."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = _("Oppmøte og fravær")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from attendance import permissions  # noqa: F401  (registers actions and resources)
        from attendance.arbeidsflate import TASKS
        from attendance.portal import AttendanceAttentionProvider
        from oas.arbeidsflate.registry import registry
        from oas.portal.registry import portal_registry

        registry.register_task_providers(TASKS)
        portal_registry.register_attention_provider(AttendanceAttentionProvider())
        from attendance.snapshot import unit_snapshot_figures

        registry.register_snapshot_provider("attendance", unit_snapshot_figures)
