from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "oas.portal"
    label = "portal"
    verbose_name = "Foresattportal"

    def ready(self) -> None:
        from oas.portal.providers import register_kernel_providers

        register_kernel_providers()
