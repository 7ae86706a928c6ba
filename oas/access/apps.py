from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "oas.access"
    label = "access"
    verbose_name = "Roller og tilgang"

    def ready(self) -> None:
        from oas.access import permissions, signals  # noqa: F401 - declare kernel actions, connect recompute
