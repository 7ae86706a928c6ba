from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "oas.portal"
    label = "portal"
    verbose_name = _("Foresattportal")

    def ready(self) -> None:
        from oas.portal.providers import register_kernel_providers

        register_kernel_providers()
        # Menu entries: every app's ``navigation.py`` (the kernel's own is oas/portal/navigation.py).
        from django.utils.module_loading import autodiscover_modules

        from oas.portal import navigation  # noqa: F401

        autodiscover_modules("navigation")
