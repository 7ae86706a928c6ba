from django.apps import AppConfig


class SfoConfig(AppConfig):
    name = "sfo"
    verbose_name = "SFO"

    def ready(self) -> None:
        from sfo import permissions  # noqa: F401  (registers the actions and resources)
