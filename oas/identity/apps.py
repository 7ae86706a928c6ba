from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "oas.identity"
    label = "identity"
    verbose_name = "Innlogging"
