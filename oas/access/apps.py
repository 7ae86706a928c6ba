from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "oas.access"
    label = "access"
    verbose_name = "Roller og tilgang"
