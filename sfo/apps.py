from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SfoConfig(AppConfig):
    name = "sfo"
    verbose_name = _("SFO")

    def ready(self) -> None:
        from sfo import permissions  # noqa: F401  (registers the actions and resources)
