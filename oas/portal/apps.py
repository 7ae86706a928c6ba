from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "oas.portal"
    label = "portal"
    verbose_name = _("Foresattportal")

    def ready(self) -> None:
        from oas.portal.providers import register_kernel_providers

        register_kernel_providers()
