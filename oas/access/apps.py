from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "oas.access"
    label = "access"
    verbose_name = _("Roller og tilgang")

    def ready(self) -> None:
        from oas.access import permissions, signals  # noqa: F401 - declare kernel actions, connect recompute
        from oas.access.arbeidsflate import NOTIFICATION_TYPES, TASKS
        from oas.arbeidsflate.registry import registry

        registry.register_task_providers(TASKS)
        for notification_type in NOTIFICATION_TYPES:
            registry.register_notification_type(notification_type)
