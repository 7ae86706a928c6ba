from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "oas.identity"
    label = "identity"
    verbose_name = "Innlogging"

    def ready(self) -> None:
        from oas.identity import checks  # noqa: F401 - registers the system checks
