from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "oas.audit"
    label = "audit"
    verbose_name = "Tilgangslogg"
