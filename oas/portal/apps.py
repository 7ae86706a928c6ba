from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "oas.portal"
    label = "portal"
    verbose_name = "Foresattportal"
